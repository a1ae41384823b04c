// Login throttling per client IP and per account: after N failures inside a window the key is
// locked for a while and login answers 429 with Retry-After. In memory: one auth process owns it.

export interface ThrottleLimits {
  ipMaxFailures: number;
  accountMaxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export interface LoginThrottle {
  /** Seconds until the IP or the account may try again; 0 when allowed. */
  retryAfter(ip: string, account: string): number;
  /** Counts a failure; returns true when it just locked the IP or the account. */
  recordFailure(ip: string, account: string): boolean;
  recordSuccess(account: string): void;
}

// Bounds memory under a flood of distinct keys; the oldest entries go first.
const MAX_ENTRIES = 100_000;

export function createLoginThrottle(limits: ThrottleLimits, now: () => number = Date.now): LoginThrottle {
  const entries = new Map<string, Entry>();

  function current(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.lockedUntil <= at && at - entry.windowStart >= limits.windowSeconds * 1000) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function lockRemaining(key: string, at: number): number {
    const entry = current(key, at);
    return entry !== undefined && entry.lockedUntil > at ? Math.ceil((entry.lockedUntil - at) / 1000) : 0;
  }

  function fail(key: string, max: number, at: number): boolean {
    let entry = current(key, at);
    if (entry === undefined) {
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entry = { failures: 0, windowStart: at, lockedUntil: 0 };
      entries.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures >= max && entry.lockedUntil <= at) {
      entry.lockedUntil = at + limits.lockoutSeconds * 1000;
      // The next window starts after the lockout, so failures are counted afresh.
      entry.failures = 0;
      entry.windowStart = entry.lockedUntil;
      return true;
    }
    return false;
  }

  return {
    retryAfter(ip, account) {
      const at = now();
      return Math.max(lockRemaining(`ip:${ip}`, at), lockRemaining(`account:${account}`, at));
    },
    recordFailure(ip, account) {
      const at = now();
      const ipLocked = fail(`ip:${ip}`, limits.ipMaxFailures, at);
      const accountLocked = fail(`account:${account}`, limits.accountMaxFailures, at);
      return ipLocked || accountLocked;
    },
    recordSuccess(account) {
      entries.delete(`account:${account}`);
    },
  };
}
