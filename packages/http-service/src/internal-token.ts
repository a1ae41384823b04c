// The shared credential for /internal/v1/* calls between the pod's services (contracts: env
// POD_INTERNAL_TOKEN or POD_INTERNAL_TOKEN_FILE; in development a file in the data directory).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { ProblemError } from './problem-error';

export interface InternalTokenOptions {
  dataDir: string;
  production: boolean;
  env?: NodeJS.ProcessEnv;
}

export function loadInternalToken({ dataDir, production, env = process.env }: InternalTokenOptions): string {
  if (env.POD_INTERNAL_TOKEN) return checked(env.POD_INTERNAL_TOKEN, 'POD_INTERNAL_TOKEN');
  if (env.POD_INTERNAL_TOKEN_FILE) {
    return checked(readFileSync(env.POD_INTERNAL_TOKEN_FILE, 'utf8').trim(), 'POD_INTERNAL_TOKEN_FILE');
  }
  if (production) {
    throw new Error('POD_INTERNAL_TOKEN (or POD_INTERNAL_TOKEN_FILE) must be set when NODE_ENV=production');
  }
  const path = join(dataDir, 'internal-token');
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': whichever service starts first creates it; the others read the same token.
    writeFileSync(path, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return checked(readFileSync(path, 'utf8').trim(), path);
}

function checked(token: string, source: string): string {
  if (token.length < 32) throw new Error(`${source}: the internal token must be at least 32 characters`);
  return token;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time bearer check; hashing first makes the comparison length-independent. */
export function requireInternalToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return next(new ProblemError({ status: 401, code: 'internal_auth_required', detail: 'A valid internal service token is required.' }));
    }
    next();
  };
}
