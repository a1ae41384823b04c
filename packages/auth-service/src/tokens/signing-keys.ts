// The ES256 key ring: loads the configured PEM file (several keys allowed: the first signs, the rest
// stay published for verification during rotation), or in development generates one key pair
// once under <POD_DATA_DIR>/auth-keys/. Keys become KeyObjects exactly once, here.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use: 'sig';
  alg: 'ES256';
}

export interface KeyRing {
  /** The key new tokens are signed with. */
  current: SigningKey;
  /** Every key whose tokens are still accepted, current first. */
  all: SigningKey[];
  byKid(kid: string): SigningKey | undefined;
  jwks(): { keys: PublicJwk[] };
}

const PEM_BLOCK = /-----BEGIN (?:EC )?PRIVATE KEY-----[\s\S]+?-----END (?:EC )?PRIVATE KEY-----/g;

/** RFC 7638 thumbprint: stable across restarts and identical on every replica holding the key. */
function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

function toSigningKey(privateKey: KeyObject, variable: string): SigningKey {
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new ConfigError(variable, 'every key must be an EC P-256 private key (ES256)');
  }
  const publicKey = crypto.createPublicKey(privateKey);
  return { kid: thumbprint(publicKey), privateKey, publicKey };
}

export function parseKeyRing(pem: string, variable: string): KeyRing {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new ConfigError(variable, 'no PEM private key found in the file');
  const keys = blocks.map((block) => {
    let key: KeyObject;
    try {
      key = crypto.createPrivateKey(block);
    } catch (err) {
      throw new ConfigError(variable, `unreadable private key (${(err as Error).message})`);
    }
    return toSigningKey(key, variable);
  });
  return createKeyRing(keys);
}

export function createKeyRing(keys: SigningKey[]): KeyRing {
  const [current] = keys;
  if (current === undefined) throw new Error('a key ring needs at least one key');
  const index = new Map(keys.map((k) => [k.kid, k]));
  const published = keys.map((k): PublicJwk => {
    const jwk = k.publicKey.export({ format: 'jwk' });
    return { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string, kid: k.kid, use: 'sig', alg: 'ES256' };
  });
  return { current, all: keys, byKid: (kid) => index.get(kid), jwks: () => ({ keys: published }) };
}

export function generateSigningKeyPem(): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

export interface KeyRingOptions {
  privateKeyFile: string | undefined;
  dataDir: string;
  production: boolean;
}

/** Loads the configured keys; in development creates <dataDir>/auth-keys/signing-key.pem once. */
export function loadKeyRing(options: KeyRingOptions): KeyRing {
  const variable = 'AUTH_JWT_PRIVATE_KEY_FILE';
  if (options.privateKeyFile !== undefined) {
    let pem: string;
    try {
      pem = fs.readFileSync(options.privateKeyFile, 'utf8');
    } catch (err) {
      throw new ConfigError(variable, `cannot read ${options.privateKeyFile} (${(err as NodeJS.ErrnoException).code})`);
    }
    return parseKeyRing(pem, variable);
  }
  if (options.production) {
    throw new ConfigError(variable, 'required when NODE_ENV=production (a PEM file with an EC P-256 private key)');
  }
  const dir = path.join(options.dataDir, 'auth-keys');
  const file = path.join(dir, 'signing-key.pem');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' so two processes starting together never overwrite each other's key.
    fs.writeFileSync(file, generateSigningKeyPem(), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKeyRing(fs.readFileSync(file, 'utf8'), `${variable} (development key ${file})`);
}
