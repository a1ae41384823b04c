import { expect } from 'chai';
import { INTERNAL_TOKEN, startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

const PASSWORD = 'correct horse battery';

describe('internal routes', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  let n = 0;
  const token = INTERNAL_TOKEN;
  before(async () => {
    server = await startAuthServer({ env: { AUTH_BOOTSTRAP_ADMIN_EMAIL: 'root@example.com' } });
    http = client(server.url);
  });
  after(() => server.close());

  async function newUser(email = `internal${++n}@example.com`) {
    return (await http.post('/api/v1/auth/register', { body: { email, password: PASSWORD } })).body;
  }

  it('requires the internal bearer token', async () => {
    const user = await newUser();
    for (const t of [undefined, 'wrong-token', user.accessToken]) {
      const res = await http.get('/internal/v1/revocations', { token: t });
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('internal_auth_required');
    }
  });

  it('feeds revoked sessions after a cursor, in order, and only new ones on the next poll', async () => {
    const start = await http.get('/internal/v1/revocations', { token });
    expect(start.status).to.equal(200);
    const cursor = start.body.cursor;
    expect(cursor).to.be.a('number');
    const user = await newUser();
    await http.post('/api/v1/auth/logout', { token: user.accessToken });
    const page = await http.get(`/internal/v1/revocations?since=${cursor}`, { token });
    expect(page.body.revoked).to.have.length(1);
    expect(page.body.revoked[0]).to.include({ sessionId: user.sessionId, userId: user.user.id, reason: 'logout' });
    expect(page.body.cursor).to.be.above(cursor);
    const again = await http.get(`/internal/v1/revocations?since=${page.body.cursor}`, { token });
    expect(again.body).to.deep.equal({ cursor: page.body.cursor, revoked: [] });
  });

  it('without a cursor returns a settled cursor and the revocations of the last token lifetime', async () => {
    const user = await newUser();
    await http.post('/api/v1/auth/logout', { token: user.accessToken });
    const res = await http.get('/internal/v1/revocations', { token });
    expect(res.body.revoked.map((r: { sessionId: string }) => r.sessionId)).to.include(user.sessionId);
    server.clock.offsetMs = (server.config.jwt.accessTokenTtlSeconds + 5) * 1000;
    try {
      const later = await http.get('/internal/v1/revocations', { token });
      expect(later.body.revoked).to.deep.equal([]);
      // Nothing can still be in flight behind revocations older than the gap patience.
      expect(later.body.cursor).to.be.at.least(res.body.cursor);
      const rest = await http.get(`/internal/v1/revocations?since=${later.body.cursor}`, { token });
      expect(rest.body.revoked).to.deep.equal([]);
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('rejects a malformed cursor with 400', async () => {
    const res = await http.get('/internal/v1/revocations?since=abc', { token });
    expect(res.status).to.equal(400);
    expect(res.body.code).to.equal('validation_failed');
  });

  it('returns a user, and 404 for an unknown one', async () => {
    const user = await newUser();
    const res = await http.get(`/internal/v1/users/${user.user.id}`, { token });
    expect(res.body).to.deep.equal({ id: user.user.id, email: user.user.email, role: 'user', disabled: false, createdAt: user.user.createdAt });
    const missing = await http.get('/internal/v1/users/nope', { token });
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('user_not_found');
  });

  it('changes a role, which the next token carries', async () => {
    const user = await newUser();
    const res = await http.put(`/internal/v1/users/${user.user.id}/role`, { token, body: { role: 'admin' } });
    expect(res.status).to.equal(200);
    expect(res.body.role).to.equal('admin');
    const refreshed = await http.post('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(JSON.parse(Buffer.from(refreshed.body.accessToken.split('.')[1], 'base64url').toString()).role).to.equal('admin');
    const bad = await http.put(`/internal/v1/users/${user.user.id}/role`, { token, body: { role: 'root' } });
    expect(bad.status).to.equal(400);
  });

  it('disables a user: every session is revoked and announced, login and refresh refused; enable restores login', async () => {
    const user = await newUser();
    const { cursor } = (await http.get('/internal/v1/revocations', { token })).body;
    expect((await http.post(`/internal/v1/users/${user.user.id}/disable`, { token })).body.disabled).to.equal(true);
    expect((await http.get('/api/v1/auth/me', { token: user.accessToken })).status).to.equal(401);
    expect((await http.post('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).to.equal(401);
    const login = await http.post('/api/v1/auth/login', { body: { email: user.user.email, password: PASSWORD } });
    expect(login.status).to.equal(403);
    expect(login.body.code).to.equal('account_disabled');
    const feed = await http.get(`/internal/v1/revocations?since=${cursor}`, { token });
    const own = feed.body.revoked.filter((r: { userId: string }) => r.userId === user.user.id);
    expect(own).to.deep.equal([{ sessionId: user.sessionId, userId: user.user.id, reason: 'user_disabled', revokedAt: own[0]?.revokedAt }]);
    expect((await http.post(`/internal/v1/users/${user.user.id}/enable`, { token })).body.disabled).to.equal(false);
    expect((await http.post('/api/v1/auth/login', { body: { email: user.user.email, password: PASSWORD } })).status).to.equal(200);
  });

  it('refuses to demote, disable or delete the last enabled admin with 409 last_admin', async () => {
    const root = await newUser('root@example.com');
    expect(root.user.role).to.equal('admin');
    // Earlier tests may have promoted others: demote every other admin first.
    for (const admin of await server.db.user.findMany({ where: { role: 'admin', NOT: { id: root.user.id } } })) {
      await http.put(`/internal/v1/users/${admin.id}/role`, { token, body: { role: 'user' } });
    }
    for (const res of [
      await http.put(`/internal/v1/users/${root.user.id}/role`, { token, body: { role: 'user' } }),
      await http.post(`/internal/v1/users/${root.user.id}/disable`, { token }),
      await http.delete(`/internal/v1/users/${root.user.id}`, { token }),
    ]) {
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('last_admin');
    }
    const second = await newUser();
    await http.put(`/internal/v1/users/${second.user.id}/role`, { token, body: { role: 'admin' } });
    expect((await http.put(`/internal/v1/users/${root.user.id}/role`, { token, body: { role: 'user' } })).status).to.equal(200);
  });

  it('deletes a user idempotently, revoking and announcing its sessions', async () => {
    const user = await newUser();
    const { cursor } = (await http.get('/internal/v1/revocations', { token })).body;
    expect((await http.delete(`/internal/v1/users/${user.user.id}`, { token })).status).to.equal(204);
    expect((await http.delete(`/internal/v1/users/${user.user.id}`, { token })).status).to.equal(204);
    expect((await http.get(`/internal/v1/users/${user.user.id}`, { token })).status).to.equal(404);
    expect((await http.get('/api/v1/auth/me', { token: user.accessToken })).status).to.equal(401);
    expect(await server.db.session.count({ where: { userId: user.user.id } })).to.equal(0);
    const feed = await http.get(`/internal/v1/revocations?since=${cursor}`, { token });
    const own = feed.body.revoked.filter((r: { userId: string }) => r.userId === user.user.id);
    expect(own.map((r: { reason: string }) => r.reason)).to.deep.equal(['user_deleted']);
    expect((await http.post('/api/v1/auth/login', { body: { email: user.user.email, password: PASSWORD } })).status).to.equal(401);
  });
});
