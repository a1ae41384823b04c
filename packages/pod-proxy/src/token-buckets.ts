// Token buckets keyed by client IP, with memory bounded by evicting idle (refilled) buckets and a hard cap.
// State is per proxy process; with Redis configured it is the cheap first check in front of the
// fleet-wide bucket (see redis-token-buckets.ts).

interface Bucket {
  tokens: number;
  /** Milliseconds (clock) when tokens was last brought up to date. */
  at: number;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Hard cap on buckets held; beyond it the oldest-created bucket is dropped. */
  maxBuckets: number;
  now?: () => number;
}

/** Outcome of one take(); a single instance is reused, read it before the next call. */
export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until one token is available again (0 when allowed). */
  retryAfterSeconds: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  /** A bucket idle this long has refilled completely and is indistinguishable from a new one. */
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly result: TakeResult = { allowed: true, remaining: 0, retryAfterSeconds: 0 };
  private lastSweepAt = -Infinity;

  constructor(private readonly options: TokenBucketOptions) {
    this.ratePerMs = options.ratePerSecond / 1000;
    this.idleMs = Math.ceil(options.burst / this.ratePerMs);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): TakeResult {
    const now = this.now();
    const result = this.result;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.options.maxBuckets) this.makeRoom(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.ratePerMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      result.allowed = true;
      result.remaining = Math.floor(bucket.tokens);
      result.retryAfterSeconds = 0;
    } else {
      result.allowed = false;
      result.remaining = 0;
      result.retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerMs / 1000));
    }
    return result;
  }

  /** Gives back the token of a request the fleet-wide bucket refused, so this bucket counts admitted requests only. */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  /** Drops every bucket that has refilled completely; called on a timer and when the cap is reached. */
  sweep(now = this.now()): number {
    this.lastSweepAt = now;
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= this.idleMs) {
        this.buckets.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  private makeRoom(now: number): void {
    // A full sweep is O(buckets): at most one a second, so a flood of new addresses stays O(1) each.
    if (now - this.lastSweepAt >= 1000 && this.sweep(now) > 0) return;
    // Every bucket is active: drop the oldest-created 1/64 in one pass (one at a time would rescan the
    // Map's deleted slots on every insert). Those clients get a fresh burst, which only happens with
    // more than maxBuckets clients active inside one refill window.
    let toDrop = Math.max(1, this.options.maxBuckets >> 6);
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key);
      if (--toDrop === 0) break;
    }
  }
}
