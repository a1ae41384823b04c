// The only module that talks to PM2: lists the apps of the daemon at PM2_HOME, or reports "no
// services" when no daemon runs (PM2's connect() would otherwise spawn one). PM2 objects stay here.
import path from 'node:path';

export type ServiceState = 'STARTING' | 'RUNNING' | 'BACKOFF' | 'EXITED' | 'FATAL' | 'STOPPED';

export interface Pm2App {
  name: string;
  pid: number | null;
  state: ServiceState;
  restarts: number;
  startedAt: number | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
}

export interface ProcessLister {
  list(): Promise<Pm2App[]>;
}

/** PM2 statuses in supervisord's vocabulary (DESIGN §3, pod-supervisor uses the same words). */
const STATES: Record<string, ServiceState> = {
  online: 'RUNNING',
  launching: 'STARTING',
  'one-launch-status': 'STARTING',
  'waiting restart': 'BACKOFF',
  stopping: 'STOPPED',
  stopped: 'STOPPED',
  errored: 'FATAL',
};

interface Pm2Description {
  name?: string;
  pid?: number;
  monit?: { cpu?: number; memory?: number };
  pm2_env?: { status?: string; restart_time?: number; pm_uptime?: number };
}

interface Pm2Api {
  Client: { pingDaemon(cb: (alive: boolean) => void): void };
  connect(cb: (err: Error | null) => void): void;
  list(cb: (err: Error | null, list: Pm2Description[]) => void): void;
  disconnect(cb?: () => void): void;
}

function toApp(d: Pm2Description): Pm2App {
  const status = d.pm2_env?.status ?? 'stopped';
  return {
    name: d.name ?? 'unknown',
    pid: d.pid && d.pid > 0 ? d.pid : null,
    state: STATES[status] ?? 'EXITED',
    restarts: d.pm2_env?.restart_time ?? 0,
    startedAt: d.pm2_env?.pm_uptime ? d.pm2_env.pm_uptime / 1000 : null,
    cpuPercent: d.monit?.cpu ?? null,
    memoryBytes: d.monit?.memory ?? null,
  };
}

function call<T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

type Pm2Module = { custom: new (opts: object) => Pm2Api };
let pm2Module: Pm2Module | null = null;

/**
 * Loaded lazily: requiring pm2 costs 0.1–0.45 s and is only needed without a supervisor. Its
 * default instance creates the folders of $PM2_HOME (else ~/.pm2) at require time, so the
 * require runs with PM2_HOME pointing at the home we were given.
 */
function loadPm2(home: string): Pm2Module {
  if (pm2Module) return pm2Module;
  const previous = process.env.PM2_HOME;
  process.env.PM2_HOME = home;
  try {
    pm2Module = require('pm2') as Pm2Module;
  } finally {
    if (previous === undefined) delete process.env.PM2_HOME;
    else process.env.PM2_HOME = previous;
  }
  return pm2Module;
}

/**
 * Connects per listing (every collection tick) rather than holding a connection: a held axon
 * socket would reconnect forever in the background after the daemon stops.
 */
export function createPm2ProcessLister(pm2Home: string | null): ProcessLister {
  const home = pm2Home ?? path.join(process.env.HOME ?? '/root', '.pm2');
  return {
    async list() {
      const pm2 = loadPm2(home);
      const api = new pm2.custom({ pm2_home: home, daemon_mode: true });
      const alive = await new Promise<boolean>((resolve) => api.Client.pingDaemon(resolve));
      if (!alive) return [];
      await call<void>((cb) => api.connect((err) => cb(err, undefined)));
      try {
        const list = await call<Pm2Description[]>((cb) => api.list(cb));
        return list.map(toApp);
      } finally {
        api.disconnect();
      }
    },
  };
}
