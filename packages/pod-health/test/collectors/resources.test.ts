// Memory and CPU collectors against fixture cgroup v1/v2 layouts (limit set, no limit), a host
// without cgroups, and this machine's real /proc and /sys/fs/cgroup.
import { expect } from 'chai';
import os from 'node:os';
import path from 'node:path';
import { locateCgroup, type CgroupRoots } from '../../src/collectors/cgroup-location';
import { collectCpu } from '../../src/collectors/cpu';
import { collectMemory } from '../../src/collectors/memory';

const fixture = (name: string): CgroupRoots => ({
  cgroupRoot: path.join(__dirname, '..', 'fixtures', name, 'cgroup'),
  procRoot: path.join(__dirname, '..', 'fixtures', name, 'proc'),
});
const HOST_TOTAL = 8_000_000 * 1024;

async function resources(roots: CgroupRoots) {
  const location = await locateCgroup(roots);
  return { location, memory: await collectMemory(location, roots), cpu: await collectCpu(location, roots) };
}

describe('resource collectors', () => {
  it('reads cgroup v2 usage, working set, limits and OOM kills when limits are set', async () => {
    const { location, memory, cpu } = await resources(fixture('cgroup-v2-limit'));
    expect(location.version).to.equal('v2');
    expect(memory).to.deep.equal({
      source: 'cgroup-v2',
      usageBytes: 536_870_912,
      workingSetBytes: 536_870_912 - 134_217_728,
      limitBytes: 1_073_741_824,
      limited: true,
      oomKills: 2,
    });
    expect(cpu.source).to.equal('cgroup-v2');
    expect(cpu.usageSeconds).to.equal(12.5);
    expect(cpu.limitCores).to.equal(Math.min(1.5, os.availableParallelism()));
    expect(cpu.limited).to.equal(true);
  });

  it('reports the host total as the limit when cgroup v2 sets none, from the process’s own nested cgroup', async () => {
    const { location, memory, cpu } = await resources(fixture('cgroup-v2-nolimit'));
    expect(location).to.deep.include({ version: 'v2' });
    expect(memory).to.deep.include({ source: 'cgroup-v2', usageBytes: 104_857_600, workingSetBytes: 100_000_000 });
    expect(memory).to.deep.include({ limitBytes: HOST_TOTAL, limited: false, oomKills: 0 });
    expect(cpu).to.deep.equal({ source: 'cgroup-v2', usageSeconds: 3, limitCores: os.availableParallelism(), limited: false });
  });

  it('reads cgroup v1 memory and cpu,cpuacct controllers with limits set', async () => {
    const { memory, cpu } = await resources(fixture('cgroup-v1-limit'));
    expect(memory).to.deep.equal({
      source: 'cgroup-v1',
      usageBytes: 268_435_456,
      workingSetBytes: 268_435_456 - 67_108_864,
      limitBytes: 314_572_800,
      limited: true,
      oomKills: 3,
    });
    expect(cpu).to.deep.equal({ source: 'cgroup-v1', usageSeconds: 7, limitCores: 0.5, limited: true });
  });

  it('treats the v1 page-rounded 2^63 limit and a -1 quota as no limit', async () => {
    const { memory, cpu } = await resources(fixture('cgroup-v1-nolimit'));
    expect(memory).to.deep.equal({
      source: 'cgroup-v1',
      usageBytes: 52_428_800,
      workingSetBytes: 50_000_000,
      limitBytes: HOST_TOTAL,
      limited: false,
      oomKills: null,
    });
    expect(cpu).to.deep.equal({ source: 'cgroup-v1', usageSeconds: 2.5, limitCores: os.availableParallelism(), limited: false });
  });

  it('falls back to host /proc figures, labelled host, when no cgroup is mounted', async () => {
    const { location, memory, cpu } = await resources(fixture('host-only'));
    expect(location.version).to.equal('none');
    expect(memory).to.deep.equal({
      source: 'host',
      usageBytes: 2_000_000 * 1024,
      workingSetBytes: 2_000_000 * 1024,
      limitBytes: HOST_TOTAL,
      limited: false,
      oomKills: 7,
    });
    // busy = user + nice + system + irq + softirq + steal = 1535 ticks
    expect(cpu).to.deep.equal({ source: 'host', usageSeconds: 15.35, limitCores: os.availableParallelism(), limited: false });
  });

  it('falls back to host memory in a cgroup v2 root, which has no memory.current, but keeps its cpu.stat', async () => {
    const { location, memory, cpu } = await resources(fixture('cgroup-v2-root'));
    expect(location.version).to.equal('v2');
    expect(memory).to.deep.include({ source: 'host', limitBytes: HOST_TOTAL, limited: false, oomKills: 7 });
    expect(cpu).to.deep.include({ source: 'cgroup-v2', usageSeconds: 9, limited: false });
  });

  it('reads this machine’s real cgroup and /proc files', async () => {
    const roots = { cgroupRoot: '/sys/fs/cgroup', procRoot: '/proc' };
    const { memory, cpu } = await resources(roots);
    expect(memory.usageBytes).to.be.greaterThan(0);
    expect(memory.workingSetBytes).to.be.within(1, memory.usageBytes);
    expect(memory.limitBytes).to.be.at.most(os.totalmem());
    expect(cpu.usageSeconds).to.be.greaterThan(0);
    const later = await collectCpu(await locateCgroup(roots), roots);
    expect(later.usageSeconds).to.be.at.least(cpu.usageSeconds);
  });
});
