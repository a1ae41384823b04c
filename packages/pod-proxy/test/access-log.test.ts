// The access log writes its pre-serialised lines exactly as pino itself would, and falls back to
// logger.info when the logger transforms lines (mixin), so the shortcut never changes what is logged.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { request, startProxy, type Harness } from './support/harness';

function collectingLogger(options: LoggerOptions) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(line);
      done();
    },
  });
  return { logger: pino(options, sink), lines };
}

async function waitForLine(lines: string[], requestId: string): Promise<string> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const line = lines.find((entry) => entry.includes(`"requestId":"${requestId}"`));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no access line for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('access log lines', () => {
  let users: EchoUpstream;
  let edge: Harness | null = null;

  before(async () => {
    users = await startEchoUpstream();
  });
  afterEach(async () => {
    await edge?.close();
    edge = null;
  });
  after(async () => {
    await users.close();
  });

  it('are byte for byte what pino would write for the same fields, apart from the time', async () => {
    const { logger, lines } = collectingLogger({ level: 'info', base: { service: 'proxy' } });
    edge = await startProxy({ PROXY_USERS_URL: users.url }, { logger });
    // A refused path is logged as the client sent it, so it may hold what JSON must escape (a backslash).
    await request(edge.port, { path: '/api/v1/users/a%7Eb\\c?q=1', headers: { 'x-request-id': 'same-as-pino' } });
    const line = await waitForLine(lines, 'same-as-pino');
    const fields = JSON.parse(line) as Record<string, unknown>;
    expect(fields).to.include({ path: '/api/v1/users/a%7Eb\\c?q=1', status: 400, upstream: null, rateLimit: 'none' });

    const { level: _level, time: _time, service: _service, msg: _msg, ...own } = fields;
    logger.info(own, 'request');
    const pinoLine = lines.at(-1)!;
    const withoutTime = (text: string) => text.replace(/"time":\d+,/, '');
    expect(withoutTime(line)).to.equal(withoutTime(pinoLine));
  });

  it('go through logger.info when the logger adds fields of its own (mixin)', async () => {
    const { logger, lines } = collectingLogger({ level: 'info', mixin: () => ({ zone: 'edge-a' }) });
    edge = await startProxy({ PROXY_USERS_URL: users.url }, { logger });
    await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-request-id': 'with-mixin' } });
    expect(JSON.parse(await waitForLine(lines, 'with-mixin'))).to.include({ zone: 'edge-a', msg: 'request', status: 200 });
  });

  it('are not written when the level is above info, while metrics still count the request', async () => {
    const { logger, lines } = collectingLogger({ level: 'warn' });
    edge = await startProxy({ PROXY_USERS_URL: users.url }, { logger });
    await request(edge.port, { path: '/api/v1/users/me', headers: { 'x-request-id': 'quiet' } });
    const metrics = await edge.proxy.metrics.registry.getSingleMetricAsString('http_requests_total');
    expect(metrics).to.match(/route="users",method="GET",status_code="200"} 1/);
    expect(lines.join('\n')).to.not.include('quiet');
  });
});
