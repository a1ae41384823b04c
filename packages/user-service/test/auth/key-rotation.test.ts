// Keys and availability: auth rotates its signing key and user-service follows without a restart;
// while auth is down, still-valid tokens keep working from the cached keys and health says warn.
import fs from 'node:fs';
import { expect } from 'chai';
import { ADMIN_EMAIL, claimsFor, kidOf, newSigningKeyPem, startPod, type Pod } from '../support/pod';
import { waitFor } from '@core-pod/service-test-harness';

describe('key rotation and auth outages', () => {
  let pod: Pod;
  const kidOfToken = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;
  const health = async () => (await pod.api.get('/api/v1/users/health')).body?.status as string;

  const newKey = newSigningKeyPem();
  let oldKeyToken = '';

  before(async () => {
    pod = await startPod({ USERS_JWKS_REFETCH_INTERVAL_MS: '500', USERS_JWKS_REFRESH_INTERVAL_MS: '1000' });
  });
  after(() => pod.close());

  it('accepts tokens of a new signing key after auth rotates, and still the old key’s during the overlap', async () => {
    const before = await pod.register('rotate@example.com');
    expect(kidOfToken(before.token)).to.equal(kidOf(pod.signingKeyPem));

    oldKeyToken = before.token;
    fs.writeFileSync(pod.keyFile, `${newKey}\n${pod.signingKeyPem}`);
    await pod.auth.stop();
    await pod.auth.start();

    const after = await pod.login('rotate@example.com');
    expect(kidOfToken(after.token)).to.equal(kidOf(newKey));
    await waitFor(async () => (await pod.api.get('/api/v1/users/me', { token: after.token })).status === 200, 3000, 'the new kid to be fetched');
    expect((await pod.api.get('/api/v1/users/me', { token: before.token })).status).to.equal(200);
    // A forgery with the new kid but another key is still refused.
    const forged = pod.signWith(newSigningKeyPem(), claimsFor(after), { kid: kidOf(newKey) });
    expect((await pod.api.get('/api/v1/users/me', { token: forged })).status).to.equal(401);
  });

  it('keeps serving valid tokens from the cached keys while auth is down, with health warn (not fail)', async () => {
    const carol = await pod.register('carol@example.com');
    const admin = await pod.register(ADMIN_EMAIL);
    expect(await health()).to.equal('pass');
    await pod.auth.stop();
    try {
      await waitFor(async () => (await health()) === 'warn', 5000, 'health to turn warn');
      const res = await pod.api.get('/api/v1/users/health');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/health\+json/);
      expect((await pod.api.get('/api/v1/users/me', { token: carol.token })).status).to.equal(200);
      expect((await pod.api.patch('/api/v1/users/me', { token: carol.token, body: { bio: 'auth is down' } })).status).to.equal(200);
      // Admin actions need auth: a clear 503, not a hang or a 500.
      const disable = await pod.api.post(`/api/v1/users/${carol.id}/disable`, { token: admin.token });
      expect(disable.status).to.equal(503);
      expect(disable.body.code).to.equal('auth_unavailable');
    } finally {
      await pod.auth.start();
    }
    await waitFor(async () => (await health()) === 'pass', 5000, 'health to pass again');
  });

  it('stops trusting a key once auth no longer publishes it', async () => {
    expect((await pod.api.get('/api/v1/users/me', { token: oldKeyToken })).status).to.equal(200);
    fs.writeFileSync(pod.keyFile, newKey);
    await pod.auth.stop();
    await pod.auth.start();
    await waitFor(async () => (await pod.api.get('/api/v1/users/me', { token: oldKeyToken })).status === 401, 5000, 'the retired key to be dropped');
    const current = await pod.login('rotate@example.com');
    expect((await pod.api.get('/api/v1/users/me', { token: current.token })).status).to.equal(200);
  });
});
