// The pod supervisor: starts services in dependency order behind readiness probes, keeps a
// supervisord-style state machine per service from PM2's events, restarts with backoff until
// FATAL, and stops in reverse order.
import type { Logger } from 'pino';
import type { CrashNotifier, StateEvent } from './crash-notifier';
import type { ProcessDriver } from './pm2-driver';
import type { ExitRecord, PodDefinition, ServiceDefinition, ServiceState, ServiceStatus, ServiceStatusWithUsage } from './pod-types';
import { waitUntilReady } from './readiness-probe';
import type { ServiceOutput } from './service-output';
import { startOrder } from './start-order';

export interface SupervisorDeps {
  definition: PodDefinition;
  driver: ProcessDriver;
  logger: Logger;
  output: ServiceOutput;
  notifier?: CrashNotifier;
  /** Called on every state change (e.g. to rewrite the state file). */
  onChange?: (services: ServiceStatus[]) => void;
  /** Called when a critical service reaches FATAL. */
  onCriticalFatal?: (service: string) => void;
}

export interface Supervisor {
  /** Resolves when every service is RUNNING; rejects naming the first that is not. */
  start(): Promise<void>;
  /** Stops every service in reverse start order. */
  stop(): Promise<void>;
  states(): ServiceStatus[];
  status(): Promise<ServiceStatusWithUsage[]>;
}

/** A service that did not get ready: the message names it and carries its last log lines. */
export class StartFailure extends Error {
  constructor(
    readonly service: string,
    reason: string,
    readonly lastLines: string[],
  ) {
    super(`service "${service}" failed to start: ${reason}${lastLines.length ? `\nlast log lines of ${service}:\n  ${lastLines.join('\n  ')}` : ''}`);
    this.name = 'StartFailure';
  }
}

interface ServiceRecord {
  def: ServiceDefinition;
  state: ServiceState;
  pid: number | null;
  restarts: number;
  startedAt: Date | null;
  lastExit: ExitRecord | null;
  /** True from spawn until PM2 reports the exit (PM2 fires `exit` twice: the second is ignored). */
  alive: boolean;
  /** Bumped on every spawn so stale probes and timers of an earlier process do nothing. */
  generation: number;
  knownToPm2: boolean;
  /** PM2's spawn time of the current process, to tell a late duplicate `exit` from a new one. */
  spawnedAt: number | null;
  stopping: boolean;
  /** Set while the supervisor itself is stopping the process, so its exit is not a crash. */
  exitRequested: boolean;
  failedStarts: number;
  failure: string | null;
  backoffTimer: NodeJS.Timeout | null;
  exitWaiters: Array<() => void>;
  settleWaiters: Array<() => void>;
}

export function createSupervisor(deps: SupervisorDeps): Supervisor {
  const { driver, logger, output } = deps;
  const ordered = startOrder(deps.definition.services);
  const records = new Map<string, ServiceRecord>(
    ordered.map((def) => [
      def.name,
      { def, state: 'STOPPED', pid: null, restarts: 0, startedAt: null, lastExit: null, alive: false, generation: 0, knownToPm2: false, spawnedAt: null, stopping: false, exitRequested: false, failedStarts: 0, failure: null, backoffTimer: null, exitWaiters: [], settleWaiters: [] },
    ]),
  );

  const snapshot = (r: ServiceRecord): ServiceStatus => ({
    name: r.def.name,
    state: r.state,
    pid: r.pid,
    restarts: r.restarts,
    startedAt: r.startedAt?.toISOString() ?? null,
    lastExit: r.lastExit,
    critical: r.def.critical,
  });
  const states = (): ServiceStatus[] => [...records.values()].map(snapshot);

  const setState = (r: ServiceRecord, state: ServiceState, unexpected = false): void => {
    if (r.state === state) return;
    const event: StateEvent = {
      event: 'service_state',
      service: r.def.name,
      state,
      previousState: r.state,
      exitCode: r.lastExit?.code ?? null,
      signal: r.lastExit?.signal ?? null,
      restarts: r.restarts,
      lastLines: state === 'RUNNING' || state === 'STARTING' ? [] : output.lastLines(r.def.name),
      time: new Date().toISOString(),
      unexpected,
    };
    r.state = state;
    logger[state === 'FATAL' || unexpected ? 'warn' : 'info'](event, `${r.def.name}: ${event.previousState} -> ${state}`);
    deps.notifier?.notify(event);
    deps.onChange?.(states());
    if (state === 'RUNNING' || state === 'FATAL' || state === 'STOPPED') for (const w of r.settleWaiters.splice(0)) w();
    if (state === 'FATAL' && r.def.critical && !r.stopping) deps.onCriticalFatal?.(r.def.name);
  };

  const spawn = async (r: ServiceRecord): Promise<void> => {
    const generation = ++r.generation;
    r.alive = true;
    r.spawnedAt = null;
    r.exitRequested = false;
    r.startedAt = new Date();
    r.pid = null;
    setState(r, 'STARTING');
    try {
      if (r.knownToPm2) await driver.restart(r.def.name);
      else {
        await driver.remove(r.def.name).catch(() => undefined);
        await driver.start({ name: r.def.name, script: r.def.script, args: r.def.args, nodeArgs: r.def.nodeArgs, cwd: r.def.cwd, env: r.def.env ?? {}, killTimeoutMs: r.def.stopTimeoutMs });
        r.knownToPm2 = true;
      }
    } catch (error) {
      r.alive = false;
      return failedStart(r, `PM2 could not start it: ${(error as Error).message}`);
    }
    // Probing starts at once: PM2's list (the new pid) is slower than a fast service's start.
    const listed = driver.list().then(
      (processes) => {
        const info = processes.find((p) => p.name === r.def.name);
        if (generation === r.generation && r.alive) {
          r.pid = info?.pid ?? null;
          r.spawnedAt = info?.spawnedAt ?? null;
        }
      },
      () => undefined,
    );
    const ready = await waitUntilReady(r.def.readinessUrl, {
      timeoutMs: r.def.startTimeoutMs,
      isCancelled: () => generation !== r.generation || !r.alive || r.stopping,
    });
    await listed;
    if (generation !== r.generation || !r.alive || r.stopping) return; // the exit handler took over
    if (ready) {
      r.failure = null;
      return setState(r, 'RUNNING');
    }
    // Alive but never ready: PM2 would call this "online"; for us it is a failed start.
    logger.warn({ service: r.def.name, url: r.def.readinessUrl }, `${r.def.name}: not ready within ${r.def.startTimeoutMs} ms, stopping it`);
    await stopProcess(r);
    failedStart(r, `readiness probe ${r.def.readinessUrl} did not answer 2xx within ${r.def.startTimeoutMs} ms`);
  };

  const failedStart = (r: ServiceRecord, reason: string): void => {
    r.failedStarts += 1;
    r.failure = reason;
    const policy = r.def.restart;
    if (!policy.autorestart || r.failedStarts > policy.startretries) return setState(r, 'FATAL', true);
    setState(r, 'BACKOFF', true);
    const delay = Math.min(policy.backoffBaseMs * 2 ** (r.failedStarts - 1), policy.backoffMaxMs);
    r.backoffTimer = setTimeout(() => {
      r.backoffTimer = null;
      r.restarts += 1;
      void spawn(r);
    }, delay);
  };

  const onExit = (r: ServiceRecord, code: number | null, spawnedAt: number | null): void => {
    if (!r.alive) return;
    if (spawnedAt !== null && r.spawnedAt !== null && spawnedAt < r.spawnedAt) return;
    r.alive = false;
    r.pid = null;
    // PM2 reports a death by signal (kill -9, OOM killer) as code 0: an exit we did not ask
    // for with code 0 is recorded as an unknown signal rather than a clean exit.
    const requested = r.stopping || r.exitRequested;
    const unexplained = !requested && (code === 0 || code === null);
    r.lastExit = { code: unexplained ? null : code, signal: unexplained ? 'unknown' : null, at: new Date().toISOString() };
    for (const w of r.exitWaiters.splice(0)) w();
    if (requested) return;
    const upMs = Date.now() - (r.startedAt?.getTime() ?? 0);
    if (r.state === 'STARTING' || upMs < r.def.restart.startsecs * 1000) {
      return failedStart(r, `exited ${describeExit(r.lastExit)} ${upMs} ms after start`);
    }
    r.failedStarts = 0;
    setState(r, 'EXITED', true);
    if (r.def.restart.autorestart) {
      r.restarts += 1;
      void spawn(r);
    }
  };

  driver.onEvent((event) => {
    const r = records.get(event.name);
    if (!r) return;
    if (event.type === 'log') output.add(event.name, event.stream, event.text);
    else if (event.type === 'exit') onExit(r, event.code, event.spawnedAt);
  });

  const stopProcess = async (r: ServiceRecord): Promise<void> => {
    if (!r.alive) return;
    r.exitRequested = true;
    const exited = new Promise<void>((resolve) => r.exitWaiters.push(resolve));
    try {
      if (r.pid) process.kill(r.pid, r.def.stopsignal);
    } catch {
      // already gone: PM2's exit event will follow
    }
    const timedOut = await Promise.race([exited.then(() => false), delay(r.def.stopTimeoutMs).then(() => true)]);
    // Either way let PM2 finish (it SIGKILLs after kill_timeout) so its view matches ours.
    if (timedOut) logger.warn({ service: r.def.name }, `${r.def.name}: still running ${r.def.stopTimeoutMs} ms after ${r.def.stopsignal}`);
    await driver.stop(r.def.name).catch(() => undefined);
    if (timedOut) await Promise.race([exited, delay(r.def.stopTimeoutMs)]);
  };

  const waitSettled = (r: ServiceRecord): Promise<void> =>
    r.state === 'RUNNING' || r.state === 'FATAL' ? Promise.resolve() : new Promise((resolve) => r.settleWaiters.push(resolve));

  return {
    async start() {
      for (const r of records.values()) {
        r.stopping = false;
        r.failedStarts = 0;
        logger.info({ service: r.def.name }, `starting ${r.def.name}`);
        const settled = waitSettled(r);
        void spawn(r);
        await settled;
        if (r.state !== 'RUNNING') throw new StartFailure(r.def.name, r.failure ?? `ended ${r.state}`, output.lastLines(r.def.name));
      }
    },
    async stop() {
      for (const r of [...records.values()].reverse()) {
        r.stopping = true;
        if (r.backoffTimer) clearTimeout(r.backoffTimer);
        r.backoffTimer = null;
        // A FATAL service has no process left and keeps its state for the post-mortem.
        if (r.state === 'STOPPED' || (r.state === 'FATAL' && !r.alive)) continue;
        logger.info({ service: r.def.name }, `stopping ${r.def.name}`);
        await stopProcess(r);
        for (const w of r.settleWaiters.splice(0)) w();
        setState(r, 'STOPPED');
      }
    },
    states,
    async status() {
      const processes = await driver.list();
      return states().map((s) => {
        const p = processes.find((candidate) => candidate.name === s.name && candidate.online);
        const up = s.state === 'RUNNING' && s.startedAt ? (Date.now() - Date.parse(s.startedAt)) / 1000 : 0;
        return { ...s, uptimeSeconds: Math.round(up), cpuPercent: p?.cpuPercent ?? 0, memoryBytes: p?.memoryBytes ?? 0 };
      });
    },
  };
}

function describeExit(exit: ExitRecord): string {
  return exit.signal ? `by signal (${exit.signal})` : `with code ${exit.code}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
