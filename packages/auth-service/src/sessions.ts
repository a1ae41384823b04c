// Sessions and refresh-token rotation: a login opens a session (a refresh-token family); every
// refresh spends the presented token and issues the next one. Presenting a spent token revokes the
// whole family (after a short grace period for concurrent requests). Every revocation is appended to the Revocation feed user-service polls.
import crypto from 'node:crypto';
import type { AuditLog } from './audit-log';
import { authProblem } from './error-codes';
import type { Database, User } from './store/database';
import type { AccessTokens } from './tokens/access-token';
import { generateRefreshToken, hashRefreshToken } from './tokens/refresh-token';

export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'password_changed'
  | 'user_disabled'
  | 'user_deleted'
  | 'refresh_token_reuse';

export interface ClientContext {
  ip: string;
  userAgent: string | undefined;
}

export interface IssuedTokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export interface SessionsDeps {
  db: Database;
  tokens: AccessTokens;
  audit: AuditLog;
  refreshTtlSeconds: number;
  /** A spent token presented again within this many seconds is a race, not a theft. */
  reuseGraceSeconds: number;
  now: () => number;
}

export function createSessions({ db, tokens, audit, refreshTtlSeconds, reuseGraceSeconds, now }: SessionsDeps) {
  const expiry = () => new Date(now() + refreshTtlSeconds * 1000);

  async function newRefreshToken(sessionId: string): Promise<string> {
    const refreshToken = generateRefreshToken();
    await db.refreshToken.create({
      data: { id: crypto.randomUUID(), sessionId, tokenHash: hashRefreshToken(refreshToken), expiresAt: expiry() },
    });
    return refreshToken;
  }

  function accessFor(user: User, sessionId: string, refreshToken: string): IssuedTokens {
    const { token, expiresIn } = tokens.sign({ userId: user.id, sessionId, role: user.role, email: user.email });
    return { accessToken: token, tokenType: 'Bearer', expiresIn, refreshToken, sessionId };
  }

  /** Marks sessions revoked and appends them to the feed; already-revoked ones are left alone. */
  async function revokeWhere(where: { id?: string; userId: string; NOT?: { id: string } }, reason: RevokeReason): Promise<number> {
    const targets = await db.session.findMany({ where: { ...where, revokedAt: null }, select: { id: true } });
    let revoked = 0;
    for (const { id } of targets) {
      const revokedAt = new Date(now());
      // One transaction: a revoked session is always announced in the feed, and only once.
      const done = await db.$transaction(async (tx) => {
        const { count } = await tx.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt, revokeReason: reason } });
        if (count === 1) await tx.revocation.create({ data: { sessionId: id, userId: where.userId, revokedAt, reason } });
        return count === 1;
      });
      if (done) revoked += 1;
    }
    return revoked;
  }

  return {
    async open(user: User, client: ClientContext): Promise<IssuedTokens> {
      const sessionId = crypto.randomUUID();
      await db.session.create({
        data: { id: sessionId, userId: user.id, expiresAt: expiry(), ip: client.ip, userAgent: client.userAgent?.slice(0, 256) ?? null },
      });
      return accessFor(user, sessionId, await newRefreshToken(sessionId));
    },

    async refresh(presented: string, client: ClientContext): Promise<IssuedTokens> {
      const row = await db.refreshToken.findUnique({
        where: { tokenHash: hashRefreshToken(presented) },
        include: { session: { include: { user: true } } },
      });
      if (row === null) throw authProblem('invalid_refresh_token');
      const { session } = row;
      // Spend the token atomically: of two concurrent refreshes exactly one sees count === 1.
      const { count } = await db.refreshToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date(now()) } });
      if (count === 0) {
        const spent = await db.refreshToken.findUnique({ where: { id: row.id }, select: { usedAt: true } });
        // A second request racing the first (same client, e.g. two tabs) is refused without
        // killing the session; a replay after the grace period is treated as theft.
        if (spent?.usedAt != null && now() - spent.usedAt.getTime() < reuseGraceSeconds * 1000) {
          throw authProblem('refresh_conflict');
        }
        if (session.revokedAt === null) {
          await revokeWhere({ id: session.id, userId: session.userId }, 'refresh_token_reuse');
          await audit.record('refresh_token_reused', { userId: session.userId, ip: client.ip, detail: { sessionId: session.id } });
        }
        throw authProblem('refresh_token_reused');
      }
      const at = now();
      if (session.revokedAt !== null || session.expiresAt.getTime() <= at || row.expiresAt.getTime() <= at) {
        throw authProblem('invalid_refresh_token');
      }
      if (session.user.disabled) throw authProblem('account_disabled');
      await db.session.update({ where: { id: session.id }, data: { lastUsedAt: new Date(at), ip: client.ip } });
      return accessFor(session.user, session.id, await newRefreshToken(session.id));
    },

    /** True while the session exists, is not revoked or expired, and its user is enabled. */
    async isActive(sessionId: string): Promise<boolean> {
      const session = await db.session.findUnique({ where: { id: sessionId }, include: { user: { select: { disabled: true } } } });
      return session !== null && session.revokedAt === null && session.expiresAt.getTime() > now() && !session.user.disabled;
    },

    async list(userId: string, currentSessionId: string): Promise<SessionView[]> {
      const rows = await db.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: new Date(now()) } },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        userAgent: s.userAgent,
        ip: s.ip,
        current: s.id === currentSessionId,
      }));
    },

    /** Revokes one of the user's own sessions; false when it is not theirs or already gone. */
    async revokeOne(userId: string, sessionId: string, reason: RevokeReason): Promise<boolean> {
      return (await revokeWhere({ id: sessionId, userId }, reason)) === 1;
    },

    async revokeAll(userId: string, reason: RevokeReason, exceptSessionId?: string): Promise<number> {
      return revokeWhere(exceptSessionId === undefined ? { userId } : { userId, NOT: { id: exceptSessionId } }, reason);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
