import express from 'express';
import { Writable } from 'node:stream';
import pino from 'pino';
import { jsonBody, notFoundHandler, ProblemError, problemHandler, requestContext, startServer } from '../src';

/** A small real app wired the way the services wire theirs, logging into an array. */
export async function startFixtureApp() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const app = express();
  app.use(requestContext({ logger }));
  app.post('/echo', jsonBody({ limit: 64 }), (req, res) => res.json({ got: req.body }));
  app.get('/limited', () => {
    throw new ProblemError({ status: 429, code: 'too_many', detail: 'slow down', headers: { 'Retry-After': '7' } });
  });
  app.get('/boom', () => {
    throw new Error('secret internals');
  });
  app.get('/svc/health', (_req, res) => res.json({ status: 'pass' }));
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ done: true }), 300);
  });
  app.use(notFoundHandler());
  app.use(problemHandler());
  const running = await startServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 2000 });
  return { running, lines };
}
