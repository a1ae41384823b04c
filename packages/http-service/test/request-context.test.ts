import { expect } from 'chai';
import { startFixtureApp } from './app-fixture';

describe('request ids and access logs', () => {
  let fixture: Awaited<ReturnType<typeof startFixtureApp>>;
  before(async () => (fixture = await startFixtureApp()));
  after(() => fixture.running.close());

  it('keeps a well-formed X-Request-Id and puts it in the problem body and the log line', async () => {
    const res = await fetch(`${fixture.running.url}/nope`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).to.equal('abc-123');
    expect(await res.json()).to.include({ requestId: 'abc-123' });
    const deadline = Date.now() + 2000;
    while (!fixture.lines.some((l) => l.requestId === 'abc-123') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fixture.lines.find((l) => l.requestId === 'abc-123')).to.include({ method: 'GET', path: '/nope', status: 404 });
  });

  it('logs successful health probes at debug and failing ones at info', async () => {
    await fetch(`${fixture.running.url}/svc/health`, { headers: { 'x-request-id': 'probe-1' } });
    await fetch(`${fixture.running.url}/nope`, { headers: { 'x-request-id': 'miss-1' } });
    const deadline = Date.now() + 2000;
    while (!fixture.lines.some((l) => l.requestId === 'miss-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fixture.lines.find((l) => l.requestId === 'probe-1')).to.include({ level: 20, path: '/svc/health' });
    expect(fixture.lines.find((l) => l.requestId === 'miss-1')).to.include({ level: 30, status: 404 });
  });

  it('replaces a malformed X-Request-Id with a generated one', async () => {
    const res = await fetch(`${fixture.running.url}/nope`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});
