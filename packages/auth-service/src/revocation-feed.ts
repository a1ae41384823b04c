// The revocation feed user-service polls: revoked sessions in order of a monotonically increasing
// cursor (the Revocation row's seq), so a poller only ever asks for what it has not seen.
import type { Database } from './store/database';

export interface RevokedSession {
  sessionId: string;
  userId: string;
  revokedAt: string;
  reason: string;
}

export interface RevocationPage {
  cursor: number;
  revoked: RevokedSession[];
}

export const FEED_PAGE_SIZE = 1000;

/**
 * How long a hole in the seq numbers may be an uncommitted revocation. On PostgreSQL a transaction
 * that took seq n can commit after the one that took n+1, so a poller told "cursor = n+1" would
 * never see n. The cursor therefore stops before a hole until the row after it is this old; after
 * that the hole is taken as a rolled-back insert or a pruned row. Revocation transactions take
 * milliseconds; the margin also covers clock skew between several auth pods.
 */
export const GAP_PATIENCE_MS = 30_000;

interface Row {
  seq: number;
  sessionId: string;
  userId: string;
  revokedAt: Date;
  reason: string;
}

const view = (r: Row): RevokedSession => ({ sessionId: r.sessionId, userId: r.userId, revokedAt: r.revokedAt.toISOString(), reason: r.reason });

/** The highest seq up to which every row is certainly visible (rows after it are sent again). */
export function safeCursor(cursor: number, rows: Row[], now: number): number {
  let safe = cursor;
  for (const row of rows) {
    const contiguous = row.seq === safe + 1;
    if (!contiguous && row.revokedAt.getTime() > now - GAP_PATIENCE_MS) break;
    safe = row.seq;
  }
  return safe;
}

export function createRevocationFeed(db: Database, accessTokenTtlSeconds: number, now: () => number) {
  return {
    /**
     * With a cursor: every row after it (at most a page) and the cursor to ask with next; rows
     * behind a recent hole come again next time (pollers hold a set: duplicates are harmless).
     * Without: sessions revoked within one access-token lifetime — older revocations cannot
     * matter, their access tokens have expired — and a cursor old enough that nothing in flight
     * lies behind it.
     */
    async since(cursor: number | undefined): Promise<RevocationPage> {
      const t = now();
      if (cursor === undefined) {
        const settled = await db.revocation.findFirst({
          where: { revokedAt: { lt: new Date(t - GAP_PATIENCE_MS) } },
          orderBy: { seq: 'desc' },
          select: { seq: true },
        });
        const recent = await db.revocation.findMany({
          where: { revokedAt: { gte: new Date(t - accessTokenTtlSeconds * 1000) } },
          orderBy: { seq: 'asc' },
          take: FEED_PAGE_SIZE * 10,
        });
        return { cursor: settled?.seq ?? 0, revoked: recent.map(view) };
      }
      const rows = await db.revocation.findMany({ where: { seq: { gt: cursor } }, orderBy: { seq: 'asc' }, take: FEED_PAGE_SIZE });
      return { cursor: safeCursor(cursor, rows, t), revoked: rows.map(view) };
    },
  };
}

export type RevocationFeed = ReturnType<typeof createRevocationFeed>;
