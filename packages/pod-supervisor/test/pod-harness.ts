// Runs the real CLI (`core-pod start`) on a fixture pod in a temp POD_DATA_DIR and lets tests
// read its state file and log, wait with deadlines and clean up every process it started.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FixtureServiceSpec } from './fixtures/fixture-pod';
import type { PodStatusFile } from '../src/state-file';

const packageDir = path.resolve(__dirname, '..');

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface LogLine {
  [key: string]: unknown;
  msg?: string;
  service?: string;
  source?: string;
  event?: string;
  state?: string;
}

export class RunningPod {
  readonly exit: Promise<number | null>;
  exitCode: number | null | undefined = undefined;
  stderr = '';

  constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve((this.exitCode = code))));
  }

  state(): PodStatusFile | null {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dataDir, 'run', 'pod-status.json'), 'utf8')) as PodStatusFile;
    } catch {
      return null;
    }
  }

  service(name: string) {
    return this.state()?.services.find((s) => s.name === name);
  }

  logLines(): LogLine[] {
    const file = path.join(this.dataDir, 'logs', 'pod.log');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
  }

  /** State transitions the supervisor logged, as "name:STATE". */
  transitions(): string[] {
    return this.logLines().filter((l) => l.event === 'service_state').map((l) => `${l.service}:${l.state}`);
  }

  waitForState(name: string, state: string, timeoutMs?: number) {
    return eventually(() => this.service(name)?.state === state && this.service(name), `${name} to be ${state}`, timeoutMs);
  }

  async allRunning(timeoutMs?: number): Promise<PodStatusFile> {
    return eventually(() => {
      const s = this.state();
      return s !== null && s.services.length > 0 && s.services.every((x) => x.state === 'RUNNING') ? s : undefined;
    }, 'every service RUNNING', timeoutMs);
  }

  /** Kills whatever is left (supervisor and services) and removes the data dir. */
  async cleanup(): Promise<void> {
    const pids = (this.state()?.services ?? []).map((s) => s.pid).filter((p): p is number => !!p);
    if (this.exitCode === undefined) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function startPod(services: FixtureServiceSpec[], env: Record<string, string> = {}): RunningPod {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-test-'));
  const child = spawn(
    process.execPath,
    ['--import=tsx', '--conditions=source', path.join(packageDir, 'src', 'cli.ts'), 'start', '--definition', path.join(packageDir, 'test', 'fixtures', 'fixture-pod.ts')],
    {
      cwd: packageDir,
      env: { ...process.env, POD_DATA_DIR: dataDir, POD_PM2_HOME: path.join(dataDir, 'pm2'), POD_LOG_STDOUT: '0', FIXTURE_POD: JSON.stringify(services), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new RunningPod(child, dataDir);
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}
