import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect } from 'chai';
import { costOf, createHashPool, type PasswordHasher } from '../../src/passwords/hash-pool';

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

  it('keeps the event loop free while hashing', async () => {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    await Promise.all(Array.from({ length: 4 }, () => pool.hash('correct horse', 11)));
    histogram.disable();
    // A cost-11 bcryptjs hash blocks ~100+ ms on the main thread; off-thread the loop stays free.
    expect(histogram.max / 1e6).to.be.below(60);
  });

  it('reports a failing job as an error and keeps serving', async () => {
    let failure: unknown;
    await pool.compare('x', 'not-a-bcrypt-hash').catch((err: unknown) => {
      failure = err;
    });
    if (failure === undefined) expect(await pool.compare('x', 'not-a-bcrypt-hash')).to.equal(false);
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
