import { expect } from 'chai';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

const PASSWORD = 'correct horse battery';

describe('session routes', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  let n = 0;
  before(async () => {
    server = await startAuthServer();
    http = client(server.url);
  });
  after(() => server.close());

  async function newUser() {
    n += 1;
    const email = `session${n}@example.com`;
    const res = await http.post('/api/v1/auth/register', { body: { email, password: PASSWORD }, headers: { 'user-agent': 'first-device' } });
    return { email, ...res.body };
  }
  const login = async (email: string) => (await http.post('/api/v1/auth/login', { body: { email, password: PASSWORD }, headers: { 'user-agent': 'second-device' } })).body;
  const refresh = (refreshToken: string) => http.post('/api/v1/auth/refresh', { body: { refreshToken } });

  it('rotates the refresh token on every refresh and keeps the session', async () => {
    const user = await newUser();
    const first = await refresh(user.refreshToken);
    expect(first.status).to.equal(200);
    expect(first.body.refreshToken).to.not.equal(user.refreshToken);
    expect(first.body.sessionId).to.equal(user.sessionId);
    expect((await http.get('/api/v1/auth/me', { token: first.body.accessToken })).status).to.equal(200);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).to.equal(200);
  });

  it('rejects a reused refresh token and revokes the whole session family', async () => {
    const user = await newUser();
    const rotated = await refresh(user.refreshToken);
    server.clock.offsetMs = 3000; // past the 2 s grace period for concurrent requests
    const reuse = await refresh(user.refreshToken).finally(() => (server.clock.offsetMs = 0));
    expect(reuse.status).to.equal(401);
    expect(reuse.body.code).to.equal('refresh_token_reused');
    // The thief's reuse also kills the legitimate holder's newer tokens.
    expect((await refresh(rotated.body.refreshToken)).status).to.equal(401);
    expect((await http.get('/api/v1/auth/me', { token: rotated.body.accessToken })).body.code).to.equal('session_revoked');
    expect(await server.db.auditEvent.count({ where: { type: 'refresh_token_reused', userId: user.user.id } })).to.equal(1);
    const feed = await server.db.revocation.findMany({ where: { sessionId: user.sessionId } });
    expect(feed.map((r) => r.reason)).to.deep.equal(['refresh_token_reuse']);
  });

  it('lets exactly one of two concurrent refreshes of the same token succeed, and the winner keeps the session', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await newUser();
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(results.map((r) => r.status).sort(), `round ${round}`).to.deep.equal([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.code).to.equal('refresh_conflict');
      const winner = results.find((r) => r.status === 200)!;
      expect((await refresh(winner.body.refreshToken)).status).to.equal(200);
    }
  });

  it('refuses a spent token within the grace period without revoking the session', async () => {
    const user = await newUser();
    const rotated = await refresh(user.refreshToken);
    const again = await refresh(user.refreshToken);
    expect(again.status).to.equal(409);
    expect((await http.get('/api/v1/auth/me', { token: rotated.body.accessToken })).status).to.equal(200);
    expect(await server.db.revocation.count({ where: { sessionId: user.sessionId } })).to.equal(0);
  });

  it('with the grace period off, treats even a concurrent second refresh as reuse and revokes the session', async () => {
    const strict = await startAuthServer({ env: { AUTH_REFRESH_REUSE_GRACE_SECONDS: '0' } });
    try {
      const h = client(strict.url);
      const reg = (await h.post('/api/v1/auth/register', { body: { email: 'strict@example.com', password: PASSWORD } })).body;
      const results = await Promise.all([0, 1].map(() => h.post('/api/v1/auth/refresh', { body: { refreshToken: reg.refreshToken } })));
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      expect((await h.post('/api/v1/auth/refresh', { body: { refreshToken: winner.body.refreshToken } })).status).to.equal(401);
    } finally {
      await strict.close();
    }
  });

  it('rejects an unknown refresh token and an expired one', async () => {
    expect((await refresh('x'.repeat(43))).body.code).to.equal('invalid_refresh_token');
    const user = await newUser();
    server.clock.offsetMs = (server.config.refreshTokenTtlSeconds + 1) * 1000;
    try {
      expect((await refresh(user.refreshToken)).body.code).to.equal('invalid_refresh_token');
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('logs out the current session only', async () => {
    const user = await newUser();
    const other = await login(user.email);
    expect((await http.post('/api/v1/auth/logout', { token: user.accessToken })).status).to.equal(204);
    expect((await http.get('/api/v1/auth/me', { token: user.accessToken })).body.code).to.equal('session_revoked');
    expect((await refresh(user.refreshToken)).status).to.equal(401);
    expect((await http.get('/api/v1/auth/me', { token: other.accessToken })).status).to.equal(200);
  });

  it('logs out every session with logout-all', async () => {
    const user = await newUser();
    const other = await login(user.email);
    expect((await http.post('/api/v1/auth/logout-all', { token: user.accessToken })).status).to.equal(204);
    for (const s of [user, other]) {
      expect((await http.get('/api/v1/auth/me', { token: s.accessToken })).status).to.equal(401);
      expect((await refresh(s.refreshToken)).status).to.equal(401);
    }
  });

  it("lists the user's active sessions, marking the current one", async () => {
    const user = await newUser();
    const other = await login(user.email);
    const list = await http.get('/api/v1/auth/sessions', { token: other.accessToken });
    expect(list.status).to.equal(200);
    expect(list.body.sessions).to.have.length(2);
    const current = list.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).to.include({ id: other.sessionId, userAgent: 'second-device', ip: '127.0.0.1' });
  });

  it('revokes one of its own sessions by id', async () => {
    const user = await newUser();
    const other = await login(user.email);
    const res = await http.delete(`/api/v1/auth/sessions/${user.sessionId}`, { token: other.accessToken });
    expect(res.status).to.equal(204);
    expect((await http.get('/api/v1/auth/me', { token: user.accessToken })).status).to.equal(401);
    const list = await http.get('/api/v1/auth/sessions', { token: other.accessToken });
    expect(list.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([other.sessionId]);
  });

  it("cannot revoke another user's session: it answers 404 like an unknown id", async () => {
    const victim = await newUser();
    const attacker = await newUser();
    const res = await http.delete(`/api/v1/auth/sessions/${victim.sessionId}`, { token: attacker.accessToken });
    expect(res.status).to.equal(404);
    expect(res.body.code).to.equal('session_not_found');
    expect((await http.get('/api/v1/auth/me', { token: victim.accessToken })).status).to.equal(200);
    expect((await http.delete('/api/v1/auth/sessions/no-such-session', { token: attacker.accessToken })).status).to.equal(404);
  });
});
