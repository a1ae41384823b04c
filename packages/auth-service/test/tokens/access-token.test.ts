import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAccessTokens, InvalidTokenError } from '../../src/tokens/access-token';
import { createKeyRing, generateSigningKeyPem, parseKeyRing } from '../../src/tokens/signing-keys';

const subject = { userId: 'u-1', sessionId: 's-1', role: 'user' as const, email: 'a@example.com' };
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  const keys = parseKeyRing(generateSigningKeyPem(), 'TEST');
  const options = { keys, issuer: 'core-pod-auth', audience: 'core-pod', ttlSeconds: 600 };
  const tokens = createAccessTokens(options);

  function claims(overrides: Record<string, unknown> = {}) {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: 'core-pod-auth', aud: 'core-pod', sub: 'u-1', sid: 's-1', role: 'user', email: 'a@example.com', iat, nbf: iat, exp: iat + 600, ...overrides };
  }
  const signWith = (payload: object, header: Record<string, unknown> = {}) =>
    jwt.sign(payload, keys.current.privateKey, { algorithm: 'ES256', header: { alg: 'ES256', kid: keys.current.kid, ...header } });

  it('signs ES256 tokens with the kid and the documented claims, and verifies them', () => {
    const { token, expiresIn } = tokens.sign(subject);
    const header = jwt.decode(token, { complete: true })?.header;
    expect(header).to.include({ alg: 'ES256', kid: keys.current.kid });
    const verified = tokens.verify(token);
    expect(verified).to.include({ iss: 'core-pod-auth', aud: 'core-pod', sub: 'u-1', sid: 's-1', role: 'user', email: 'a@example.com' });
    expect(verified.exp - verified.iat).to.equal(600);
    expect(verified.nbf).to.equal(verified.iat);
    expect(expiresIn).to.equal(600);
  });

  it('rejects an alg:none forgery', () => {
    const forged = `${b64({ alg: 'none', typ: 'JWT', kid: keys.current.kid })}.${b64(claims())}.`;
    expect(() => tokens.verify(forged)).to.throw(InvalidTokenError);
  });

  it('rejects an HS256 token signed with the public key as the HMAC secret', () => {
    const pem = keys.current.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: keys.current.kid });
    const body = b64(claims());
    const signature = crypto.createHmac('sha256', pem).update(`${header}.${body}`).digest('base64url');
    expect(() => tokens.verify(`${header}.${body}.${signature}`)).to.throw(InvalidTokenError, /algorithm/);
  });

  it('rejects a token whose kid is unknown', () => {
    const other = parseKeyRing(generateSigningKeyPem(), 'TEST');
    const token = jwt.sign(claims(), other.current.privateKey, { algorithm: 'ES256', keyid: other.current.kid });
    expect(() => tokens.verify(token)).to.throw(InvalidTokenError, /kid/);
  });

  it('rejects a token signed by another key under our kid', () => {
    const other = parseKeyRing(generateSigningKeyPem(), 'TEST');
    const token = jwt.sign(claims(), other.current.privateKey, { algorithm: 'ES256', keyid: keys.current.kid });
    expect(() => tokens.verify(token)).to.throw(InvalidTokenError, /signature/);
  });

  for (const name of ['jku', 'x5u', 'jwk']) {
    it(`rejects a token carrying a ${name} header`, () => {
      const token = signWith(claims(), { [name]: name === 'jwk' ? keys.jwks().keys[0] : 'https://evil.example/keys' });
      expect(() => tokens.verify(token)).to.throw(InvalidTokenError, new RegExp(name));
    });
  }

  it('rejects an expired token beyond the 30 s skew but accepts one within it', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(() => tokens.verify(signWith(claims({ iat: now - 700, nbf: now - 700, exp: now - 31 })))).to.throw(InvalidTokenError, /expired/);
    expect(tokens.verify(signWith(claims({ iat: now - 620, nbf: now - 620, exp: now - 20 }))).sub).to.equal('u-1');
  });

  it('rejects a token without exp', () => {
    const { exp: _exp, ...rest } = claims();
    expect(() => tokens.verify(signWith(rest))).to.throw(InvalidTokenError, /exp/);
  });

  it('rejects a token not valid before a time more than 30 s ahead', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(() => tokens.verify(signWith(claims({ nbf: now + 120 })))).to.throw(InvalidTokenError, /not active/);
  });

  it('rejects a token living longer than 15 minutes', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(() => tokens.verify(signWith(claims({ iat: now, exp: now + 3600 })))).to.throw(InvalidTokenError, /lifetime/);
  });

  it('rejects a wrong audience and a wrong issuer', () => {
    expect(() => tokens.verify(signWith(claims({ aud: 'someone-else' })))).to.throw(InvalidTokenError, /audience/);
    expect(() => tokens.verify(signWith(claims({ iss: 'someone-else' })))).to.throw(InvalidTokenError, /issuer/);
  });

  it('rejects a token without a session id or with an unknown role', () => {
    const { sid: _sid, ...noSid } = claims();
    expect(() => tokens.verify(signWith(noSid))).to.throw(InvalidTokenError, /sid/);
    expect(() => tokens.verify(signWith(claims({ role: 'root' })))).to.throw(InvalidTokenError, /role/);
  });

  it('keeps accepting tokens of a previous key while it is still in the ring', () => {
    const previous = parseKeyRing(generateSigningKeyPem(), 'TEST');
    const rotated = createKeyRing([keys.current, previous.current]);
    const old = createAccessTokens({ ...options, keys: previous }).sign(subject).token;
    expect(createAccessTokens({ ...options, keys: rotated }).verify(old).sub).to.equal('u-1');
    expect(rotated.jwks().keys.map((k) => k.kid)).to.deep.equal([keys.current.kid, previous.current.kid]);
  });
});
