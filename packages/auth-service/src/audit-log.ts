// Security audit trail (logins, failures, lockouts, token reuse, password and account changes).
// Records who, what and from where — never passwords, tokens or hashes.
import type { Database } from './store/database';

export type AuditType =
  | 'user_registered'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_locked_out'
  | 'refresh_token_reused'
  | 'password_changed'
  | 'password_change_failed'
  | 'password_rehashed'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'role_changed'
  | 'user_disabled'
  | 'user_enabled'
  | 'user_deleted';

export interface AuditEntry {
  userId?: string | undefined;
  email?: string | undefined;
  ip?: string | undefined;
  detail?: Record<string, string | number | boolean | null> | undefined;
}

export interface AuditLog {
  record(type: AuditType, entry?: AuditEntry): Promise<void>;
}

export function createAuditLog(db: Database, onError: (err: unknown) => void): AuditLog {
  return {
    async record(type, entry = {}) {
      try {
        await db.auditEvent.create({
          data: {
            type,
            userId: entry.userId ?? null,
            email: entry.email ?? null,
            ip: entry.ip ?? null,
            detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
          },
        });
      } catch (err) {
        // Losing an audit row must not turn a login into a 500; it is logged instead.
        onError(err);
      }
    },
  };
}
