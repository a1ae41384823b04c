// auth's public keys, fetched over loopback and kept as KeyObjects. An unknown kid triggers at most
// one refetch per interval (rotation works without restart; a flood of bogus kids cannot flood auth).
import crypto, { type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { periodicTask } from '../periodic-task';
import type { AuthClient, PublicJwk } from './auth-client';

export interface JwksCacheOptions {
  auth: Pick<AuthClient, 'jwks'>;
  refetchIntervalMs: number;
  /** Background refresh: drops keys auth stopped publishing even when no unknown kid shows up. */
  refreshEveryMs?: number;
  logger: Logger;
  now?: () => number;
}

export interface JwksStatus {
  keys: number;
  lastFetchAt: number | undefined;
  lastError: string | undefined;
}

export function createJwksCache({ auth, refetchIntervalMs, refreshEveryMs = 300_000, logger, now = Date.now }: JwksCacheOptions) {
  let keys = new Map<string, KeyObject>();
  let lastAttemptAt = -Infinity;
  let lastFetchAt: number | undefined;
  let lastError: string | undefined;
  let inFlight: Promise<void> | undefined;

  function toKeys(jwks: PublicJwk[]): Map<string, KeyObject> {
    const next = new Map<string, KeyObject>();
    for (const jwk of jwks) {
      // Only keys that can verify ES256: anything else in the set is ignored, never trusted.
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string' || (jwk.alg !== undefined && jwk.alg !== 'ES256')) continue;
      try {
        next.set(jwk.kid, crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' }));
      } catch (err) {
        logger.warn({ kid: jwk.kid, err: (err as Error).message }, 'ignoring an unreadable JWK');
      }
    }
    return next;
  }

  /** One fetch at a time; callers arriving meanwhile share its outcome. */
  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      lastAttemptAt = now();
      try {
        const { keys: jwks } = await auth.jwks();
        // Replace, not merge: a key auth stopped publishing is no longer trusted.
        keys = toKeys(jwks);
        lastFetchAt = now();
        if (lastError !== undefined) logger.info({ keys: keys.size }, 'JWKS fetched again');
        lastError = undefined;
      } catch (err) {
        // Logged once per outage, not once per retry.
        if (lastError === undefined) logger.warn({ err: (err as Error).message }, 'JWKS fetch failed; keeping the cached keys');
        lastError = (err as Error).message;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  // Until a fetch succeeds (auth still starting, or down) retry every second, then rarely.
  const loop = periodicTask(refresh, {
    delayMs: () => (lastError === undefined && lastFetchAt !== undefined ? refreshEveryMs : Math.min(1000, refetchIntervalMs)),
  });

  return {
    refresh,
    start: loop.start,
    stop: loop.stop,
    /** The key for a kid, refetching the set at most once per interval when the kid is unknown. */
    async keyFor(kid: string): Promise<KeyObject | undefined> {
      const known = keys.get(kid);
      if (known !== undefined) return known;
      if (inFlight === undefined && now() - lastAttemptAt < refetchIntervalMs) return undefined;
      await refresh();
      return keys.get(kid);
    },
    status: (): JwksStatus => ({ keys: keys.size, lastFetchAt, lastError }),
  };
}

export type JwksCache = ReturnType<typeof createJwksCache>;
