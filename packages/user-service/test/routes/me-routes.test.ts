// The caller's own profile over real HTTP, with tokens issued by the real auth service.
import { expect } from 'chai';
import { ADMIN_EMAIL, startPod, type Pod } from '../support/pod';
import { waitFor } from '../support/wait-for';

describe('GET/PATCH /api/v1/users/me', () => {
  let pod: Pod;
  before(async () => {
    pod = await startPod();
    await pod.register(ADMIN_EMAIL);
  });
  after(() => pod.close());

  it('creates the profile when auth registers the user, from the register hook', async () => {
    const alice = await pod.register('alice@example.com');
    await waitFor(async () => (await pod.api.get(`/internal/v1/profiles/${alice.id}`, { headers: { authorization: `Bearer ${pod.internalToken}` } })).status !== 0, 2000);
    const me = await pod.api.get('/api/v1/users/me', { token: alice.token });
    expect(me.status).to.equal(200);
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
