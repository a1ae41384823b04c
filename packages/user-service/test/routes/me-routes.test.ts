// The caller's own profile over real HTTP, with tokens issued by the real auth service.
import { expect } from 'chai';
import { ADMIN_EMAIL, claimsFor, startPod, type Pod } from '../support/pod';

describe('GET/PATCH /api/v1/users/me', () => {
  let pod: Pod;
  before(async () => {
    pod = await startPod();
    await pod.register(ADMIN_EMAIL);
  });
  after(() => pod.close());

  it('returns the caller’s profile, with the display name defaulting to the email’s local part', async () => {
    const alice = await pod.register('alice@example.com');
    const me = await pod.api.get('/api/v1/users/me', { token: alice.token });
    expect(me.status).to.equal(200);
    expect(me.headers.get('cache-control')).to.equal('private, no-store');
    expect(me.body).to.include({ id: alice.id, email: 'alice@example.com', displayName: 'alice', role: 'user', bio: null });
  });

  it('gives the bootstrap admin the admin role in its profile', async () => {
    const admin = await pod.login(ADMIN_EMAIL);
    const me = await pod.api.get('/api/v1/users/me', { token: admin.token });
    expect(me.body.role).to.equal('admin');
  });

  it('updates the fields a user may edit and returns the new profile', async () => {
    const bob = await pod.register('bob@example.com');
    const res = await pod.api.patch('/api/v1/users/me', {
      token: bob.token,
      body: { displayName: '  Bob B.  ', bio: 'Hello\nworld', avatarUrl: 'https://cdn.example.com/b.png', locale: 'en-gb', timezone: 'europe/paris' },
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ displayName: 'Bob B.', bio: 'Hello\nworld', avatarUrl: 'https://cdn.example.com/b.png', locale: 'en-GB', timezone: 'Europe/Paris' });
    const cleared = await pod.api.patch('/api/v1/users/me', { token: bob.token, body: { bio: null, avatarUrl: null } });
    expect(cleared.body).to.include({ bio: null, avatarUrl: null, displayName: 'Bob B.' });
  });
});

describe('GET /metrics', () => {
  let pod: Pod;
  before(async () => {
    pod = await startPod();
  });
  after(() => pod.close());

  it('exposes the process defaults and the service’s own metrics in Prometheus text format', async () => {
    const alice = await pod.register('metrics@example.com');
    await pod.api.get('/api/v1/users/me', { token: alice.token });
    await pod.api.get('/api/v1/users/me', { token: 'not-a-token' });
    const res = await pod.api.get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(res.text).to.match(/^process_cpu_user_seconds_total /m);
    expect(res.text).to.match(/^users_authentications_total\{result="ok"\} [1-9]/m);
    expect(res.text).to.match(/^users_authentications_total\{result="invalid_token"\} 1$/m);
    expect(res.text).to.match(/^users_auth_call_duration_seconds_count\{operation="revocations",outcome="200"\} [1-9]/m);
    expect(res.text).to.match(/^users_jwks_keys 1$/m);
  });
});

describe('profile creation on the first authenticated request', () => {
  let pod: Pod;
  before(async () => {
    pod = await startPod();
  });
  after(() => pod.close());

  it('creates exactly one profile when many first requests arrive at once', async () => {
    // A user auth knows but whose register hook never reached us (minted with auth's real key).
    const account = { id: 'c0ffee00-0000-4000-8000-000000000001', email: 'burst@example.com', sessionId: 'burst-session', token: '' };
    const token = pod.signWith(pod.signingKeyPem, claimsFor(account));
    const replies = await Promise.all(Array.from({ length: 20 }, () => pod.api.get('/api/v1/users/me', { token })));
    expect(replies.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.body.createdAt)).size).to.equal(1);
    const admin = await pod.register(ADMIN_EMAIL);
    const list = await pod.api.get('/api/v1/users?q=burst', { token: admin.token });
    expect(list.body.items).to.have.length(1);
  });
});
