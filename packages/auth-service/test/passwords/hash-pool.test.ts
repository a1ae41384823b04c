import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { costOf, createHashPool, createMainThreadHasher, type PasswordHasher } from '../../src/passwords/hash-pool';

describe('bcrypt worker pool', () => {
  let pool: PasswordHasher;
  before(() => {
    pool = createHashPool(2);
  });
  after(() => pool.close());

  it('hashes with the requested cost and verifies the right password only', async () => {
    const hash = await pool.hash('correct horse', 10);
    expect(costOf(hash)).to.equal(10);
    expect(await pool.compare('correct horse', hash)).to.equal(true);
    expect(await pool.compare('wrong horse', hash)).to.equal(false);
  });

  it('runs more jobs than workers by queueing them', async () => {
    const hashes = await Promise.all(Array.from({ length: 5 }, (_, i) => pool.hash(`password-${i}`, 10)));
    const checks = await Promise.all(hashes.map((hash, i) => pool.compare(`password-${i}`, hash)));
    expect(checks).to.deep.equal([true, true, true, true, true]);
  });

  it('never runs bcrypt on the main thread (the event loop stays free; figures in npm run bench)', async () => {
    // Counts main-thread bcryptjs calls instead of timing the loop, so the test cannot flake.
    const lib = bcrypt as unknown as Record<string, (...args: unknown[]) => unknown>;
    const names = ['hash', 'hashSync', 'compare', 'compareSync', 'genSalt', 'genSaltSync'];
    const originals = names.map((name) => lib[name]!);
    let mainThreadCalls = 0;
    names.forEach((name, i) => {
      lib[name] = (...args: unknown[]) => ((mainThreadCalls += 1), originals[i]!(...args));
    });
    try {
      const hash = await pool.hash('correct horse', 10);
      expect(await pool.compare('correct horse', hash)).to.equal(true);
      expect(mainThreadCalls).to.equal(0);
      // The same counter does see the main-thread baseline, so it would catch a regression.
      await createMainThreadHasher().compare('correct horse', hash);
      expect(mainThreadCalls).to.equal(1);
    } finally {
      names.forEach((name, i) => {
        lib[name] = originals[i]!;
      });
    }
  });

  it('reports a failing job as an error and keeps serving', async () => {
    let failure: unknown;
    await pool.hash('x', 'not-a-salt' as unknown as number).catch((err: unknown) => {
      failure = err;
    });
    expect(String(failure)).to.match(/salt/i);
    expect(await pool.compare('correct horse', await pool.hash('correct horse', 10))).to.equal(true);
  });

  it('refuses work after close', async () => {
    const closed = createHashPool(1);
    await closed.close();
    let failure: unknown;
    await closed.hash('abc', 10).catch((err: unknown) => {
      failure = err;
    });
    expect(String(failure)).to.match(/closed/);
  });
});
