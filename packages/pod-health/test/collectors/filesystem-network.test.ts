// Filesystem (statfs of the data dir's mount) and network (/proc/net/dev) collectors.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectFilesystem } from '../../src/collectors/filesystem';
import { collectNetwork } from '../../src/collectors/network';

describe('filesystem collector', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-fs-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reports size and free space of the mount holding the data directory', async () => {
    const sample = await collectFilesystem(dir, '/proc');
    expect(sample.sizeBytes).to.be.greaterThan(0);
    expect(sample.availBytes).to.be.within(0, sample.sizeBytes);
    expect(sample.freeBytes).to.be.at.least(sample.availBytes);
    expect(dir.startsWith(sample.mountpoint)).to.equal(true);
  });

  it('measures the nearest existing parent when the data directory does not exist yet', async () => {
    const missing = await collectFilesystem(path.join(dir, 'not', 'yet'), '/proc');
    const parent = await collectFilesystem(dir, '/proc');
    expect(missing.mountpoint).to.equal(parent.mountpoint);
    expect(missing.sizeBytes).to.equal(parent.sizeBytes);
  });
});

describe('network collector', () => {
  it('parses bytes per interface from a /proc/net/dev fixture', async () => {
    const sample = await collectNetwork(path.join(__dirname, '..', 'fixtures', 'host-only', 'proc'));
    expect(sample).to.deep.equal([
      { interface: 'lo', receiveBytes: 58_497, transmitBytes: 58_497 },
      { interface: 'eth0', receiveBytes: 403_793_510, transmitBytes: 1_573_069 },
    ]);
  });

  it('reads the real /proc/net/dev including the loopback interface', async () => {
    const sample = await collectNetwork('/proc');
    expect(sample.map((i) => i.interface)).to.include('lo');
  });
});
