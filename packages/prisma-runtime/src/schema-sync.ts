// `sync`: re-derive each provider's schema and write a migration for what changed;
// `check`: fail when the derived schemas or migrations drifted from models.prisma.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { DatabaseProvider } from './database-url';
import { lockfileContent, migrationsDir, readMigrationsFolder } from './migrations-folder';
import { deriveSchema, providers, readModels, schemaPath } from './schema-derivation';
import { noSchemaFilter, openSchemaEngine, type SchemaEngine } from './wasm-schema-engine';

const scratchDatasource = { path: 'schema.prisma', content: 'datasource db {\n  provider = "sqlite"\n}\n' };
const EMPTY_MIGRATION = /^(\s*--[^\n]*\n?)*\s*$/;

async function withScratchEngine<T>(run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'core-pod-prisma-'));
  const { engine, close } = await openSchemaEngine(
    scratchDatasource,
    new PrismaBetterSqlite3({ url: `file:${join(dir, 'scratch.db')}` }),
  );
  try {
    return await run(engine);
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function datamodel(content: string) {
  return { tag: 'schemaDatamodel' as const, files: [{ path: 'schema.prisma', content }] };
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Returns the migrations written, per provider. */
export async function syncSchemas(packageDir: string, name: string, now = new Date()): Promise<string[]> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name must be snake_case, got "${name}"`);
  const models = readModels(packageDir);
  const written: string[] = [];
  await withScratchEngine(async (engine) => {
    for (const provider of providers) {
      const path = schemaPath(packageDir, provider);
      const previous = existsSync(path) ? readFileSync(path, 'utf8') : null;
      const next = deriveSchema(models, provider);
      const diff = await engine.diff({
        from: previous === null ? { tag: 'empty' } : datamodel(previous),
        to: datamodel(next),
        script: true,
        exitCode: null,
        filters: noSchemaFilter,
      });
      const sql = diff.stdout ?? '';
      const dir = migrationsDir(packageDir, provider);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'migration_lock.toml'), lockfileContent(provider));
      if (!EMPTY_MIGRATION.test(sql)) {
        const folder = join(dir, `${timestamp(now)}_${name}`);
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'migration.sql'), sql);
        written.push(`${provider}/${timestamp(now)}_${name}`);
      }
      writeFileSync(path, next);
    }
  });
  return written;
}

/** Lists every drift found; empty means the derived files match models.prisma. */
export async function checkSchemas(packageDir: string): Promise<string[]> {
  const models = readModels(packageDir);
  const problems: string[] = [];
  const names = new Map<DatabaseProvider, string[]>();
  for (const provider of providers) {
    const path = schemaPath(packageDir, provider);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== deriveSchema(models, provider)) {
      problems.push(`${path} does not match models.prisma: run core-pod-prisma sync`);
    }
    const dir = migrationsDir(packageDir, provider);
    names.set(provider, existsSync(dir) ? readdirSync(dir).filter((n) => n !== 'migration_lock.toml').sort() : []);
  }
  if (JSON.stringify(names.get('sqlite')) !== JSON.stringify(names.get('postgresql'))) {
    problems.push('sqlite and postgresql migration histories differ: both are written by one sync');
  }
  // The SQLite history replayed on a scratch database must reach exactly the derived schema.
  if (problems.length === 0) {
    await withScratchEngine(async (engine) => {
      await engine.applyMigrations({ migrationsList: readMigrationsFolder(migrationsDir(packageDir, 'sqlite')), filters: noSchemaFilter });
      const diff = await engine.diff({
        from: { tag: 'schemaDatasource', files: [scratchDatasource], configDir: packageDir },
        to: datamodel(deriveSchema(models, 'sqlite')),
        script: true,
        exitCode: null,
        filters: noSchemaFilter,
      });
      if (!EMPTY_MIGRATION.test(diff.stdout ?? '')) {
        problems.push(`migrations do not reach models.prisma; missing:\n${diff.stdout}`);
      }
    });
  }
  return problems;
}
