// DELETE /me removes the account on both sides: the profile here, credentials and sessions in auth.
// When auth fails, the tombstone holds and the outbox retries until auth confirms — even across a
// user-service restart — so neither side keeps an orphan.
import { expect } from 'chai';
import { ADMIN_EMAIL, PASSWORD, startPod, type Account, type Pod } from '../support/pod';
import { waitFor } from '@core-pod/service-test-harness';

describe('DELETE /api/v1/users/me (account deletion across both services)', () => {
  let pod: Pod;
  let admin: Account;
  const internal = () => ({ headers: { authorization: `Bearer ${pod.internalToken}` } });
  const knownToAuth = async (id: string) => (await pod.authApi.get(`/internal/v1/users/${id}`, internal())).status === 200;
  const pendingDeletions = async () => Number(/^users_account_deletions_pending (\d+)/m.exec((await pod.api.get('/metrics')).text)?.[1]);

  before(async () => {
    pod = await startPod();
    admin = await pod.register(ADMIN_EMAIL);
  });
  after(() => pod.close());

  it('deletes the profile and the credentials at once when auth answers (204)', async () => {
    const carol = await pod.register('carol@example.com');
    const res = await pod.api.delete('/api/v1/users/me', { token: carol.token });
    expect(res.status, res.text).to.equal(204);
    expect((await pod.api.get(`/api/v1/users/${carol.id}`, { token: admin.token })).status).to.equal(404);
    expect(await knownToAuth(carol.id)).to.equal(false);
    const login = await pod.authApi.post('/api/v1/auth/login', { body: { email: 'carol@example.com', password: PASSWORD } });
    expect(login.status).to.equal(401);
    const again = await pod.api.get('/api/v1/users/me', { token: carol.token });
    expect(again.status).to.equal(401);
    expect(again.body.code).to.be.oneOf(['account_deleted', 'session_revoked']);
  });

  it('never re-creates a deleted profile, neither from a still-valid token nor from a late register hook', async () => {
    const erin = await pod.register('erin@example.com');
    expect((await pod.api.delete('/api/v1/users/me', { token: erin.token })).status).to.equal(204);
    const hook = await pod.api.put(`/internal/v1/profiles/${erin.id}`, { ...internal(), body: { email: 'erin@example.com', role: 'user' } });
    expect(hook.status).to.equal(409);
    expect(hook.body.code).to.equal('profile_deleted');
    expect((await pod.api.get(`/api/v1/users/${erin.id}`, { token: admin.token })).status).to.equal(404);
  });

  it('completes the deletion later when auth is down: 202, 404 at once, and auth’s side once it is back', async () => {
    const dan = await pod.register('dan@example.com');
    await pod.auth.stop();
    try {
      const res = await pod.api.delete('/api/v1/users/me', { token: dan.token });
      expect(res.status, res.text).to.equal(202);
      expect(res.body.status).to.equal('pending');
      expect((await pod.api.get(`/api/v1/users/${dan.id}`, { token: admin.token })).status).to.equal(404);
      const me = await pod.api.get('/api/v1/users/me', { token: dan.token });
      expect(me.status).to.equal(401);
      expect(me.body.code).to.equal('account_deleted');
      expect(await pendingDeletions()).to.equal(1);
    } finally {
      await pod.auth.start();
    }
    await waitFor(async () => !(await knownToAuth(dan.id)), 10_000, 'the retry to delete the account in auth');
    await waitFor(async () => (await pendingDeletions()) === 0, 5000, 'the outbox to drain');
  });

  it('resumes a pending deletion after a user-service restart', async () => {
    const fay = await pod.register('fay@example.com');
    await pod.auth.stop();
    try {
      expect((await pod.api.delete('/api/v1/users/me', { token: fay.token })).status).to.equal(202);
      await pod.users.close();
    } finally {
      await pod.auth.start();
    }
    expect(await knownToAuth(fay.id)).to.equal(true);
    await pod.restartUsers();
    await waitFor(async () => !(await knownToAuth(fay.id)), 10_000, 'the restarted service to finish the deletion');
  });

  it('refuses to delete the last admin’s account (409 last_admin) and leaves it intact', async () => {
    const res = await pod.api.delete('/api/v1/users/me', { token: admin.token });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('last_admin');
    expect((await pod.api.get('/api/v1/users/me', { token: admin.token })).status).to.equal(200);
    expect(await knownToAuth(admin.id)).to.equal(true);
  });
});
