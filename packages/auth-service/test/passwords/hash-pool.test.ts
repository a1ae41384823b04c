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

  it('starts workers only when jobs arrive, never more than its size', async () => {
    const lazy = createHashPool(2, { idleMs: 60_000 });
    try {
      expect(lazy.workerCount()).to.equal(0);
      const hashes = await Promise.all(Array.from({ length: 4 }, (_, i) => lazy.hash(`password-${i}`, 10)));
      expect(hashes).to.have.length(4);
      expect(lazy.workerCount()).to.equal(2);
    } finally {
      await lazy.close();
    }
  });

  it('lets an idle worker exit and starts a new one for the next job', async () => {
    const shortLived = createHashPool(1, { idleMs: 50 });
    try {
      const hash = await shortLived.hash('correct horse', 10);
      expect(shortLived.workerCount()).to.equal(1);
      await until(() => shortLived.workerCount() === 0, 'the idle worker to exit');
      expect(await shortLived.compare('correct horse', hash)).to.equal(true);
    } finally {
      await shortLived.close();
    }
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

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
