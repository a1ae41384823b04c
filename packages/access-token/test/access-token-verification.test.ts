import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { acceptedKid, InvalidTokenError, verifyAccessToken, verifyWithKey } from '../src';

const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'key-1';
const options = { issuer: 'core-pod-auth', audience: 'core-pod', now: () => 1_800_000_000_000 };
const nowSeconds = 1_800_000_000;
const claims = { iss: 'core-pod-auth', aud: 'core-pod', sub: 'u1', sid: 's1', role: 'user', email: 'a@example.com', iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + 600 };

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function sign(payload: Record<string, unknown> = claims, header: Record<string, unknown> = {}, key: crypto.KeyObject = privateKey): string {
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: KID, ...header })}.${b64(Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)))}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
const keyFor = (kid: string) => (kid === KID ? publicKey : undefined);
const rejects = (token: string, reason: RegExp) => expect(() => verifyWithKey(token, keyFor(acceptedKid(token)), options)).to.throw(InvalidTokenError, reason);

describe('access-token verification', () => {
  it('accepts a token signed by a key of the set and returns its claims', async () => {
    expect(await verifyAccessToken(sign(), keyFor, options)).to.deep.equal(claims);
  });

  it('refuses alg none and an HS256 token keyed with the public key', () => {
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${b64(claims)}.`;
    expect(() => acceptedKid(none)).to.throw(InvalidTokenError, /algorithm not allowed/);
    const hs = jwt.sign(claims, publicKey.export({ format: 'pem', type: 'spki' }) as string, { algorithm: 'HS256', keyid: KID });
    expect(() => acceptedKid(hs)).to.throw(InvalidTokenError, /algorithm not allowed/);
  });

  for (const name of ['jku', 'x5u', 'jwk', 'x5c', 'crit']) {
    it(`refuses a token carrying a ${name} header`, () => {
      expect(() => acceptedKid(sign(claims, { [name]: 'https://evil.example/keys' }))).to.throw(InvalidTokenError, new RegExp(`header ${name}`));
    });
  }

  it('refuses a missing kid, an unknown kid and a signature by another key under a known kid', () => {
    expect(() => acceptedKid(sign(claims, { kid: undefined }))).to.throw(InvalidTokenError, /kid required/);
    rejects(sign(claims, { kid: 'other' }), /unknown kid/);
    rejects(sign(claims, {}, other.privateKey), /invalid signature/);
  });

  it('allows 30 s of clock skew on exp, no more', () => {
    expect(verifyWithKey(sign({ ...claims, exp: nowSeconds - 29 }), publicKey, options).sub).to.equal('u1');
    rejects(sign({ ...claims, exp: nowSeconds - 31 }), /expired/);
  });

  it('requires exp, iat and nbf, and a lifetime of at most 15 minutes', () => {
    rejects(sign({ ...claims, exp: undefined }), /exp required/);
    rejects(sign({ ...claims, iat: undefined }), /iat required/);
    rejects(sign({ ...claims, nbf: undefined }), /nbf required/);
    rejects(sign({ ...claims, exp: nowSeconds + 901 }), /lifetime too long/);
  });

  it('checks the issuer, the audience and the pod claims', () => {
    rejects(sign({ ...claims, iss: 'someone-else' }), /issuer invalid/);
    rejects(sign({ ...claims, aud: 'other' }), /audience invalid/);
    rejects(sign({ ...claims, sid: undefined }), /sid required/);
    rejects(sign({ ...claims, role: 'root' }), /role invalid/);
  });
});
