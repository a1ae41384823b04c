// The only module that talks to PM2: starts, stops and lists processes and turns PM2's bus
// into plain typed events. PM2's callback API and process objects never leave this file.
import fs from 'node:fs';
import path from 'node:path';

/** What the supervisor asks PM2 to run (always fork mode, one instance). */
export interface ProcessSpec {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  cwd?: string;
  env: Record<string, string>;
  /** PM2 sends SIGINT, then SIGKILL after this many ms (our own stop signal goes first). */
  killTimeoutMs: number;
}

export interface ProcessInfo {
  name: string;
  pid: number | null;
  /** When PM2 spawned the current process (ms since epoch). */
  spawnedAt: number | null;
  online: boolean;
  cpuPercent: number;
  memoryBytes: number;
}

export type DriverEvent =
  | { type: 'online'; name: string; pid: number | null }
  /**
   * PM2 reports a death by signal as code 0 and never the signal itself. `spawnedAt` (ms) tells
   * which process exited: PM2 repeats `exit` for a process it had to kill itself.
   */
  | { type: 'exit'; name: string; code: number | null; spawnedAt: number | null }
  | { type: 'log'; name: string; stream: 'out' | 'err'; text: string };

export interface ProcessDriver {
  readonly home: string;
  start(spec: ProcessSpec): Promise<void>;
  /** Starts again an app that PM2 already knows (after an exit or a stop). */
  restart(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<ProcessInfo[]>;
  onEvent(listener: (event: DriverEvent) => void): void;
  /** Disconnects; with `killDaemon` also deletes every app and stops PM2 itself. */
  close(options: { killDaemon: boolean }): Promise<void>;
}

// Minimal shape of the PM2 API this module uses (PM2's own typings have no `custom`).
type Callback<T = unknown> = (err: unknown, result: T) => void;
interface Pm2Description {
  name?: string;
  pid?: number;
  monit?: { cpu?: number; memory?: number };
  pm2_env?: { status?: string; pm_uptime?: number };
}
interface Pm2Api {
  connect(noDaemon: boolean, cb: Callback): void;
  start(options: Record<string, unknown>, cb: Callback): void;
  restart(name: string, cb: Callback): void;
  stop(name: string, cb: Callback): void;
  delete(name: string, cb: Callback): void;
  list(cb: Callback<Pm2Description[]>): void;
  launchBus(cb: Callback<Pm2Bus>): void;
  killDaemon(cb: Callback): void;
  disconnect(cb?: () => void): void;
  disconnectBus?(cb?: () => void): void;
  Client?: { disconnectBus?(cb?: () => void): void };
}
interface Pm2Bus {
  on(event: string, listener: (packet: Pm2Packet) => void): void;
}
interface Pm2Packet {
  event?: string;
  data?: unknown;
  process?: { name?: string; pid?: number; exit_code?: number; pm_uptime?: number; pm2_env?: { exit_code?: number } };
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, result) => (err ? reject(err instanceof Error ? err : new Error(describeError(err))) : resolve(result)));
  });
}

function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  if (typeof err === 'object' && err !== null && 'msg' in err) return String((err as { msg: unknown }).msg);
  return String(err);
}

export interface ConnectOptions {
  /** PM2_HOME for this pod: sockets, pid files. Never the user's ~/.pm2. */
  home: string;
  /**
   * Run PM2's God inside this process (like pm2-runtime) instead of spawning a daemon:
   * saves a ~60 MB process and ties the services' lifetime to the supervisor's.
   */
  inProcess: boolean;
}

/** Connects to (or launches) PM2 in `home` and returns the driver. */
export async function connectPm2(options: ConnectOptions): Promise<ProcessDriver> {
  fs.mkdirSync(options.home, { recursive: true });
  process.env.PM2_DISABLE_VERSION_CHECK = 'true';
  process.env.PM2_DISCRETE_MODE = 'true';
  process.env.PM2_NO_INTERACTION = 'true';
  // The spawned daemon takes PM2_HOME from our environment before `pm2_home`; keep them equal.
  process.env.PM2_HOME = options.home;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pm2Module = require('pm2') as { custom: new (opts: Record<string, unknown>) => Pm2Api };
  const pm2 = new pm2Module.custom({ pm2_home: options.home, daemon_mode: !options.inProcess });
  await call((cb) => pm2.connect(options.inProcess, cb));
  const bus = await call<Pm2Bus>((cb) => pm2.launchBus(cb));
  const listeners: Array<(event: DriverEvent) => void> = [];
  const emit = (event: DriverEvent): void => {
    for (const listener of listeners) listener(event);
  };

  bus.on('process:event', (packet) => {
    const name = packet.process?.name;
    if (!name) return;
    if (packet.event === 'online') emit({ type: 'online', name, pid: packet.process?.pid ?? null });
    if (packet.event === 'exit') {
      const code = packet.process?.exit_code ?? packet.process?.pm2_env?.exit_code ?? null;
      emit({ type: 'exit', name, code, spawnedAt: packet.process?.pm_uptime ?? null });
    }
  });
  for (const stream of ['out', 'err'] as const) {
    bus.on(`log:${stream}`, (packet) => {
      const name = packet.process?.name;
      if (name && typeof packet.data === 'string') emit({ type: 'log', name, stream, text: packet.data });
    });
  }

  return {
    home: options.home,
    async start(spec) {
      await call((cb) =>
        pm2.start(
          {
            name: spec.name,
            script: spec.script,
            args: spec.args ?? [],
            node_args: spec.nodeArgs ?? [],
            cwd: spec.cwd ?? path.dirname(spec.script),
            env: spec.env,
            exec_mode: 'fork',
            instances: 1,
            interpreter: process.execPath,
            // The supervisor owns restarts (supervisord semantics); PM2's own loop gets stuck.
            autorestart: false,
            kill_timeout: spec.killTimeoutMs,
            pmx: false,
            automation: false,
            vizion: false,
            treekill: false,
            // Output reaches us over the bus; PM2's unrotated files would double every line.
            out_file: '/dev/null',
            error_file: '/dev/null',
            merge_logs: true,
          },
          cb,
        ),
      );
    },
    async restart(name) {
      await call((cb) => pm2.restart(name, cb));
    },
    async stop(name) {
      await call((cb) => pm2.stop(name, cb));
    },
    async remove(name) {
      await call((cb) => pm2.delete(name, cb));
    },
    async list() {
      const processes = await call<Pm2Description[]>((cb) => pm2.list(cb));
      return processes.map((p) => ({
        name: p.name ?? '?',
        pid: p.pid ? p.pid : null,
        spawnedAt: p.pm2_env?.pm_uptime ?? null,
        online: p.pm2_env?.status === 'online',
        cpuPercent: p.monit?.cpu ?? 0,
        memoryBytes: p.monit?.memory ?? 0,
      }));
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async close({ killDaemon }) {
      listeners.length = 0;
      if (killDaemon) {
        await call((cb) => pm2.delete('all', cb)).catch(() => undefined);
        if (!options.inProcess) await call((cb) => pm2.killDaemon(cb)).catch(() => undefined);
      }
      pm2.Client?.disconnectBus?.();
      await new Promise<void>((resolve) => pm2.disconnect(() => resolve()));
    },
  };
}
