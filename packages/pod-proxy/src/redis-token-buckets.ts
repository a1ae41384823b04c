// Fleet-wide token buckets in Redis: one atomic Lua script per decision (EVALSHA, EVAL on NOSCRIPT),
// keyed by route + client IP, expiring once refilled. Knows whether Redis is answering right now.
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { RedisConfig, RouteConfig } from './config';

/**
 * KEYS[1] bucket; ARGV: refill rate (tokens per ms), capacity, TTL (ms).
 * Redis' own clock, so proxies with skewed clocks still share one timeline. A refused request writes
 * nothing: the stored state refills to the same value later. Returns {allowed 0|1, whole tokens left,
 * ms until the next token}.
 */
const takeTokenLua = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
elseif now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
end
if tokens < 1 then
  return {0, 0, math.ceil((1 - tokens) / rate)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, math.floor(tokens), 0}
`;

/** After Redis answered with an error, how long the local buckets decide alone before trying again. */
const replyErrorRetryMs = 5000;

export interface SharedDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

type ScriptedClient = Redis & {
  takeToken(key: string, ratePerMs: string, burst: string, ttlMs: string): Promise<[number, number, number]>;
};

export interface RedisTokenBucketsOptions {
  config: RedisConfig;
  logger: Logger;
  /** Called on every change between "Redis answers" and "local buckets only". */
  onAvailabilityChange?: (available: boolean) => void;
}

export class RedisTokenBuckets {
  private readonly client: ScriptedClient;
  private available = false;
  private closing = false;
  /** The outage was logged (once per outage, including "never reached at start"). */
  private warned = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Why Redis is not in use (for /health); null while it answers. */
  lastError: string | null = 'not connected yet';

  constructor(private readonly options: RedisTokenBucketsOptions) {
    const { config } = options;
    this.client = new Redis(config.url, {
      lazyConnect: true,
      // Never queue or retry a decision: a request waits for Redis at most timeoutMs, then the local
      // bucket decides. Reconnecting is the client's job, in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.timeoutMs,
      // A Redis that accepted the connection but stopped answering: drop the socket and reconnect.
      socketTimeout: Math.max(1000, 10 * config.timeoutMs),
      connectTimeout: 2000,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
      // Requests arriving in the same tick share one write to Redis.
      enableAutoPipelining: true,
      scripts: { takeToken: { numberOfKeys: 1, lua: takeTokenLua } },
    }) as ScriptedClient;
    this.client.on('ready', () => this.setAvailable(true, null));
    this.client.on('close', () => this.setAvailable(false, this.lastError ?? 'connection closed'));
    // Errors also arrive as rejected commands or 'close'; without a listener ioredis would log them itself.
    this.client.on('error', (error: Error) => { this.lastError = error.message; });
  }

  get isAvailable(): boolean {
    return this.available;
  }

  /** Starts connecting; failures are retried in the background (the local buckets decide meanwhile). */
  connect(): void {
    this.client.connect().catch(() => {});
  }

  /**
   * The fleet-wide decision, or null when Redis is not answering (the caller's local bucket decides).
   * Returns null synchronously while Redis is known to be down, so requests then cost no wait at all.
   */
  take(route: RouteConfig, clientKey: string): Promise<SharedDecision | null> | null {
    if (!this.available) return null;
    const ratePerMs = route.ratePerSecond / 1000;
    // An untouched bucket is full after burst / rate: expire it then (plus a second of clock slack).
    const ttlMs = Math.ceil(route.burst / ratePerMs) + 1000;
    const key = `${this.options.config.keyPrefix}${route.name}:${clientKey}`;
    return this.client.takeToken(key, String(ratePerMs), String(route.burst), String(ttlMs)).then(
      ([allowed, remaining, retryMs]) => ({
        allowed: allowed === 1, remaining, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)),
      }),
      (error: Error) => {
        this.onCommandFailure(error);
        return null;
      },
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.client.disconnect();
  }

  private onCommandFailure(error: Error): void {
    if (!this.available) return;
    this.setAvailable(false, error.message);
    if (this.closing) return;
    if (error.name === 'ReplyError') {
      // Redis answered, with an error (OOM, READONLY replica, NOAUTH…): the connection is fine, so no
      // 'ready' will come; try the shared buckets again later (a lasting error warns every few seconds).
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        if (this.client.status === 'ready') this.setAvailable(true, null);
      }, replyErrorRetryMs).unref();
    } else if (this.client.status === 'ready') {
      // Timed out on a connection that looks open: a fresh one; 'ready' brings the shared buckets back.
      this.client.disconnect(true);
    }
  }

  private setAvailable(available: boolean, reason: string | null): void {
    if (reason !== null || available) this.lastError = reason;
    const changed = available !== this.available;
    this.available = available;
    if (changed) this.options.onAvailabilityChange?.(available);
    if (this.closing) return;
    if (available && changed) {
      this.warned = false;
      this.options.logger.info('rate limits shared through Redis');
    } else if (!available && !this.warned) {
      // 'close' repeats on every failed reconnect: one line per outage.
      this.warned = true;
      this.options.logger.warn({ reason }, 'Redis unreachable: rate limits are per proxy until it is back');
    }
  }
}
