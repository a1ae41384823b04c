// DESIGN §5.1–2 at the user service: only auth's ES256 tokens with a known kid, exp/iss/aud/nbf
// checked with ≤ 30 s skew; forgeries and key-carrying headers are 401; bogus kids cannot flood auth.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { claimsFor, newSigningKeyPem, signJwt, startPod, type Account, type Pod } from '../support/pod';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function jwksFetches(pod: Pod): Promise<number> {
  const text = (await pod.api.get('/metrics')).text;
  // Every JWKS call to auth is counted in the auth-call histogram, whatever its outcome.
  const counts = [...text.matchAll(/^users_auth_call_duration_seconds_count\{operation="jwks",outcome="[^"]*"\} (\d+)/gm)];
  if (counts.length === 0) throw new Error('users_auth_call_duration_seconds not exposed for jwks');
  return counts.reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('access token verification', () => {
  let pod: Pod;
  let alice: Account;
  const now = () => Math.floor(Date.now() / 1000);
  const me = (token: string) => pod.api.get('/api/v1/users/me', { token });

  before(async () => {
    pod = await startPod({ USERS_JWKS_REFETCH_INTERVAL_MS: '10000' });
    alice = await pod.register('alice@example.com');
  });
  after(() => pod.close());

  async function expectRejected(token: string): Promise<void> {
    const res = await me(token);
    expect(res.status, res.text).to.equal(401);
    expect(res.body.code).to.equal('invalid_token');
  }

  it('accepts the access token auth issued', async () => {
    expect((await me(alice.token)).status).to.equal(200);
  });

  it('accepts a token minted with auth’s key and the expected claims (the fixture is sound)', async () => {
    expect((await me(pod.signWith(pod.signingKeyPem, claimsFor(alice)))).status).to.equal(200);
  });

  it('rejects alg:none', async () => {
    const [header] = alice.token.split('.');
    const kid = JSON.parse(Buffer.from(header as string, 'base64url').toString()).kid as string;
    await expectRejected(`${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claimsFor(alice, { role: 'admin' }))}.`);
  });

  it('rejects HS256 signed with auth’s public key as the HMAC secret', async () => {
    const publicPem = crypto.createPublicKey(pod.signingKeyPem).export({ format: 'pem', type: 'spki' }) as string;
    const [header] = alice.token.split('.');
    const kid = JSON.parse(Buffer.from(header as string, 'base64url').toString()).kid as string;
    const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claimsFor(alice, { role: 'admin' }))}`;
    const signature = crypto.createHmac('sha256', publicPem).update(signingInput).digest('base64url');
    await expectRejected(`${signingInput}.${signature}`);
  });

  it('rejects a token signed by another key that claims auth’s kid', async () => {
    const [header] = alice.token.split('.');
    const kid = JSON.parse(Buffer.from(header as string, 'base64url').toString()).kid as string;
    await expectRejected(pod.signWith(newSigningKeyPem(), claimsFor(alice), { kid }));
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = alice.token.split('.');
    await expectRejected(`${header}.${b64(claimsFor(alice, { role: 'admin' }))}.${signature}`);
  });

  for (const name of ['jku', 'x5u', 'jwk']) {
    it(`rejects a correctly signed token carrying a ${name} header`, async () => {
      const value = name === 'jwk' ? crypto.createPublicKey(pod.signingKeyPem).export({ format: 'jwk' }) : 'https://evil.example/keys';
      await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice), { [name]: value }));
    });
  }

  it('rejects an unknown kid, and a token without kid', async () => {
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice), { kid: 'no-such-key' }));
    await expectRejected(signJwt(pod.signingKeyPem, claimsFor(alice)));
  });

  it('requires exp, iat and nbf', async () => {
    for (const claim of ['exp', 'iat', 'nbf']) {
      await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { [claim]: undefined })));
    }
  });

  it('checks the issuer and the audience', async () => {
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iss: 'someone-else' })));
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { aud: 'another-service' })));
  });

  it('allows at most 30 s of clock skew on exp and nbf', async () => {
    const t = now();
    expect((await me(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iat: t - 600, nbf: t - 600, exp: t - 20 })))).status).to.equal(200);
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iat: t - 600, nbf: t - 600, exp: t - 40 })));
    expect((await me(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iat: t, nbf: t + 20, exp: t + 600 })))).status).to.equal(200);
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iat: t, nbf: t + 40, exp: t + 600 })));
  });

  it('rejects a lifetime over 15 minutes', async () => {
    const t = now();
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { iat: t, nbf: t, exp: t + 16 * 60 })));
  });

  it('rejects a token without a session id or with an unknown role', async () => {
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { sid: undefined })));
    await expectRejected(pod.signWith(pod.signingKeyPem, claimsFor(alice, { role: 'root' })));
  });

  it('answers garbage in the Authorization header with 401, not 500', async () => {
    for (const value of ['Bearer', 'Bearer a.b.c', 'Bearer ....', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(5000)}`]) {
      const res = await pod.api.get('/api/v1/users/me', { headers: { authorization: value } });
      expect(res.status, value).to.equal(401);
    }
  });

  it('does not flood auth when tokens with bogus kids arrive (at most one refetch per interval)', async () => {
    const before = await jwksFetches(pod);
    const bogus = Array.from({ length: 100 }, (_, i) => pod.signWith(newSigningKeyPem(), claimsFor(alice), { kid: `bogus-${i}` }));
    const replies = await Promise.all(bogus.map((token) => me(token)));
    expect(replies.every((r) => r.status === 401)).to.equal(true);
    expect((await jwksFetches(pod)) - before).to.be.at.most(1);
  });
});
