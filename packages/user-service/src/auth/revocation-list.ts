// Revoked sessions, kept in sync with auth's revocation feed by polling it (every second by
// default) so a revoked session's still-unexpired access tokens are rejected within seconds.
import type { Logger } from 'pino';
import type { AuthClient } from './auth-client';
import { periodicTask } from '../periodic-task';
import { CLOCK_SKEW_SECONDS, MAX_LIFETIME_SECONDS } from './access-token';

export interface RevocationListOptions {
  auth: Pick<AuthClient, 'revocations'>;
  pollIntervalMs: number;
  logger: Logger;
  now?: () => number;
}

export interface RevocationStatus {
  revokedSessions: number;
  cursor: number | undefined;
  lastSyncAt: number | undefined;
  lastError: string | undefined;
}

// After this long every access token of a revoked session has expired, so its entry can go.
const RETENTION_MS = (MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) * 1000;

export function createRevocationList({ auth, pollIntervalMs, logger, now = Date.now }: RevocationListOptions) {
  const revoked = new Map<string, number>(); // sessionId → forget after (ms)
  let cursor: number | undefined;
  let lastSyncAt: number | undefined;
  let lastError: string | undefined;
  let polling: Promise<void> | undefined;

  function prune(): void {
    const t = now();
    for (const [sid, forgetAt] of revoked) if (forgetAt <= t) revoked.delete(sid);
  }

  /** Reads the feed until it has nothing newer; one poll at a time. */
  function poll(): Promise<void> {
    polling ??= (async () => {
      try {
        for (;;) {
          const page = await auth.revocations(cursor);
          for (const entry of page.revoked) {
            const at = Date.parse(entry.revokedAt);
            revoked.set(entry.sessionId, (Number.isNaN(at) ? now() : at) + RETENTION_MS);
          }
          const advanced = page.cursor !== cursor;
          cursor = page.cursor;
          if (!advanced || page.revoked.length === 0) break;
        }
        lastSyncAt = now();
        if (lastError !== undefined) logger.info('revocation feed reachable again');
        lastError = undefined;
        prune();
      } catch (err) {
        if (lastError === undefined) logger.warn({ err: (err as Error).message }, 'revocation feed unreachable; keeping the known revocations');
        lastError = (err as Error).message;
      } finally {
        polling = undefined;
      }
    })();
    return polling;
  }

  const loop = periodicTask(poll, { delayMs: () => pollIntervalMs, immediately: true });

  return {
    poll,
    start: loop.start,
    stop: loop.stop,
    isRevoked: (sessionId: string) => revoked.has(sessionId),
    status: (): RevocationStatus => ({ revokedSessions: revoked.size, cursor, lastSyncAt, lastError }),
  };
}

export type RevocationList = ReturnType<typeof createRevocationList>;
