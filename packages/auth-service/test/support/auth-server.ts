// Starts the real auth app over loopback on port 0 with a fresh database (migrated with the real
// migrations) and bcrypt cost 10: a SQLite file in a temp POD_DATA_DIR, or with TEST_DB=postgresql
// a new database on the test PostgreSQL server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, startServer } from '@core-pod/http-service';
import type { Express } from 'express';
import { migrate, resolveDatabaseUrl } from '@core-pod/prisma-runtime';
import { createTestDatabase, testDatabaseVariant } from '@core-pod/prisma-runtime/testing';
import { createApp } from '../../src/app';
import { type AuthConfig, loadConfig } from '../../src/config';
import { createHashPool, type PasswordHasher } from '../../src/passwords/hash-pool';
import type { Database, User } from '../../src/store/database';
import { openDatabase } from '../../src/store/open-database';
import { loadKeyRing, type KeyRing } from '../../src/tokens/signing-keys';

export const packageDir = path.resolve(__dirname, '..', '..');
export const INTERNAL_TOKEN = 'test-internal-token-0123456789abcdef0123456789';

export interface AuthServer {
  url: string;
  dataDir: string;
  config: AuthConfig;
  db: Database;
  keys: KeyRing;
  logs: string[];
  registered: User[];
  clock: { offsetMs: number };
  app: Express;
  close(): Promise<void>;
}

export interface AuthServerOptions {
  env?: Record<string, string>;
  hasher?: PasswordHasher;
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-service-'));
  const database = testDatabaseVariant() === 'postgresql' ? await createTestDatabase(packageDir) : undefined;
  const databaseEnv = database ? { AUTH_DATABASE_URL: database.url } : {};
  const config = loadConfig({ POD_DATA_DIR: dataDir, AUTH_BCRYPT_COST: '10', AUTH_PORT: '0', ...databaseEnv, ...options.env });
  const url = resolveDatabaseUrl(config.databaseUrl, dataDir, 'auth.db');
  await migrate({ url, packageDir });
  const db = openDatabase(url, config.databasePool);
  const keys = loadKeyRing({ privateKeyFile: config.jwt.privateKeyFile, dataDir, production: false });
  const hasher = options.hasher ?? createHashPool(2);
  const logs: string[] = [];
  const logger = createLogger('auth', { level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const registered: User[] = [];
  const clock = { offsetMs: 0 };
  const { app } = createApp({
    config, db, keys, hasher, logger, internalToken: INTERNAL_TOKEN,
    onRegistered: (user) => void registered.push(user),
    now: () => Date.now() + clock.offsetMs,
  });
  const running = await startServer(app, { host: '127.0.0.1', port: 0, logger });
  return {
    url: running.url, app, dataDir, config, db, keys, logs, registered, clock,
    async close() {
      await running.close();
      await hasher.close();
      await db.$disconnect();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
