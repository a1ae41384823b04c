// Turns a service's configured database URL (or none) into a concrete URL and its provider.
import { isAbsolute, resolve } from 'node:path';

export type DatabaseProvider = 'sqlite' | 'postgresql';

/** No URL → a SQLite file named `fileName` in `dataDir`; relative `file:` paths resolve against `dataDir`'s cwd. */
export function resolveDatabaseUrl(url: string | undefined, dataDir: string, fileName: string): string {
  if (!url || url.trim() === '') return `file:${resolve(dataDir, fileName)}`;
  const trimmed = url.trim();
  providerOf(trimmed);
  if (trimmed.startsWith('file:')) {
    const path = trimmed.slice('file:'.length);
    return `file:${isAbsolute(path) ? path : resolve(path)}`;
  }
  return trimmed;
}

export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) return 'postgresql';
  throw new Error(`unsupported database URL scheme in "${redactUrl(url)}": use file:<path> (SQLite) or postgresql://`);
}

/** For error messages: never print a password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function sqliteFilePath(url: string): string {
  return url.slice('file:'.length);
}
