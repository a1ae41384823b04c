// Keeps the auth tables from growing without bound: drops sessions (and their spent refresh
// tokens) that expired or were revoked long ago, and revocation records nobody can still need.
import type { Database } from './database';

export interface RetentionOptions {
  /** Keep ended sessions and revocation records this long (≥ one access-token lifetime). */
  keepSeconds: number;
  now: () => number;
}

export interface PruneResult {
  sessions: number;
  refreshTokens: number;
  revocations: number;
}

export async function pruneExpired(db: Database, { keepSeconds, now }: RetentionOptions): Promise<PruneResult> {
  const cutoff = new Date(now() - keepSeconds * 1000);
  const ended = { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] };
  // Explicit child delete first: SQLite only cascades when foreign_keys is on for the connection.
  const refreshTokens = await db.refreshToken.deleteMany({ where: { OR: [{ session: ended }, { expiresAt: { lt: cutoff } }] } });
  const sessions = await db.session.deleteMany({ where: ended });
  // A poller whose cursor is older than this only misses sessions whose tokens expired long ago.
  const revocations = await db.revocation.deleteMany({ where: { revokedAt: { lt: cutoff } } });
  return { sessions: sessions.count, refreshTokens: refreshTokens.count, revocations: revocations.count };
}
