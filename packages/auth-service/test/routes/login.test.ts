import { expect } from 'chai';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client, waitFor } from '@core-pod/service-test-harness';
import bcrypt from 'bcryptjs';
import { costOf, createHashPool } from '../../src/passwords/hash-pool';

const PASSWORD = 'correct horse battery';

describe('login', () => {
  let server: AuthServer;
  let http: ReturnType<typeof client>;
  before(async () => {
    server = await startAuthServer({ env: { AUTH_THROTTLE_ACCOUNT_MAX_FAILURES: '3', AUTH_THROTTLE_IP_MAX_FAILURES: '8', AUTH_THROTTLE_LOCKOUT_SECONDS: '60' } });
    http = client(server.url);
    await http.post('/api/v1/auth/register', { body: { email: 'known@example.com', password: PASSWORD } });
  });
  after(() => server.close());

  it('answers an unknown email and a wrong password with the same status and body', async () => {
    const unknown = await http.post('/api/v1/auth/login', { body: { email: 'nobody@example.com', password: PASSWORD }, headers: { 'x-request-id': 'same-id' } });
    const wrong = await http.post('/api/v1/auth/login', { body: { email: 'known@example.com', password: 'wrong password!' }, headers: { 'x-request-id': 'same-id' } });
    expect(unknown.status).to.equal(401);
    expect(wrong.status).to.equal(401);
    expect(unknown.text).to.equal(wrong.text);
    expect(unknown.body.code).to.equal('invalid_credentials');
    expect(unknown.headers.get('content-type')).to.equal(wrong.headers.get('content-type'));
  });

  it('compares an unknown email against a dummy bcrypt hash so it costs a bcrypt comparison', async () => {
    // Counts pool comparisons instead of timing them: an unknown email must run exactly one.
    const pool = createHashPool(1);
    let compares = 0;
    const counting = { ...pool, compare: (p: string, h: string) => ((compares += 1), pool.compare(p, h)) };
    const counted = await startAuthServer({ hasher: counting });
    try {
      const res = await client(counted.url).post('/api/v1/auth/login', { body: { email: 'ghost@example.com', password: PASSWORD } });
      expect(res.status).to.equal(401);
      expect(compares).to.equal(1);
    } finally {
      await counted.close();
    }
  });

  it('never lets a password longer than 72 bytes match by truncation', async () => {
    const res = await http.post('/api/v1/auth/login', { body: { email: 'known@example.com', password: PASSWORD + 'x'.repeat(60) } });
    expect(res.status).to.equal(401);
    const long = 'a'.repeat(64);
    const reg = await http.post('/api/v1/auth/register', { body: { email: 'long@example.com', password: 'ü'.repeat(36) } });
    expect(reg.status).to.equal(201);
    const truncatedTwin = await http.post('/api/v1/auth/login', { body: { email: 'long@example.com', password: 'ü'.repeat(36) + long } });
    expect(truncatedTwin.status).to.equal(401);
  });

  it('locks an account with 429 and Retry-After after repeated failures, even for the right password', async () => {
    await http.post('/api/v1/auth/register', { body: { email: 'target@example.com', password: PASSWORD } });
    for (let i = 0; i < 3; i++) {
      const res = await http.post('/api/v1/auth/login', { body: { email: 'target@example.com', password: `wrong guess ${i}` }, headers: { 'x-forwarded-for': `10.1.0.${i}` } });
      expect(res.status).to.equal(401);
    }
    const locked = await http.post('/api/v1/auth/login', { body: { email: 'target@example.com', password: PASSWORD } });
    expect(locked.status).to.equal(429);
    expect(locked.body.code).to.equal('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).to.be.within(1, 60);
    const lockouts = await server.db.auditEvent.findMany({ where: { type: 'login_locked_out', email: 'target@example.com' } });
    expect(lockouts).to.have.length(1);
  });

  it('lets the account in again after the lockout expires', async () => {
    server.clock.offsetMs = 61_000;
    try {
      const res = await http.post('/api/v1/auth/login', { body: { email: 'target@example.com', password: PASSWORD } });
      expect(res.status).to.equal(200);
    } finally {
      server.clock.offsetMs = 0;
    }
  });

  it('throttles a client IP that fails across many accounts, using X-Forwarded-For from our own proxy', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 8; i++) {
      await http.post('/api/v1/auth/login', { body: { email: `spray${i}@example.com`, password: PASSWORD }, headers: from });
    }
    const blocked = await http.post('/api/v1/auth/login', { body: { email: 'known@example.com', password: PASSWORD }, headers: from });
    expect(blocked.status).to.equal(429);
    const otherClient = await http.post('/api/v1/auth/login', { body: { email: 'known@example.com', password: PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.8' } });
    expect(otherClient.status).to.equal(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const untrusted = await startAuthServer({ env: { AUTH_TRUSTED_PROXIES: '192.0.2.1', AUTH_THROTTLE_IP_MAX_FAILURES: '2' } });
    const h = client(untrusted.url);
    try {
      await h.post('/api/v1/auth/login', { body: { email: 'a@example.com', password: PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.1' } });
      await h.post('/api/v1/auth/login', { body: { email: 'b@example.com', password: PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.2' } });
      // Both failures counted against the real peer (127.0.0.1), whatever the header claimed.
      const res = await h.post('/api/v1/auth/login', { body: { email: 'c@example.com', password: PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.3' } });
      expect(res.status).to.equal(429);
      const events = await untrusted.db.auditEvent.findMany({ where: { type: 'login_failed' } });
      expect(events.map((e) => e.ip)).to.deep.equal(['127.0.0.1', '127.0.0.1']);
    } finally {
      await untrusted.close();
    }
  });

  it('records logins and failures in the audit table without secrets', async () => {
    const events = await server.db.auditEvent.findMany();
    const types = new Set(events.map((e) => e.type));
    expect([...types]).to.include.members(['user_registered', 'login_succeeded', 'login_failed', 'login_locked_out']);
    const dump = JSON.stringify(events);
    expect(dump).to.not.include(PASSWORD);
    expect(dump).to.not.include('$2');
  });

  it('rehashes the password on login when the configured cost changed', async () => {
    const upgraded = await startAuthServer({ env: { AUTH_BCRYPT_COST: '11' } });
    try {
      // A user whose hash was made at cost 10, before the operator raised AUTH_BCRYPT_COST to 11.
      await upgraded.db.user.create({ data: { id: 'u-old', email: 'old@example.com', passwordHash: bcrypt.hashSync(PASSWORD, 10) } });
      const h = client(upgraded.url);
      expect((await h.post('/api/v1/auth/login', { body: { email: 'old@example.com', password: PASSWORD } })).status).to.equal(200);
      await waitFor(async () => costOf((await upgraded.db.user.findUniqueOrThrow({ where: { id: 'u-old' } })).passwordHash) === 11);
      expect((await h.post('/api/v1/auth/login', { body: { email: 'old@example.com', password: PASSWORD } })).status).to.equal(200);
      expect(await upgraded.db.auditEvent.count({ where: { type: 'password_rehashed', userId: 'u-old' } })).to.equal(1);
    } finally {
      await upgraded.close();
    }
  });
});
