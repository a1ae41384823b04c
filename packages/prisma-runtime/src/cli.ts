#!/usr/bin/env node
// core-pod-prisma: keeps a service's per-provider schemas, migrations and clients derived from
// its prisma/models.prisma. Usage: core-pod-prisma sync <packageDir> [name] | generate | check.
import { resolve } from 'node:path';
import { generateClients } from './client-generation';
import { checkSchemas, syncSchemas } from './schema-sync';

async function main(argv: string[]): Promise<number> {
  const [command, dir, name] = argv;
  if (!command || !dir || !['sync', 'generate', 'check'].includes(command)) {
    process.stderr.write('usage: core-pod-prisma sync <packageDir> [migration_name] | generate <packageDir> | check <packageDir>\n');
    return 2;
  }
  const packageDir = resolve(dir);
  if (command === 'sync') {
    const written = await syncSchemas(packageDir, name ?? 'change');
    process.stdout.write(written.length ? `wrote ${written.join(', ')}\n` : 'schemas up to date, no migration needed\n');
    return 0;
  }
  if (command === 'generate') {
    generateClients(packageDir);
    return 0;
  }
  const problems = await checkSchemas(packageDir);
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`core-pod-prisma: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
