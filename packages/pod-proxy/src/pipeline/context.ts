// The per-request state every pipeline step reads and fills in, how a step answers early, and the
// runner that keeps an error in one request inside that request.
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { endLingering } from '../lingering-close';
import { rawProblem, sendProblem, type ProblemCode } from '../problem';
import type { EdgeRoute } from './route-table';

export const kContext = Symbol('pod-proxy.context');

export class EdgeContext {
  requestId = '';
  clientIp = '';
  /** What per-client limits count against: the IP, or its network for IPv6 (PROXY_IPV6_PREFIX). */
  clientKey = '';
  /** Value sent upstream as X-Forwarded-For. */
  forwardedFor = '';
  /** Normalised path (what routing saw and what is forwarded). */
  path = '';
  route: EdgeRoute | null = null;
  /** allowed | limited | none (route without a limit). */
  rateLimit = 'none';
  upstreamTimedOut = false;
  /** The request waited longer than PROXY_UPSTREAM_QUEUE_TIMEOUT_MS for a pooled upstream socket. */
  queueTimedOut = false;
  /** The client's body arrived slower than PROXY_BODY_MIN_RATE allows. */
  bodyTimedOut = false;
  /** Framing as the client sent it, read before any header is stripped (Connection tokens cannot hide it). */
  chunked = false;
  /** Key of the in-flight slot this request holds (released when it ends), or null. */
  slotKey: string | null = null;
  proxyReq: ClientRequest | null = null;
  /** First bytes after the upgrade request's headers (websockets only). */
  head: Buffer | undefined = undefined;
  readonly startedAt = performance.now();
  readonly bytesAtStart: number;

  constructor(
    readonly req: IncomingMessage,
    /** The response for plain requests; null for websocket upgrades. */
    readonly res: ServerResponse | null,
    /** The client socket for websocket upgrades (and the request's socket otherwise). */
    readonly socket: Socket,
    readonly secure: boolean,
  ) {
    this.bytesAtStart = socket.bytesWritten;
    (req as unknown as Record<symbol, EdgeContext>)[kContext] = this;
  }

  static of(req: IncomingMessage): EdgeContext {
    return EdgeContext.find(req)!;
  }

  /** The context of a request, if the pipeline has seen it (a parse error may come first). */
  static find(req: IncomingMessage): EdgeContext | undefined {
    return (req as unknown as Record<symbol, EdgeContext | undefined>)[kContext];
  }

  /**
   * Answers with a problem document, on the response or (for upgrades) straight on the socket. Safe at
   * any moment of the request: once anything was sent it closes the connection instead. Never throws.
   */
  answer(code: ProblemCode, detail: string, headers?: Record<string, string>): void {
    if (this.res !== null) {
      sendProblem(this.res, code, detail, this.requestId, headers);
      return;
    }
    let extra = '';
    if (headers) for (const name in headers) extra += `${name}: ${headers[name]}\r\n`;
    // Once anything (a 101) went to the socket, the connection is no longer HTTP: just close it.
    if (this.socket.writable && this.socket.bytesWritten === this.bytesAtStart) endLingering(this.socket, rawProblem(code, detail, this.requestId, extra, this.req.method === 'HEAD'));
    else this.socket.destroy();
  }

  /** Cancels the upstream request, if one was started. */
  cancelUpstream(): void {
    const proxyReq = this.proxyReq;
    if (proxyReq !== null && !proxyReq.destroyed) proxyReq.destroy();
  }
}

/**
 * What happens to an error thrown while handling one request (a step, a stream callback, a timer armed
 * for it): it ends that request and nothing else. `stage` names where it was caught, for the log and
 * the metric.
 */
export type FailureHandler = (ctx: EdgeContext, stage: string, error: unknown) => void;

/**
 * A pipeline step: returns true when it answered the request and the pipeline must stop. A step that
 * must wait (the shared rate limit) returns a promise of the same; every other step stays synchronous.
 */
export type Step = (ctx: EdgeContext) => boolean | Promise<boolean>;

export type StepRunner = (ctx: EdgeContext, steps: readonly Step[], from?: number) => void;

/** Runs the steps from `from` in order until one answers; resumes after a waiting step settles. */
export function createStepRunner(onFailure: FailureHandler): StepRunner {
  return function runSteps(ctx: EdgeContext, steps: readonly Step[], from = 0): void {
    let index = from;
    try {
      for (; index < steps.length; index++) {
        const outcome = steps[index]!(ctx);
        if (outcome === false) continue;
        if (outcome === true) return;
        const waited = index;
        outcome.then((answered) => {
          // The client may have left while the step waited: nothing left to serve.
          if (!answered && !ctx.socket.destroyed) runSteps(ctx, steps, waited + 1);
        }, (error: unknown) => onFailure(ctx, steps[waited]!.name, error));
        return;
      }
    } catch (error) {
      onFailure(ctx, steps[index]?.name || 'pipeline', error);
    }
  };
}
