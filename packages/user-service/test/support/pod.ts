// A pod in miniature for integration tests: the real auth service (spawned) and a real user
// service (in-process, same wiring as main.ts) on loopback, each with its own temp data dir and,
// with TEST_DB=postgresql, each with a fresh database on the test PostgreSQL server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@core-pod/http-service';
import { createTestDatabase, testDatabaseVariant } from '@core-pod/prisma-runtime/testing';
import { loadConfig } from '../../src/config';
import { PACKAGE_DIR, startUserService, type UserService } from '../../src/user-service';
import { AuthProcess, authPackageDir } from './auth-process';
import { client, type HttpClient } from '@core-pod/service-test-harness';

export const ADMIN_EMAIL = 'admin@example.com';
export const PASSWORD = 'correct horse battery staple';

export interface Account {
  id: string;
  email: string;
  token: string;
  sessionId: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function newSigningKeyPem(): string {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** RFC 7638 thumbprint, the kid auth gives a key. */
export function kidOf(pem: string): string {
  const jwk = crypto.createPublicKey(pem).export({ format: 'jwk' });
  return crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

export interface Pod {
  auth: AuthProcess;
  users: UserService;
  api: HttpClient;
  authApi: HttpClient;
  internalToken: string;
  keyFile: string;
  /** user-service's POD_DATA_DIR (its SQLite file lives there). */
  usersDataDir: string;
  /** The PEM auth signs with; tests use it to mint expired tokens with a real key. */
  signingKeyPem: string;
  register(email: string): Promise<Account>;
  login(email: string): Promise<Account>;
  signWith(pem: string, claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** Stops the user service and starts it again on the same port and database. */
  restartUsers(): Promise<void>;
  close(): Promise<void>;
}

export async function startPod(usersEnv: Record<string, string> = {}): Promise<Pod> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'users-pod-'));
  const [authPort, usersPort] = [await freePort(), await freePort()];
  const internalToken = crypto.randomBytes(32).toString('base64url');
  const signingKeyPem = newSigningKeyPem();
  const keyFile = path.join(root, 'auth-signing-keys.pem');
  fs.writeFileSync(keyFile, signingKeyPem, { mode: 0o600 });
  const postgres = testDatabaseVariant() === 'postgresql';
  const authDb = postgres ? await createTestDatabase(authPackageDir) : undefined;
  const usersDb = postgres ? await createTestDatabase(PACKAGE_DIR) : undefined;

  const auth = new AuthProcess({
    port: authPort,
    dataDir: path.join(root, 'auth'),
    internalToken,
    usersInternalUrl: `http://127.0.0.1:${usersPort}`,
    privateKeyFile: keyFile,
    bootstrapAdminEmail: ADMIN_EMAIL,
    databaseUrl: authDb?.url,
  });
  await auth.start();
  const usersDataDir = path.join(root, 'users');
  const config = loadConfig({
    POD_DATA_DIR: usersDataDir,
    USERS_PORT: String(usersPort),
    AUTH_INTERNAL_URL: auth.url,
    USERS_REVOCATION_POLL_INTERVAL_MS: '200',
    USERS_DELETION_RETRY_BASE_MS: '100',
    USERS_DELETION_RETRY_MAX_MS: '500',
    ...(usersDb ? { USERS_DATABASE_URL: usersDb.url } : {}),
    ...usersEnv,
  });
  const start = () => startUserService({ config, logger: createLogger('users', { level: 'silent' }), internalToken });
  let users = await start();
  const api = client(users.url);
  const authApi = client(auth.url);

  async function session(path: string, email: string, status: number): Promise<Account> {
    const res = await authApi.post(path, { body: { email, password: PASSWORD } });
    if (res.status !== status) throw new Error(`${path} ${email}: ${res.status} ${res.text}`);
    return { id: res.body.user.id, email, token: res.body.accessToken, sessionId: res.body.sessionId };
  }

  return {
    auth,
    get users() {
      return users;
    },
    api,
    authApi,
    internalToken,
    keyFile,
    usersDataDir,
    signingKeyPem,
    register: (email) => session('/api/v1/auth/register', email, 201),
    login: (email) => session('/api/v1/auth/login', email, 200),
    signWith: (pem, claims, header = {}) => signJwt(pem, claims, { kid: kidOf(pem), ...header }),
    async restartUsers() {
      await users.close();
      users = await start();
    },
    async close() {
      await users.close();
      await auth.stop();
      await Promise.all([authDb?.drop(), usersDb?.drop()]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Claims as auth issues them, for tokens minted by the tests themselves. */
export function claimsFor(account: Account, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'core-pod-auth', aud: 'core-pod', sub: account.id, sid: account.sessionId, role: 'user', email: account.email, iat: now, nbf: now, exp: now + 600, ...overrides };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** ES256 by hand (jsonwebtoken would add or drop iat): tests decide every header and claim. */
export function signJwt(pem: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  const signingInput = `${b64({ alg: 'ES256', typ: 'JWT', ...header })}.${b64(payload)}`;
  const signature = crypto.sign('sha256', Buffer.from(signingInput), { key: pem, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
