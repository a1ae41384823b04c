// Runs each service's migration script (a one-shot Node process) before the pod starts, all at
// once since every service owns its database; a failure names the service and carries the output.
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import type { PodDefinition, ServiceDefinition } from './pod-types';

/** Set on a service started after its migrations ran, so it skips applying them again (contracts.md). */
export const MIGRATIONS_APPLIED_ENV = 'POD_MIGRATIONS_APPLIED';

/**
 * The definition the supervisor starts once runMigrations has succeeded: every service with a
 * migration script is told so, and skips its own migration at every (re)start.
 */
export function withMigrationsApplied(definition: PodDefinition): PodDefinition {
  return {
    ...definition,
    services: definition.services.map((s) => (s.migrateScript ? { ...s, env: { ...s.env, [MIGRATIONS_APPLIED_ENV]: '1' } } : s)),
  };
}

export class MigrationFailure extends Error {
  constructor(
    readonly service: string,
    detail: string,
  ) {
    super(`migrations of "${service}" failed: ${detail}`);
    this.name = 'MigrationFailure';
  }
}

/** Runs every service's migrations at once (each owns its own database), failing on the first. */
export async function runMigrations(services: ServiceDefinition[], logger: Logger, timeoutMs = 120_000): Promise<void> {
  const results = await Promise.allSettled(services.filter((s) => s.migrateScript).map((s) => migrate(s, logger, timeoutMs)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

async function migrate(service: ServiceDefinition, logger: Logger, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [service.migrateScript as string],
      { cwd: service.cwd, env: { ...process.env, ...service.env }, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
  if (result.code !== 0) {
    const tail = result.output.split('\n').slice(-15).join('\n');
    throw new MigrationFailure(service.name, `${service.migrateScript} exited with ${result.code ?? 'a signal or timeout'}\n${tail}`);
  }
  logger.info({ service: service.name, ms: Date.now() - started }, `migrations of ${service.name} applied`);
}
