import { expect } from 'chai';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

describe('bad input', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  before(async () => {
    server = await startAuthServer();
    http = client(server.url);
  });
  after(() => server.close());

  function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
    expect(res.status, code).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status, code });
    expect(res.body.title).to.be.a('string');
    expect(res.body.requestId).to.be.a('string');
  }

  it('answers malformed JSON with 400 malformed_json', async () => {
    for (const path of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh']) {
      expectProblem(await http.post(path, { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
    }
  });

  it('answers a non-JSON body with 415', async () => {
    expectProblem(await http.post('/api/v1/auth/login', { rawBody: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('answers an oversized body with 413', async () => {
    expectProblem(await http.post('/api/v1/auth/register', { body: { email: 'big@example.com', password: 'x'.repeat(20_000) } }), 413, 'payload_too_large');
  });

  it('answers missing fields, wrong types and unknown fields with 400 validation_failed naming the fields', async () => {
    const missing = await http.post('/api/v1/auth/register', { body: {} });
    expectProblem(missing, 400, 'validation_failed');
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['email', 'password']);
    const types = await http.post('/api/v1/auth/login', { body: { email: 42, password: ['a'] } });
    expectProblem(types, 400, 'validation_failed');
    expect(types.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['email', 'password']);
    expectProblem(await http.post('/api/v1/auth/login', { body: { email: 'a@example.com', password: 'correct horse', admin: true } }), 400, 'validation_failed');
    expectProblem(await http.post('/api/v1/auth/register', { body: { email: 'not-an-email', password: 'correct horse battery' } }), 400, 'validation_failed');
    expectProblem(await http.post('/api/v1/auth/refresh', { body: { refreshToken: 12 } }), 400, 'validation_failed');
  });

  it('answers a JSON array, a string or null body with 400', async () => {
    for (const rawBody of ['[]', '"hello"', 'null']) {
      const res = await http.post('/api/v1/auth/login', { rawBody, headers: { 'content-type': 'application/json' } });
      expect(res.status, rawBody).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
  });

  it('answers an unknown route or method with a 404 problem', async () => {
    expectProblem(await http.get('/api/v1/auth/nope'), 404, 'not_found');
    expectProblem(await http.get('/api/v1/auth/login'), 404, 'not_found');
  });

  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await http.get('/api/v1/auth/health', { headers: { 'x-request-id': 'trace-123.abc' } });
    expect(kept.headers.get('x-request-id')).to.equal('trace-123.abc');
    const replaced = await http.post('/api/v1/auth/login', { body: {}, headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    expect(replaced.body.requestId).to.equal(replaced.headers.get('x-request-id'));
  });

  it('never writes passwords, tokens or hashes to the log', async () => {
    const password = 'a very secret passphrase';
    const reg = await http.post('/api/v1/auth/register', { body: { email: 'logs@example.com', password } });
    await http.post('/api/v1/auth/login', { body: { email: 'logs@example.com', password: 'wrong secret value' } });
    await http.post('/api/v1/auth/refresh', { body: { refreshToken: reg.body.refreshToken } });
    await http.get('/api/v1/auth/me', { token: reg.body.accessToken });
    const hash = (await server.db.user.findUniqueOrThrow({ where: { email: 'logs@example.com' } })).passwordHash;
    const logs = server.logs.join('');
    expect(logs).to.include('"requestId"');
    for (const secret of [password, 'wrong secret value', reg.body.refreshToken, reg.body.accessToken, hash]) {
      expect(logs).to.not.include(secret);
    }
  });
});
