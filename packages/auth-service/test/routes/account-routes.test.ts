import { expect } from 'chai';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

describe('account routes', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  before(async () => {
    server = await startAuthServer({ env: { AUTH_BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com' } });
    http = client(server.url);
  });
  after(() => server.close());

  it('registers an account and returns an access token and a refresh token', async () => {
    const res = await http.post('/api/v1/auth/register', { body: { email: 'Alice@Example.com', password: 'correct horse battery' } });
    expect(res.status).to.equal(201);
    expect(res.body.user).to.include({ email: 'alice@example.com', role: 'user' });
    expect(res.body).to.include({ tokenType: 'Bearer', expiresIn: 600 });
    expect(res.body.accessToken).to.be.a('string');
    expect(res.body.refreshToken).to.be.a('string').with.length.of.at.least(43);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(server.registered.map((u) => u.email)).to.include('alice@example.com');
  });

  it('stores only a bcrypt hash of the password and only a digest of the refresh token', async () => {
    const res = await http.post('/api/v1/auth/register', { body: { email: 'hash@example.com', password: 'correct horse battery' } });
    const user = await server.db.user.findUniqueOrThrow({ where: { email: 'hash@example.com' } });
    expect(user.passwordHash).to.match(/^\$2[aby]\$10\$/);
    const stored = await server.db.refreshToken.findMany({ where: { sessionId: res.body.sessionId } });
    expect(stored).to.have.length(1);
    expect(stored[0]?.tokenHash).to.not.equal(res.body.refreshToken);
    expect(JSON.stringify(stored)).to.not.include(res.body.refreshToken);
  });

  it('gives the bootstrap admin email the admin role at registration, carried in the token', async () => {
    const res = await http.post('/api/v1/auth/register', { body: { email: 'BOSS@example.com', password: 'correct horse battery' } });
    expect(res.body.user.role).to.equal('admin');
    const me = await http.get('/api/v1/auth/me', { token: res.body.accessToken });
    expect(me.body).to.include({ email: 'boss@example.com', role: 'admin', sessionId: res.body.sessionId });
    const payload = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
    expect(payload.role).to.equal('admin');
  });

  it('refuses a second account with the same email', async () => {
    const res = await http.post('/api/v1/auth/register', { body: { email: 'alice@example.com', password: 'another good one' } });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('email_taken');
  });

  it('refuses weak, over-long and over-72-byte passwords at registration with weak_password', async () => {
    for (const password of ['short', 'password123', 'x'.repeat(65), 'é'.repeat(40)]) {
      const res = await http.post('/api/v1/auth/register', { body: { email: `weak${password.length}@example.com`, password } });
      expect(res.status, password).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.code).to.equal('weak_password');
      expect(res.body.errors[0].field).to.equal('password');
    }
  });

  it('logs in with the right password and answers /me with the token owner', async () => {
    const login = await http.post('/api/v1/auth/login', { body: { email: 'alice@example.com', password: 'correct horse battery' } });
    expect(login.status).to.equal(200);
    const me = await http.get('/api/v1/auth/me', { token: login.body.accessToken });
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ email: 'alice@example.com', role: 'user', id: login.body.user.id, sessionId: login.body.sessionId });
  });

  it('rejects /me without a token or with garbage', async () => {
    const none = await http.get('/api/v1/auth/me');
    expect(none.status).to.equal(401);
    expect(none.body.code).to.equal('invalid_token');
    const garbage = await http.get('/api/v1/auth/me', { token: 'not.a.jwt' });
    expect(garbage.status).to.equal(401);
    expect(garbage.headers.get('www-authenticate')).to.match(/invalid_token/);
  });

  it('changes the password, revokes the other sessions and keeps the current one', async () => {
    const email = 'changer@example.com';
    const first = await http.post('/api/v1/auth/register', { body: { email, password: 'first password ok' } });
    const second = await http.post('/api/v1/auth/login', { body: { email, password: 'first password ok' } });
    const change = await http.post('/api/v1/auth/password', { token: second.body.accessToken, body: { currentPassword: 'first password ok', newPassword: 'second password ok' } });
    expect(change.status).to.equal(204);
    expect((await http.get('/api/v1/auth/me', { token: first.body.accessToken })).body.code).to.equal('session_revoked');
    expect((await http.get('/api/v1/auth/me', { token: second.body.accessToken })).status).to.equal(200);
    expect((await http.post('/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).to.equal(401);
    expect((await http.post('/api/v1/auth/login', { body: { email, password: 'first password ok' } })).status).to.equal(401);
    expect((await http.post('/api/v1/auth/login', { body: { email, password: 'second password ok' } })).status).to.equal(200);
    const audit = await server.db.auditEvent.findMany({ where: { type: 'password_changed' } });
    expect(audit).to.have.length(1);
  });

  it('refuses a password change with a wrong current password or a weak new one', async () => {
    const email = 'careful@example.com';
    const reg = await http.post('/api/v1/auth/register', { body: { email, password: 'first password ok' } });
    const wrong = await http.post('/api/v1/auth/password', { token: reg.body.accessToken, body: { currentPassword: 'not my password', newPassword: 'second password ok' } });
    expect(wrong.status).to.equal(403);
    expect(wrong.body.code).to.equal('current_password_incorrect');
    const weak = await http.post('/api/v1/auth/password', { token: reg.body.accessToken, body: { currentPassword: 'first password ok', newPassword: 'qwertyuiop' } });
    expect(weak.status).to.equal(400);
    expect(weak.body.code).to.equal('weak_password');
    expect(weak.body.errors[0].field).to.equal('newPassword');
  });
});
