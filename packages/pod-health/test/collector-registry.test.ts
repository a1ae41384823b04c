// The collector registry: a failing collector is reported and timed, the others still deliver.
import { expect } from 'chai';
import { createCollectorRegistry, type Collectors } from '../src/collector-registry';
import { createCollectionLoop } from '../src/collection-loop';
import { collectNetwork } from '../src/collectors/network';
import { until } from './loopback-servers';

const collectors = (): Collectors => ({
  memory: () => Promise.reject(new Error('no MemTotal in /nowhere/meminfo')),
  cpu: async () => ({ source: 'host', usageSeconds: 1, limitCores: 2, limited: false }),
  filesystem: async () => ({ mountpoint: '/', sizeBytes: 10, availBytes: 5, freeBytes: 5 }),
  network: () => collectNetwork('/proc'),
  services: async () => [],
  probes: async () => [],
  serviceMetrics: async () => [],
});

describe('collector registry', () => {
  it('keeps the other readings when one collector fails, and times every collector', async () => {
    const snapshot = await createCollectorRegistry(collectors(), () => 42).collect();
    expect(snapshot.at).to.equal(42);
    expect(snapshot.errors).to.deep.equal({ memory: 'no MemTotal in /nowhere/meminfo' });
    expect(snapshot.readings.memory).to.equal(undefined);
    expect(snapshot.readings.cpu).to.deep.include({ usageSeconds: 1 });
    expect(snapshot.readings.network?.map((i) => i.interface)).to.include('lo');
    expect(Object.keys(snapshot.costs)).to.have.members(Object.keys(collectors()));
  });

  it('collects in the background on its interval and serves the latest snapshot', async () => {
    let ticks = 0;
    const loop = createCollectionLoop(createCollectorRegistry(collectors(), () => ++ticks), 20);
    expect(loop.latest()).to.equal(null);
    await loop.start();
    const later = await until(() => loop.latest()?.at ?? 0, (at) => at >= 3);
    await loop.stop();
    const stoppedAt = ticks;
    await new Promise((r) => setTimeout(r, 100)); // a stopped loop must not tick again
    expect(later).to.be.at.least(3);
    expect(ticks).to.equal(stoppedAt);
  });

  it('keeps ticking and reports the error when a snapshot listener throws', async () => {
    const errors: unknown[] = [];
    let ticks = 0;
    const loop = createCollectionLoop(createCollectorRegistry(collectors(), () => ++ticks), 20, (err) => errors.push(err));
    loop.onSnapshot(() => {
      throw new Error('listener broke');
    });
    await loop.start();
    await until(() => ticks, (n) => n >= 3);
    await loop.stop();
    expect(errors.length).to.be.at.least(3);
    expect((errors[0] as Error).message).to.equal('listener broke');
  });
});
