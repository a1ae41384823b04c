// The pod log rotates by size and count in process and keeps every line whole JSON.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRotatingLog } from '../src/rotating-log';
import { createServiceOutput } from '../src/service-output';
import { freePorts, type RunningPod, startPod } from './pod-harness';

describe('the pod log', function () {
  this.timeout(60_000);
  let dir: string;
  let pod: RunningPod | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-log-'));
  });
  afterEach(async () => {
    await pod?.cleanup();
    pod = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rotates by size, keeps at most maxFiles old files and never splits a line', () => {
    const file = path.join(dir, 'pod.log');
    const log = openRotatingLog({ file, maxBytes: 1000, maxFiles: 2, stdout: false });
    for (let i = 0; i < 100; i++) log.write(JSON.stringify({ i, pad: 'x'.repeat(80) }));
    log.close();

    expect(fs.readdirSync(dir).sort()).to.deep.equal(['pod.log', 'pod.log.1', 'pod.log.2']);
    const kept = ['pod.log.2', 'pod.log.1', 'pod.log'].flatMap((f) => {
      expect(fs.statSync(path.join(dir, f)).size).to.be.at.most(1000);
      return fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i);
    });
    // The newest lines survive, in order, with none missing in between.
    expect(kept.at(-1)).to.equal(99);
    expect(kept).to.deep.equal(Array.from({ length: kept.length }, (_, k) => 100 - kept.length + k));
  });

  it('tags pino lines and plain lines with the service name and reassembles split chunks', () => {
    const file = path.join(dir, 'pod.log');
    const log = openRotatingLog({ file, maxBytes: 1_000_000, maxFiles: 1, stdout: false });
    const output = createServiceOutput(log);
    output.add('auth', 'out', '{"level":30,"msg":"listening","port":3001}\nplain te');
    output.add('auth', 'out', 'xt line\n');
    output.add('users', 'err', 'Error: boom\n');
    log.close();

    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).to.deep.equal({ level: 30, msg: 'listening', port: 3001, service: 'auth' });
    expect(lines[1]).to.include({ service: 'auth', stream: 'out', msg: 'plain text line', level: 30 });
    expect(lines[2]).to.include({ service: 'users', stream: 'err', msg: 'Error: boom', level: 50 });
    expect(output.lastLines('auth')).to.deep.equal(['{"level":30,"msg":"listening","port":3001}', 'plain text line']);
  });

  it('collects every service of a running pod into one rotated file set', async () => {
    const [a] = await freePorts(1);
    pod = startPod([{ name: 'chatty', port: a!, env: { FIXTURE_LOG_BYTES: '60000' } }], { POD_LOG_MAX_BYTES: '20000', POD_LOG_MAX_FILES: '2' });
    await pod.allRunning();
    const logs = path.join(pod.dataDir, 'logs');
    pod.child.kill('SIGTERM');
    expect(await pod.exit).to.equal(0);

    expect(fs.readdirSync(logs).sort()).to.deep.equal(['pod.log', 'pod.log.1', 'pod.log.2']);
    for (const f of ['pod.log.2', 'pod.log.1']) {
      const lines = fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean);
      expect(fs.statSync(path.join(logs, f)).size).to.be.at.most(20000);
      const parsed = lines.map((l) => JSON.parse(l) as { service?: string; source?: string });
      // Every line says where it came from: a service, or the supervisor itself.
      for (const line of parsed) expect(line.service ?? line.source).to.be.oneOf(['chatty', 'supervisor']);
      expect(parsed.filter((l) => l.service === 'chatty').length).to.be.greaterThan(50);
    }
    expect(pod.logLines().at(-1)).to.include({ source: 'supervisor', msg: 'pod stopped' });
  });
});
