// Mocha root hook (a service's .mocharc `require`s `@core-pod/prisma-runtime/testing`): names the
// database variant at the top of the run, since the same suites run once per variant.
import { redactUrl } from '../database-url';
import { testDatabaseVariant, testPostgresServer } from './test-databases';

export const mochaHooks = {
  beforeAll(): void {
    const variant = testDatabaseVariant();
    const where = variant === 'postgresql' ? ` on ${redactUrl(testPostgresServer())}` : ' (temp files)';
    process.stdout.write(`\n  ── database variant: ${variant}${where} ──\n`);
  },
};
