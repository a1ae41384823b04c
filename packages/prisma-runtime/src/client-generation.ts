// Runs `prisma generate` for each provider's derived schema. The CLI insists that a schema engine
// binary exists although generation never uses it (DESIGN §2), so any existing file satisfies it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { providers, schemaPath } from './schema-derivation';

export function generateClients(packageDir: string): void {
  const cli = require.resolve('prisma/build/index.js');
  for (const provider of providers) {
    const schema = schemaPath(packageDir, provider);
    if (!existsSync(schema)) throw new Error(`${schema} is missing: run core-pod-prisma sync first`);
    const run = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
      cwd: packageDir,
      encoding: 'utf8',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    });
    if (run.status !== 0) {
      throw new Error(`prisma generate failed for ${schema}:\n${run.stdout}\n${run.stderr}`);
    }
  }
}
