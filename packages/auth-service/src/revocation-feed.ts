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

export function createRevocationFeed(db: Database, accessTokenTtlSeconds: number, now: () => number) {
  const view = (r: { sessionId: string; userId: string; revokedAt: Date; reason: string }): RevokedSession => ({
    sessionId: r.sessionId,
    userId: r.userId,
    revokedAt: r.revokedAt.toISOString(),
    reason: r.reason,
  });

  return {
    /**
     * With a cursor: the next page after it (cursor = last seq returned, or unchanged when none).
     * Without: the current cursor plus sessions revoked within one access-token lifetime — older
     * revocations cannot matter, their access tokens have expired.
     */
    async since(cursor: number | undefined): Promise<RevocationPage> {
      if (cursor === undefined) {
        const latest = await db.revocation.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
        const recent = await db.revocation.findMany({
          where: { revokedAt: { gte: new Date(now() - accessTokenTtlSeconds * 1000) } },
          orderBy: { seq: 'asc' },
          take: FEED_PAGE_SIZE * 10,
        });
        return { cursor: latest?.seq ?? 0, revoked: recent.map(view) };
      }
      const rows = await db.revocation.findMany({ where: { seq: { gt: cursor } }, orderBy: { seq: 'asc' }, take: FEED_PAGE_SIZE });
      const last = rows.at(-1);
      return { cursor: last?.seq ?? cursor, revoked: rows.map(view) };
    },
  };
}

export type RevocationFeed = ReturnType<typeof createRevocationFeed>;
