// Reads the repository's deployment files and the environment variables the packages' config
// modules actually read, so the checks compare the two.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = resolve(__dirname, '..', '..', '..');

export function readRepoFile(...parts: string[]): string {
  return readFileSync(join(repoRoot, ...parts), 'utf8');
}

export function readYaml<T = Record<string, unknown>>(...parts: string[]): T {
  return parse(readRepoFile(...parts), { merge: true }) as T;
}

/** Every quoted UPPER_SNAKE name in the packages' sources: the variables the code can read. */
export function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'generated' || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/['"`.]([A-Z][A-Z0-9]*_[A-Z0-9_]+)['"`\s,)]/g)) names.add(m[1]!);
      }
    }
  };
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    try {
      walk(join(repoRoot, 'packages', pkg, 'src'));
    } catch {
      // a package without src (this one)
    }
  }
  return names;
}
