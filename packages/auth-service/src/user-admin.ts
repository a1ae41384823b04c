// Account administration for user-service's internal calls: read a user, change a role, disable,
// enable, delete. Never leaves the pod without an enabled admin; every change is audited.
import type { AuditLog } from './audit-log';
import { authProblem } from './error-codes';
import type { Sessions } from './sessions';
import type { Database, User } from './store/database';
import type { Role } from './tokens/access-token';

export interface InternalUser {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export function internalUser(user: User): InternalUser {
  return { id: user.id, email: user.email, role: user.role, disabled: user.disabled, createdAt: user.createdAt.toISOString() };
}

export function createUserAdmin(db: Database, sessions: Sessions, audit: AuditLog) {
  async function find(id: string): Promise<User> {
    const user = await db.user.findUnique({ where: { id } });
    if (user === null) throw authProblem('user_not_found');
    return user;
  }

  /** Throws last_admin when `user` is the only enabled admin and the change would remove it. */
  async function guardLastAdmin(user: User): Promise<void> {
    if (user.role !== 'admin' || user.disabled) return;
    const enabledAdmins = await db.user.count({ where: { role: 'admin', disabled: false } });
    if (enabledAdmins <= 1) throw authProblem('last_admin');
  }

  return {
    get: async (id: string) => internalUser(await find(id)),

    async setRole(id: string, role: Role): Promise<InternalUser> {
      const user = await find(id);
      if (user.role === role) return internalUser(user);
      if (role !== 'admin') await guardLastAdmin(user);
      const updated = await db.user.update({ where: { id }, data: { role } });
      await audit.record('role_changed', { userId: id, detail: { from: user.role, to: role } });
      return internalUser(updated);
    },

    async setDisabled(id: string, disabled: boolean): Promise<InternalUser> {
      const user = await find(id);
      if (disabled) await guardLastAdmin(user);
      const updated = user.disabled === disabled ? user : await db.user.update({ where: { id }, data: { disabled } });
      if (disabled) await sessions.revokeAll(id, 'user_disabled');
      if (user.disabled !== disabled) await audit.record(disabled ? 'user_disabled' : 'user_enabled', { userId: id });
      return internalUser(updated);
    },

    /** Idempotent: deleting a user that is already gone succeeds. */
    async remove(id: string): Promise<void> {
      const user = await db.user.findUnique({ where: { id } });
      if (user === null) return;
      await guardLastAdmin(user);
      await sessions.revokeAll(id, 'user_deleted');
      // Explicit deletes: SQLite only cascades when foreign_keys is on for the connection.
      await db.refreshToken.deleteMany({ where: { session: { userId: id } } });
      await db.session.deleteMany({ where: { userId: id } });
      await db.user.deleteMany({ where: { id } });
      await audit.record('user_deleted', { userId: id });
    },
  };
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
