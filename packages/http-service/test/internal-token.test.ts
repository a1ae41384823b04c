import { expect } from 'chai';
import express from 'express';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInternalToken, problemHandler, requireInternalToken, startServer } from '../src';

describe('internal service token', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'internal-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates one token file in development that every service then reads', () => {
    const first = loadInternalToken({ dataDir: dir, production: false, env: {} });
    const second = loadInternalToken({ dataDir: dir, production: false, env: {} });
    expect(first).to.equal(second).and.to.have.length.greaterThan(32);
    expect(statSync(join(dir, 'internal-token')).mode & 0o777).to.equal(0o600);
  });

  it('refuses to start in production without a configured token, naming the variable', () => {
    expect(() => loadInternalToken({ dataDir: dir, production: true, env: {} })).to.throw(/POD_INTERNAL_TOKEN/);
    expect(() => loadInternalToken({ dataDir: dir, production: true, env: { POD_INTERNAL_TOKEN: 'short' } })).to.throw(/at least 32/);
  });

  it('rejects requests without the bearer token and admits those with it', async () => {
    const token = 'x'.repeat(40);
    const app = express();
    app.get('/internal/v1/ping', requireInternalToken(token), (_req, res) => res.json({ ok: true }));
    app.use(problemHandler());
    const running = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const none = await fetch(`${running.url}/internal/v1/ping`);
      expect(none.status).to.equal(401);
      expect(await none.json()).to.include({ code: 'internal_auth_required' });
      const wrong = await fetch(`${running.url}/internal/v1/ping`, { headers: { authorization: `Bearer ${'y'.repeat(40)}` } });
      expect(wrong.status).to.equal(401);
      const right = await fetch(`${running.url}/internal/v1/ping`, { headers: { authorization: `Bearer ${token}` } });
      expect(right.status).to.equal(200);
    } finally {
      await running.close();
    }
  });
});
