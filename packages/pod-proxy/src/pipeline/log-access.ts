// Last step, run when the response closes: one JSON access-log line and the request metrics.
// The line is serialised here (fixed fields, no generic object walk) and handed to the logger's own
// stream once per event-loop turn, because pino's per-call work was the largest cost we add per request.
import pino, { type Logger } from 'pino';
import type { EdgeMetrics } from '../metrics';
import type { EdgeContext } from './context';

const { lsCacheSym, timeSym, chindingsSym, streamSym, endSym, messageKeySym, mixinSym, formattersSym, hooksSym,
  needsMetadataGsym } = pino.symbols;

// Strings that need no JSON escaping (printable ASCII without quote or backslash) skip JSON.stringify.
const plainJson = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
function jsonString(value: string): string {
  return plainJson.test(value) ? `"${value}"` : JSON.stringify(value);
}

interface PinoInternals {
  [key: symbol]: unknown;
}

/**
 * Whether the logger can take a pre-serialised line on its stream and produce what pino itself would:
 * no mixin, log formatter or write hook, and a stream that does not need per-line metadata (multistream).
 * Otherwise every line goes through logger.info.
 */
function acceptsRawLines(logger: Logger): boolean {
  const internals = logger as unknown as PinoInternals;
  const formatters = internals[formattersSym] as { log?: unknown } | undefined;
  const hooks = internals[hooksSym] as { streamWrite?: unknown } | undefined;
  const stream = internals[streamSym] as { write?: unknown; [needsMetadataGsym]?: boolean } | undefined;
  return internals[mixinSym] == null && formatters?.log == null && hooks?.streamWrite == null &&
    internals[messageKeySym] === 'msg' && typeof stream?.write === 'function' && stream[needsMetadataGsym] !== true &&
    typeof internals[timeSym] === 'function' && typeof internals[lsCacheSym] === 'object';
}

export interface LogAccess {
  (ctx: EdgeContext): void;
  /** Hands any lines still waiting for the end of the event-loop turn to the logger's stream. */
  flush(): void;
}

export function createLogAccess(logger: Logger, metrics: EdgeMetrics, allowedMethods: readonly string[]): LogAccess {
  const known = new Set(allowedMethods);
  const internals = logger as unknown as PinoInternals;
  const raw = acceptsRawLines(logger);
  const stream = internals[streamSym] as { write(chunk: string): unknown };
  const infoLevel = logger.levels.values.info!;
  let pending = '';
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    stream.write(lines);
  }

  function logAccess(ctx: EdgeContext): void {
    const res = ctx.res;
    const durationMs = performance.now() - ctx.startedAt;
    // 499 (client closed request, as NGINX logs it) when the client left before the answer was complete.
    const status = res === null ? 101 : res.writableFinished ? res.statusCode : 499;
    const route = ctx.route;
    const method = ctx.req.method ?? '';
    metrics.request(route === null ? 'none' : route.name, known.has(method) ? method : 'OTHER', status, durationMs / 1000);
    if (!logger.isLevelEnabled('info')) return;
    const path = ctx.path === '' ? ctx.req.url ?? '' : ctx.path;
    const upstream = route !== null && route.kind === 'upstream' ? route.name : null;
    const bytes = ctx.socket.bytesWritten - ctx.bytesAtStart;
    const duration = Math.round(durationMs * 1000) / 1000;
    if (!raw) {
      logger.info({ method, path, status, durationMs: duration, bytes, upstream, clientIp: ctx.clientIp, requestId: ctx.requestId,
        rateLimit: ctx.rateLimit }, 'request');
      return;
    }
    // Same keys, order and framing as pino's own line: level, time, the logger's bindings, fields, msg.
    pending += `${(internals[lsCacheSym] as Record<number, string>)[infoLevel]}${(internals[timeSym] as () => string)()}` +
      `${internals[chindingsSym] as string},"method":${jsonString(method)},"path":${jsonString(path)},"status":${status}` +
      `,"durationMs":${duration},"bytes":${bytes},"upstream":${upstream === null ? 'null' : jsonString(upstream)}` +
      `,"clientIp":${jsonString(ctx.clientIp)},"requestId":${jsonString(ctx.requestId)},"rateLimit":${jsonString(ctx.rateLimit)}` +
      `,"msg":"request"${internals[endSym] as string}`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }
  logAccess.flush = flush;
  return logAccess;
}
