import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, startServer } from '@core-pod/http-service';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createMainThreadHasher } from '../../src/passwords/hash-pool';
import { openDatabase } from '../../src/store/open-database';
import { generateSigningKeyPem, parseKeyRing } from '../../src/tokens/signing-keys';
import { INTERNAL_TOKEN, startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every METHOD path the express app really answers, from its router stack. */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const { path: routePath, methods } = layer.route;
      return Object.keys(methods).map((m) => `${m.toUpperCase()} ${routePath.replace(/:(\w+)/g, '{$1}')}`);
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

describe('discovery routes', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  before(async () => {
    server = await startAuthServer();
    http = client(server.url);
  });
  after(() => server.close());

  it('publishes the signing key in the JWKS, and it verifies an issued token', async () => {
    const jwks = await http.get('/api/v1/auth/.well-known/jwks.json');
    expect(jwks.status).to.equal(200);
    expect(jwks.body.keys).to.have.length(1);
    const [jwk] = jwks.body.keys;
    expect(jwk).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk).to.not.have.property('d');
    const reg = await http.post('/api/v1/auth/register', { body: { email: 'jwks@example.com', password: 'correct horse battery' } });
    const header = jwt.decode(reg.body.accessToken, { complete: true })?.header;
    expect(header?.kid).to.equal(jwk.kid);
    const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    const claims = jwt.verify(reg.body.accessToken, key, { algorithms: ['ES256'], audience: 'core-pod', issuer: 'core-pod-auth' }) as jwt.JwtPayload;
    expect(claims).to.include({ sub: reg.body.user.id, sid: reg.body.sessionId, role: 'user', email: 'jwks@example.com' });
    expect(claims.exp! - claims.iat!).to.be.at.most(900);
  });

  it('rejects forged tokens on a protected route: alg none, HS256 with the public key, unknown kid, expired, wrong aud', async () => {
    const reg = await http.post('/api/v1/auth/register', { body: { email: 'forger@example.com', password: 'correct horse battery' } });
    const payload = JSON.parse(Buffer.from(reg.body.accessToken.split('.')[1], 'base64url').toString());
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const kid = server.keys.current.kid;
    const pem = server.keys.current.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(payload)}`;
    const other = parseKeyRing(generateSigningKeyPem(), 'TEST').current;
    const now = Math.floor(Date.now() / 1000);
    const forgeries = {
      none: `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(payload)}.`,
      hs256: `${hsInput}.${crypto.createHmac('sha256', pem).update(hsInput).digest('base64url')}`,
      unknownKid: jwt.sign(payload, other.privateKey, { algorithm: 'ES256', keyid: other.kid }),
      expired: jwt.sign({ ...payload, iat: now - 1000, nbf: now - 1000, exp: now - 60 }, server.keys.current.privateKey, { algorithm: 'ES256', keyid: kid }),
      wrongAud: jwt.sign({ ...payload, aud: 'elsewhere' }, server.keys.current.privateKey, { algorithm: 'ES256', keyid: kid }),
      wrongIss: jwt.sign({ ...payload, iss: 'elsewhere' }, server.keys.current.privateKey, { algorithm: 'ES256', keyid: kid }),
    };
    for (const [name, token] of Object.entries(forgeries)) {
      const res = await http.get('/api/v1/auth/me', { token });
      expect(res.status, name).to.equal(401);
      expect(res.body.code, name).to.equal('invalid_token');
    }
    expect((await http.get('/api/v1/auth/me', { token: reg.body.accessToken })).status).to.equal(200);
  });

  it('serves an OpenAPI 3.1 document that lists exactly the routes the app answers', async () => {
    const res = await http.get('/api/v1/auth/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.match(/^3\.1\./);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const real = routesOf((server.app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
    expect(documented).to.deep.equal(real);
    expect(real).to.include.members(['POST /api/v1/auth/logout-all', 'DELETE /api/v1/auth/sessions/{id}', 'GET /api/v1/auth/.well-known/jwks.json']);
  });

  it('documents every problem code and resolves every schema reference', async () => {
    const doc = (await http.get('/api/v1/auth/openapi.json')).body;
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).to.have.property(ref.split('/').pop()!);
  });

  it('reports health as application/health+json with a database check', async () => {
    const res = await http.get('/api/v1/auth/health');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/health\+json/);
    expect(res.body.status).to.equal('pass');
    expect(res.body.checks['database:responseTime'][0]).to.include({ status: 'pass', observedUnit: 'ms' });
  });

  it('reports fail with 503 when the database is unreachable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-broken-'));
    // A directory is not a SQLite file: every query fails.
    const db = openDatabase(`file:${dir}`);
    const { app } = createApp({ config: loadConfig({ POD_DATA_DIR: dir }), db, keys: server.keys, hasher: createMainThreadHasher(), logger: createLogger('auth', { level: 'silent' }), internalToken: INTERNAL_TOKEN });
    const running = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const res = await client(running.url).get('/api/v1/auth/health');
      expect(res.status).to.equal(503);
      expect(res.body.status).to.equal('fail');
      expect(res.body.checks['database:responseTime'][0].output).to.equal('database query failed');
    } finally {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exposes process default metrics and its own counters at /metrics', async () => {
    await http.post('/api/v1/auth/login', { body: { email: 'jwks@example.com', password: 'correct horse battery' } });
    const res = await http.get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('nodejs_eventloop_lag_seconds');
    expect(res.text).to.match(/auth_logins_total\{result="success"\} [1-9]/);
    expect(res.text).to.include('auth_registrations_total');
  });
});
