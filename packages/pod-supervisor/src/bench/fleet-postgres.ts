// The PostgreSQL server a fleet run uses — TEST_POSTGRES_URL (npm test's throwaway cluster) or a
// cluster of its own from scripts/throwaway-postgres.sh — and fresh databases on it, through psql
// (the server's own client, so pod-supervisor needs no database driver).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../pod-definition';

const script = path.join(repoRoot, 'scripts', 'throwaway-postgres.sh');

export interface PostgresServer {
  /** `postgresql://…/postgres` on the server. */
  url: string;
  /** Runs SQL against a database URL; rows as lines, columns separated by `|`. */
  query(databaseUrl: string, sql: string): string[];
  /** A new, empty database; returns its URL. */
  createDatabase(prefix: string): string;
  dropDatabase(databaseUrl: string): void;
  /** Removes the cluster if this process started it (TEST_POSTGRES_URL's server is left alone). */
  close(): void;
}

function psqlBinary(bin: string | undefined): string {
  const dirs = bin ? [bin] : fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
  return dirs.map((d) => path.join(d, 'psql')).find((p) => fs.existsSync(p)) ?? 'psql';
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** TEST_POSTGRES_URL when set, else a throwaway cluster (installs Debian's postgresql when missing). */
export function postgresServer(env: NodeJS.ProcessEnv = process.env): PostgresServer {
  let url = env.TEST_POSTGRES_URL;
  let bin = env.TEST_POSTGRES_BIN;
  let ownDir: string | null = null;
  if (!url) {
    const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const value = (name: string) => new RegExp(`${name}=([^;\\s]+)`).exec(out)?.[1];
    url = value('TEST_POSTGRES_URL');
    ownDir = value('TEST_POSTGRES_DIR') ?? null;
    bin = value('TEST_POSTGRES_BIN');
    if (!url || !ownDir) throw new Error(`throwaway-postgres.sh printed no URL: ${out}`);
  }
  const psql = psqlBinary(bin);
  const serverUrl = url;
  const close = () => {
    if (ownDir === null) return;
    const dir = ownDir;
    ownDir = null;
    process.removeListener('exit', close);
    execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' });
  };
  if (ownDir !== null) process.on('exit', close);
  const query = (databaseUrl: string, sql: string) =>
    execFileSync(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', sql], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return {
    url: serverUrl,
    query,
    createDatabase(prefix) {
      const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
      query(serverUrl, `CREATE DATABASE "${name}"`);
      return withDatabase(serverUrl, name);
    },
    dropDatabase(databaseUrl) {
      const name = new URL(databaseUrl).pathname.slice(1);
      query(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    close,
  };
}
