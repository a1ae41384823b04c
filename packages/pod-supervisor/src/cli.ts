#!/usr/bin/env node
// The operator's CLI: `core-pod start | stop | status | logs | migrate`. `start` runs the pod in
// the foreground (a container's main process); the others talk to it through its files.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, type SupervisorConfig } from './config';
import { runMigrations } from './migrations';
import { corePodDefinition } from './pod-definition';
import type { PodDefinition } from './pod-types';
import { runPod } from './pod-runner';
import { readProcessUsage } from './process-usage';
import { startOrder } from './start-order';
import { readStateFile, stateFilePath } from './state-file';

const usage = `usage: core-pod <command> [options]
  start   [--definition FILE]   run the pod in the foreground (Ctrl-C / SIGTERM stops it)
  stop                          ask the running supervisor to stop the pod, wait for it
  status  [--json]              services with state, pid, uptime, restarts, CPU, memory
  logs    [-n LINES] [-f]       the pod's JSON log (every service, one file)
  migrate [--definition FILE]   apply every service's database migrations and exit`;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** A definition module exports `definition`, a default, or `createDefinition(env)`; a JSON file is one. */
function loadDefinition(args: string[]): PodDefinition {
  const file = option(args, '--definition') ?? process.env.POD_DEFINITION;
  if (!file) return corePodDefinition();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(file)) as { definition?: PodDefinition; default?: PodDefinition; createDefinition?: (env: NodeJS.ProcessEnv) => PodDefinition; services?: unknown };
  const definition = mod.createDefinition?.(process.env) ?? mod.definition ?? mod.default ?? (Array.isArray(mod.services) ? (mod as PodDefinition) : undefined);
  if (!definition) throw new Error(`${file} exports no pod definition (definition, default or createDefinition)`);
  return definition;
}

/** A zombie (exited, not yet reaped by its parent) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function stop(config: SupervisorConfig): Promise<number> {
  const state = readStateFile(stateFilePath(config.dataDir));
  if (!state || !isAlive(state.supervisorPid)) {
    console.log('no running pod supervisor found');
    return 0;
  }
  process.kill(state.supervisorPid, 'SIGTERM');
  const deadline = Date.now() + config.stopDeadlineMs + 5000;
  while (isAlive(state.supervisorPid)) {
    if (Date.now() > deadline) {
      console.error(`supervisor ${state.supervisorPid} still running`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log('pod stopped');
  return 0;
}

function status(config: SupervisorConfig, json: boolean): number {
  const state = readStateFile(stateFilePath(config.dataDir));
  if (!state) {
    console.error(`no state file at ${stateFilePath(config.dataDir)}: the pod has not run under core-pod`);
    return 1;
  }
  const running = isAlive(state.supervisorPid);
  const services = state.services.map((s) => {
    const usage = s.pid && running ? readProcessUsage(s.pid) : null;
    const uptimeSeconds = s.state === 'RUNNING' && s.startedAt ? Math.round((Date.now() - Date.parse(s.startedAt)) / 1000) : 0;
    return { ...s, uptimeSeconds, cpuSeconds: usage?.cpuSeconds ?? 0, memoryBytes: usage?.rssBytes ?? 0 };
  });
  if (json) {
    console.log(JSON.stringify({ supervisorPid: state.supervisorPid, supervisorRunning: running, updatedAt: state.updatedAt, services }, null, 2));
    return 0;
  }
  console.log(`supervisor pid ${state.supervisorPid} ${running ? 'running' : 'not running'}, state of ${state.updatedAt}`);
  const rows = services.map((s) => [s.name, s.state, String(s.pid ?? '-'), `${s.uptimeSeconds}s`, String(s.restarts), `${s.cpuSeconds.toFixed(1)}s`, `${(s.memoryBytes / 1048576).toFixed(1)} MB`]);
  const table = [['name', 'state', 'pid', 'uptime', 'restarts', 'cpu', 'memory'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  return 0;
}

async function logs(config: SupervisorConfig, lines: number, follow: boolean): Promise<number> {
  if (!fs.existsSync(config.logFile)) {
    console.error(`no log at ${config.logFile}`);
    return 1;
  }
  const text = fs.readFileSync(config.logFile, 'utf8');
  process.stdout.write(text.split('\n').slice(-lines - 1).join('\n'));
  if (!follow) return 0;
  let offset = Buffer.byteLength(text);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const size = fs.statSync(config.logFile).size;
    if (size < offset) offset = 0; // rotated
    if (size > offset) {
      const fd = fs.openSync(config.logFile, 'r');
      const chunk = Buffer.alloc(size - offset);
      fs.readSync(fd, chunk, 0, chunk.length, offset);
      fs.closeSync(fd);
      process.stdout.write(chunk);
      offset = size;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      return runPod(config, loadDefinition(args));
    case 'stop':
      return stop(config);
    case 'status':
      return status(config, args.includes('--json'));
    case 'logs':
      return logs(config, Number(option(args, '-n') ?? 50), args.includes('-f'));
    case 'migrate': {
      const logger = pino({ base: { source: 'supervisor' } });
      await runMigrations(startOrder(loadDefinition(args).services), logger);
      return 0;
    }
    default:
      console.error(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : (error as Error).message);
    process.exit(1);
  },
);
