// Watches request bodies while they arrive: a body may take PROXY_BODY_TIMEOUT_MS plus one second per
// PROXY_BODY_MIN_RATE bytes received so far (Apache mod_reqtimeout's "body=…,MinRate=…" rule), so a
// client dripping bytes is cut off after the grace period instead of holding an upstream socket for
// the whole request timeout. One timer for all bodies, not one per request.
import type { EdgeContext } from './pipeline/context';

export interface BodyDeadlineOptions {
  graceMs: number;
  /** Bytes per second; 0 means the grace period is the whole allowance. */
  minRate: number;
  onExpired(ctx: EdgeContext): void;
  now?: () => number;
}

interface Watched {
  since: number;
  bytesAtStart: number;
}

export class BodyDeadlines {
  private readonly watched = new Map<EdgeContext, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly checkEveryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BodyDeadlineOptions) {
    this.checkEveryMs = Math.max(20, Math.min(250, Math.floor(options.graceMs / 4)));
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.watched.size;
  }

  watch(ctx: EdgeContext): void {
    this.watched.set(ctx, { since: this.now(), bytesAtStart: ctx.req.socket.bytesRead });
    if (this.timer === null) {
      this.timer = setInterval(() => this.check(), this.checkEveryMs);
      this.timer.unref();
    }
  }

  private check(): void {
    const now = this.now();
    for (const [ctx, watched] of this.watched) {
      const req = ctx.req;
      if (req.complete || req.destroyed || ctx.socket.destroyed) {
        this.watched.delete(ctx);
        continue;
      }
      const received = req.socket.bytesRead - watched.bytesAtStart;
      const allowedMs = this.options.graceMs + (this.options.minRate > 0 ? (received * 1000) / this.options.minRate : 0);
      if (now - watched.since <= allowedMs) continue;
      this.watched.delete(ctx);
      this.options.onExpired(ctx);
    }
    if (this.watched.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }
}
