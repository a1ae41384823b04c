// DESIGN §5.4 at the user service: logout, logout-all, a password change and disabling a user
// revoke sessions in auth, and user-service rejects their access tokens within 5 s.
import { expect } from 'chai';
import { ADMIN_EMAIL, PASSWORD, startPod, type Pod } from '../support/pod';
import { waitFor } from '@core-pod/service-test-harness';

describe('revoked sessions (default 1 s poll of auth’s revocation feed)', () => {
  let pod: Pod;
  const me = (token: string) => pod.api.get('/api/v1/users/me', { token });
  const rejectedWithin5s = (token: string) =>
    waitFor(async () => (await me(token)).body?.code === 'session_revoked', 5000, 'the session to be rejected as revoked');

  before(async () => {
    pod = await startPod({ USERS_REVOCATION_POLL_INTERVAL_MS: '1000' });
    await pod.register(ADMIN_EMAIL);
  });
  after(() => pod.close());

  it('rejects the token of a logged-out session within 5 s, and keeps accepting the user’s other session', async () => {
    const first = await pod.register('logout@example.com');
    const second = await pod.login('logout@example.com');
    expect((await me(first.token)).status).to.equal(200);
    expect((await pod.authApi.post('/api/v1/auth/logout', { token: first.token })).status).to.be.oneOf([200, 204]);
    await rejectedWithin5s(first.token);
    const res = await me(first.token);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.include('invalid_token');
    expect((await me(second.token)).status).to.equal(200);
  });

  it('rejects every session after logout-all', async () => {
    const a = await pod.register('all@example.com');
    const b = await pod.login('all@example.com');
    expect((await pod.authApi.post('/api/v1/auth/logout-all', { token: a.token })).status).to.be.oneOf([200, 204]);
    await rejectedWithin5s(a.token);
    await rejectedWithin5s(b.token);
  });

  it('rejects the other sessions after a password change', async () => {
    const a = await pod.register('pw@example.com');
    const b = await pod.login('pw@example.com');
    const change = await pod.authApi.post('/api/v1/auth/password', { token: a.token, body: { currentPassword: PASSWORD, newPassword: 'another long passphrase' } });
    expect(change.status, change.text).to.equal(204);
    await rejectedWithin5s(b.token);
  });

  it('rejects a disabled user’s tokens and lets them back in after enable and a new login', async () => {
    const admin = await pod.login(ADMIN_EMAIL);
    const dave = await pod.register('dave@example.com');
    const disabled = await pod.api.post(`/api/v1/users/${dave.id}/disable`, { token: admin.token });
    expect(disabled.status).to.equal(200);
    expect(disabled.body.disabled).to.equal(true);
    await rejectedWithin5s(dave.token);
    expect((await pod.authApi.post('/api/v1/auth/login', { body: { email: 'dave@example.com', password: PASSWORD } })).status).to.equal(403);
    const enabled = await pod.api.post(`/api/v1/users/${dave.id}/enable`, { token: admin.token });
    expect(enabled.body.disabled).to.equal(false);
    const again = await pod.login('dave@example.com');
    expect((await me(again.token)).status).to.equal(200);
  });

  it('refuses a disabled user at once from the mirror, before the revocation has even arrived', async () => {
    const admin = await pod.login(ADMIN_EMAIL);
    const erin = await pod.register('erin@example.com');
    await pod.users.revocations.stop();
    try {
      expect((await pod.api.post(`/api/v1/users/${erin.id}/disable`, { token: admin.token })).status).to.equal(200);
      const res = await me(erin.token);
      expect(res.status).to.equal(403);
      expect(res.body.code).to.equal('account_disabled');
    } finally {
      pod.users.revocations.start();
    }
    await rejectedWithin5s(erin.token);
  });
});
