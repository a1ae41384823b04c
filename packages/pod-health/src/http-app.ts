// The HTTP surface on plain node:http: /metrics, /health, /readyz, /livez, /status. Handlers only
// read cached state; unknown paths and methods get application/problem+json with a stable code.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from 'pino';
import type { HealthReport } from './health-report';
import type { ServiceStatusRow } from './service-status';

export interface AppState {
  report(): HealthReport;
  /** Whether the first collection has completed (/readyz answers 503 before that). */
  ready(): boolean;
  status(): ServiceStatusRow[];
  metrics(): Promise<{ contentType: string; body: string }>;
}

export type ProblemCode = 'not_found' | 'method_not_allowed' | 'internal_error';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function send(res: http.ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

function problem(res: http.ServerResponse, status: number, code: ProblemCode, detail: string, instance: string, requestId: string): void {
  const title = { not_found: 'Not Found', method_not_allowed: 'Method Not Allowed', internal_error: 'Internal Server Error' }[code];
  const body = JSON.stringify({ type: `about:blank#${code}`, title, status, detail, code, instance, requestId });
  send(res, status, 'application/problem+json', body, false);
}

function healthBody(report: HealthReport, requestId: string): string {
  return JSON.stringify({ ...report, notes: [`requestId ${requestId}`] });
}

export function createApp(state: AppState, logger: Logger): http.RequestListener {
  const routes: Record<string, (res: http.ServerResponse, head: boolean, requestId: string) => Promise<void> | void> = {
    '/livez': (res, head) => send(res, 200, 'application/health+json', JSON.stringify({ status: 'pass' }), head),
    '/health': (res, head, id) => {
      const report = state.report();
      send(res, report.status === 'fail' ? 503 : 200, 'application/health+json', healthBody(report, id), head);
    },
    '/readyz': (res, head, id) => {
      const report = state.report();
      const ok = state.ready() && report.status !== 'fail';
      send(res, ok ? 200 : 503, 'application/health+json', healthBody(report, id), head);
    },
    '/status': (res, head) => send(res, 200, 'application/json', JSON.stringify(state.status()), head),
    '/metrics': async (res, head) => {
      const { contentType, body } = await state.metrics();
      send(res, 200, contentType, body, head);
    },
  };

  return (req, res) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug({ requestId, method: req.method, path, status: res.statusCode, ms }, 'request');
    });
    const route = routes[path];
    if (!route) return problem(res, 404, 'not_found', `no route for ${path}`, path, requestId);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return problem(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}`, path, requestId);
    }
    Promise.resolve(route(res, req.method === 'HEAD', requestId)).catch((err: unknown) => {
      logger.error({ requestId, err }, 'request failed');
      if (!res.headersSent) problem(res, 500, 'internal_error', 'the health monitor failed to answer', path, requestId);
    });
  };
}
