// The per-request state every pipeline step reads and fills in, and how a step answers early.
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { rawProblem, sendProblem, type ProblemCode } from '../problem';
import type { EdgeRoute } from './route-table';

export const kContext = Symbol('pod-proxy.context');

export class EdgeContext {
  requestId = '';
  clientIp = '';
  /** Value sent upstream as X-Forwarded-For. */
  forwardedFor = '';
  /** Normalised path (what routing saw and what is forwarded). */
  path = '';
  route: EdgeRoute | null = null;
  /** allowed | limited | none (route without a limit). */
  rateLimit = 'none';
  upstreamTimedOut = false;
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
    return (req as unknown as Record<symbol, EdgeContext>)[kContext]!;
  }

  /** Answers with a problem document, on the response or (for upgrades) straight on the socket. */
  answer(code: ProblemCode, detail: string, headers?: Record<string, string>): void {
    if (this.res !== null) {
      sendProblem(this.res, code, detail, this.requestId, headers);
      return;
    }
    let extra = '';
    if (headers) for (const name in headers) extra += `${name}: ${headers[name]}\r\n`;
    // Once anything (a 101) went to the socket, the connection is no longer HTTP: just close it.
    if (this.socket.writable && this.socket.bytesWritten === this.bytesAtStart) this.socket.end(rawProblem(code, detail, this.requestId, extra));
    else this.socket.destroy();
  }
}

/**
 * A pipeline step: returns true when it answered the request and the pipeline must stop. A step that
 * must wait (the shared rate limit) returns a promise of the same; every other step stays synchronous.
 */
export type Step = (ctx: EdgeContext) => boolean | Promise<boolean>;

/** Runs the steps from `from` in order until one answers; resumes after a waiting step settles. */
export function runSteps(ctx: EdgeContext, steps: readonly Step[], from = 0): void {
  for (let index = from; index < steps.length; index++) {
    const outcome = steps[index]!(ctx);
    if (outcome === false) continue;
    if (outcome === true) return;
    outcome.then((answered) => {
      // The client may have left while the step waited: nothing left to serve.
      if (!answered && !ctx.socket.destroyed) runSteps(ctx, steps, index + 1);
    }, (error: Error) => ctx.answer('bad_gateway', error.message));
    return;
  }
}
