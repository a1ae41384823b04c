// How the shared rate limit shows in /health: a "redis:connection" check (draft-inadarei-api-health-check)
// that turns a passing pod into "warn" while Redis is unreachable and every proxy limits on its own.
import type { FetchedDocument } from './document-fetcher';
import type { RedisTokenBuckets } from './redis-token-buckets';

export const redisCheckName = 'redis:connection';

interface HealthDocument {
  status?: unknown;
  checks?: Record<string, unknown>;
  [field: string]: unknown;
}

export function redisCheck(shared: RedisTokenBuckets) {
  const up = shared.isAvailable;
  return {
    componentType: 'datastore',
    status: up ? 'pass' : 'warn',
    time: new Date().toISOString(),
    output: up
      ? 'rate limits are shared by every proxy through Redis'
      : `Redis is not answering (${shared.lastError ?? 'unknown'}); each proxy limits with its own buckets until it is back`,
  };
}

/** Status after adding the Redis check: pass becomes warn while Redis is down; warn and fail stay. */
export function statusWithRedis(status: string, shared: RedisTokenBuckets): string {
  return status === 'pass' && !shared.isAvailable ? 'warn' : status;
}

/** pod-health's /health with the Redis check added; an unreadable document is returned untouched. */
export function addRedisCheck(document: FetchedDocument, shared: RedisTokenBuckets): FetchedDocument {
  let health: HealthDocument;
  try {
    health = JSON.parse(document.body.toString('utf8')) as HealthDocument;
  } catch {
    return document;
  }
  if (health === null || typeof health !== 'object' || typeof health.status !== 'string') return document;
  health.status = statusWithRedis(health.status, shared);
  health.checks = { ...(health.checks ?? {}), [redisCheckName]: [redisCheck(shared)] };
  return { ...document, body: Buffer.from(JSON.stringify(health)) };
}
