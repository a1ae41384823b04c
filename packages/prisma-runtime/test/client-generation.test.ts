import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAdapterFactory, generateClients, migrate, resolveDatabaseUrl, syncSchemas } from '../src';

describe('generated clients', function () {
  this.timeout(120_000);
  // Inside the package, so the generated client resolves @prisma/client from node_modules.
  const scratchRoot = join(__dirname, '..', '.scratch');
  let dir: string;
  before(async () => {
    cpSync(join(__dirname, 'fixtures', 'empty-service'), (dir = mkdtempSync(join(scratchRoot + '-'))), { recursive: true });
    mkdirSync(join(dir, 'prisma'), { recursive: true });
    writeFileSync(join(dir, 'prisma', 'models.prisma'), 'model Account {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n');
    await syncSchemas(dir, 'init');
    generateClients(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a client per provider that reads and writes SQLite through the driver adapter', async () => {
    expect(existsSync(join(dir, 'src/generated/sqlite/client.ts'))).to.equal(true);
    expect(existsSync(join(dir, 'src/generated/postgresql/client.ts'))).to.equal(true);
    const url = resolveDatabaseUrl(undefined, join(dir, 'data'), 'svc.db');
    await migrate({ url, packageDir: dir });
    const { PrismaClient } = require(join(dir, 'src/generated/sqlite/client.ts'));
    const prisma = new PrismaClient({ adapter: createAdapterFactory(url) });
    try {
      await prisma.account.create({ data: { email: 'a@example.test' } });
      const found = await prisma.account.findUnique({ where: { email: 'a@example.test' } });
      expect(found).to.include({ id: 1, email: 'a@example.test' });
    } finally {
      await prisma.$disconnect();
    }
  });
});
