import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { expect } from 'chai';
import { ConfigError } from '../../src/config';
import { generateSigningKeyPem, loadKeyRing } from '../../src/tokens/signing-keys';

describe('signing keys', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-keys-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('generates a development key once and reuses it on the next start', () => {
    const first = loadKeyRing({ privateKeyFile: undefined, dataDir, production: false });
    const second = loadKeyRing({ privateKeyFile: undefined, dataDir, production: false });
    expect(second.current.kid).to.equal(first.current.kid);
    const file = path.join(dataDir, 'auth-keys', 'signing-key.pem');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('refuses to start in production without a key, naming the variable', () => {
    expect(() => loadKeyRing({ privateKeyFile: undefined, dataDir, production: true }))
      .to.throw(ConfigError, /AUTH_JWT_PRIVATE_KEY_FILE/);
    expect(fs.existsSync(path.join(dataDir, 'auth-keys'))).to.equal(false);
  });

  it('loads several keys from one file: the first signs, all are published', () => {
    const file = path.join(dataDir, 'keys.pem');
    fs.writeFileSync(file, generateSigningKeyPem() + generateSigningKeyPem());
    const ring = loadKeyRing({ privateKeyFile: file, dataDir, production: true });
    expect(ring.all).to.have.length(2);
    expect(ring.jwks().keys[0]).to.include({ kid: ring.current.kid, alg: 'ES256', kty: 'EC', crv: 'P-256', use: 'sig' });
    expect(ring.jwks().keys[0]).to.not.have.property('d');
  });

  it('rejects an RSA key and an unreadable file, naming the variable', () => {
    const rsa = path.join(dataDir, 'rsa.pem');
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(rsa, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    expect(() => loadKeyRing({ privateKeyFile: rsa, dataDir, production: true })).to.throw(ConfigError, /AUTH_JWT_PRIVATE_KEY_FILE.*P-256/);
    expect(() => loadKeyRing({ privateKeyFile: path.join(dataDir, 'missing.pem'), dataDir, production: true }))
      .to.throw(ConfigError, /AUTH_JWT_PRIVATE_KEY_FILE.*ENOENT/);
  });
});
