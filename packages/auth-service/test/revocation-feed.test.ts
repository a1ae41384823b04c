import { testDatabaseVariant } from '@core-pod/prisma-runtime/testing';
import { expect } from 'chai';
import { createRevocationFeed, GAP_PATIENCE_MS, safeCursor } from '../src/revocation-feed';
import { startAuthServer, type AuthServer } from './support/auth-server';

const revocation = (seq: number, agoMs: number, now: number) => ({ seq, sessionId: `s${seq}`, userId: 'u', reason: 'logout', revokedAt: new Date(now - agoMs) });

describe('revocation feed cursor', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('advances over contiguous rows', () => {
    expect(safeCursor(4, [revocation(5, 10, now), revocation(6, 5, now)], now)).to.equal(6);
  });

  it('stops before a recent hole: the missing row may be a transaction that has not committed yet', () => {
    expect(safeCursor(4, [revocation(5, 10, now), revocation(7, 5, now), revocation(8, 1, now)], now)).to.equal(5);
    expect(safeCursor(4, [revocation(6, 5, now)], now)).to.equal(4);
  });

  it('passes a hole once the row after it is older than the patience (rolled back or pruned)', () => {
    expect(safeCursor(4, [revocation(7, GAP_PATIENCE_MS + 1, now), revocation(9, 5, now)], now)).to.equal(7);
  });
});

// Only PostgreSQL lets a later transaction commit before an earlier one's row is visible; SQLite
// serialises writers, so there the case cannot arise.
if (testDatabaseVariant() === 'postgresql') {
  describe('revocation feed on PostgreSQL with concurrent revocations', () => {
    let server: AuthServer;
    before(async () => {
      server = await startAuthServer();
    });
    after(() => server.close());

    it('still delivers a revocation whose transaction commits after a later one was already polled', async () => {
      const feed = createRevocationFeed(server.db, 600, Date.now);
      const start = await feed.since(undefined);
      let commitEarlier!: () => void;
      const held = new Promise<void>((resolve) => (commitEarlier = resolve));
      let tookSeq!: () => void;
      const seqTaken = new Promise<void>((resolve) => (tookSeq = resolve));
      // The earlier transaction takes its seq first, then waits before committing.
      const earlier = server.db.$transaction(async (tx) => {
        await tx.revocation.create({ data: { sessionId: 'earlier', userId: 'u1', reason: 'logout' } });
        tookSeq();
        await held;
      }, { timeout: 20_000 });
      await seqTaken;
      await server.db.revocation.create({ data: { sessionId: 'later', userId: 'u2', reason: 'logout' } });

      const first = await feed.since(start.cursor);
      expect(first.revoked.map((r) => r.sessionId)).to.deep.equal(['later']);
      commitEarlier();
      await earlier;
      const second = await feed.since(first.cursor);
      expect(second.revoked.map((r) => r.sessionId)).to.include('earlier');
      const third = await feed.since(second.cursor);
      expect(third.revoked).to.deep.equal([]);
    });

    it('gives a poller every session of many concurrent logouts', async () => {
      const feed = createRevocationFeed(server.db, 600, Date.now);
      let cursor = (await feed.since(undefined)).cursor;
      const seen = new Set<string>();
      let writing = true;
      const poller = (async () => {
        while (writing) {
          const page = await feed.since(cursor);
          for (const r of page.revoked) seen.add(r.sessionId);
          cursor = page.cursor;
        }
      })();
      const ids = Array.from({ length: 200 }, (_, i) => `concurrent-${i}`);
      // 8 writers at a time, each revocation in its own transaction, as sessions.ts does.
      for (let i = 0; i < ids.length; i += 8) {
        await Promise.all(ids.slice(i, i + 8).map((sessionId) =>
          server.db.$transaction(async (tx) => {
            await tx.revocation.create({ data: { sessionId, userId: 'u', reason: 'logout' } });
          })));
      }
      writing = false;
      await poller;
      for (;;) {
        const page = await feed.since(cursor);
        for (const r of page.revoked) seen.add(r.sessionId);
        if (page.cursor === cursor) break;
        cursor = page.cursor;
      }
      expect(ids.filter((id) => !seen.has(id))).to.deep.equal([]);
    });
  });
}
