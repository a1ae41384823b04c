import path from 'node:path';
import { checkSchemas } from '@core-pod/prisma-runtime';
import { expect } from 'chai';

describe('database schema', () => {
  it('keeps the per-provider schemas and migrations in step with prisma/models.prisma', async () => {
    expect(await checkSchemas(path.resolve(__dirname, '..', '..'))).to.deep.equal([]);
  });
});
