// Start-up migrations that wait for the database instead of exiting: a pod started while its
// PostgreSQL is still coming up (or briefly away) would otherwise crash-loop under PM2.
import { isDatabaseUnavailable } from './database-availability';
import { migrate, type MigrateOptions } from './migrate';

export interface WaitOptions {
  /** Called before each wait with the error and the delay (log it). */
  onUnavailable(error: unknown, delayMs: number): void;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** Retries with doubling delays while the database is unavailable; any other error is thrown. */
export async function migrateWhenReachable(options: MigrateOptions, wait: WaitOptions): Promise<{ applied: string[] }> {
  const maxDelayMs = wait.maxDelayMs ?? 10_000;
  for (let delayMs = wait.firstDelayMs ?? 500; ; delayMs = Math.min(delayMs * 2, maxDelayMs)) {
    try {
      return await migrate(options);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      wait.onUnavailable(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
