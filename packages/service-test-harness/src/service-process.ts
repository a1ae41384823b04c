// Runs one of a service's entry points (src/main.ts, src/migrate.ts) as a real child process with
// tsx, collecting its output, for the entry-point and outage tests.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Only PATH is inherited: each test states the environment the service sees. */
export function runEntry(packageDir: string, entry: string, env: Record<string, string>): ServiceProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', path.join(packageDir, 'src', entry)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The URL from the JSON "listening" log line, once it is there. */
export function listeningUrl(proc: ServiceProcess, marker: string): string | undefined {
  const line = proc.output().split('\n').find((l) => l.includes(marker));
  return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
}
