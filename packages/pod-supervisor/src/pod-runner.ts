// Runs a pod in the foreground (the container's main process): migrations, ordered start,
// state file, logs, notices; SIGTERM/SIGINT stop it in reverse order and exit 0.
import util from 'node:util';
import pino from 'pino';
import type { SupervisorConfig } from './config';
import { createCrashNotifier } from './crash-notifier';
import { runMigrations, withMigrationsApplied } from './migrations';
import { connectPm2 } from './pm2-driver';
import type { PodDefinition } from './pod-types';
import { openRotatingLog } from './rotating-log';
import { createServiceOutput } from './service-output';
import { startOrder } from './start-order';
import { stateFilePath, writeStateFile } from './state-file';
import { createSupervisor } from './supervisor';

const stateRefreshMs = 2000;

/** Resolves with the process exit code once the pod has stopped. */
export async function runPod(config: SupervisorConfig, definition: PodDefinition): Promise<number> {
  const log = openRotatingLog({ file: config.logFile, maxBytes: config.logMaxBytes, maxFiles: config.logMaxFiles, stdout: config.logStdout === 'all' });
  const logger = pino({ level: config.logLevel, base: { source: 'supervisor', pid: process.pid } }, { write: (line: string) => log.write(line, config.logStdout === 'supervisor') });
  // PM2's God runs in this process and talks through console.*: keep it in our JSON log.
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    console[method] = (...args: unknown[]) => logger[method === 'error' || method === 'warn' ? 'warn' : 'debug']({ source: 'pm2' }, util.format(...args));
  }

  const stateFile = stateFilePath(config.dataDir);
  const output = createServiceOutput(log);
  const notifier = config.notifyWebhookUrl
    ? createCrashNotifier({ url: config.notifyWebhookUrl, format: config.notifyFormat, timeoutMs: config.notifyTimeoutMs, settleMs: config.notifySettleMs, attempts: 3, onError: (m) => logger.warn(m) })
    : undefined;

  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let stopping: Promise<void> | null = null;

  const started = Date.now();
  logger.info({ pm2Home: config.pm2Home, dataDir: config.dataDir }, 'applying migrations');
  // Loading PM2 and its God takes a few hundred ms: do it while the migrations run.
  const migrations = runMigrations(startOrder(definition.services), logger);
  migrations.catch(() => undefined); // awaited (and reported) below, once the driver is up
  const driver = await connectPm2({ home: config.pm2Home, inProcess: true });
  const supervisor = createSupervisor({
    // Nothing is spawned before the migrations succeeded (start() waits for them below).
    definition: withMigrationsApplied(definition),
    driver,
    logger,
    output,
    notifier,
    onChange: (services) => writeStateFile(stateFile, services),
    onCriticalFatal: (service) => {
      if (!config.exitOnCriticalFatal) return;
      logger.error({ service }, `critical service ${service} is FATAL: stopping the pod`);
      shutdown(1);
    },
  });
  const refresh = setInterval(() => writeStateFile(stateFile, supervisor.states()), stateRefreshMs);

  function shutdown(code: number): void {
    if (stopping) return;
    // Past the deadline, finish hard: the container's grace period is about to end anyway.
    const deadline = setTimeout(() => {
      logger.error(`pod did not stop within ${config.stopDeadlineMs} ms; killing what is left`);
      for (const s of supervisor.states()) if (s.pid) tryKill(s.pid);
      finish(1);
    }, config.stopDeadlineMs);
    stopping = supervisor.stop().then(() => {
      clearTimeout(deadline);
      finish(code);
    });
  }

  let finished = false;
  function finish(code: number): void {
    if (finished) return;
    finished = true;
    clearInterval(refresh);
    writeStateFile(stateFile, supervisor.states());
    logger.info({ exitCode: code }, 'pod stopped');
    void Promise.race([notifier?.flush(), new Promise((r) => setTimeout(r, 2000))])
      .then(() => driver.close({ killDaemon: true }))
      .catch(() => undefined)
      .finally(() => {
        log.close();
        resolveExit(code);
      });
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, `received ${signal}: stopping the pod in reverse order`);
    shutdown(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await migrations;
    await supervisor.start();
    logger.info({ ms: Date.now() - started }, 'pod ready: every service answers its readiness probe');
  } catch (error) {
    const message = (error as Error).message;
    logger.error({ err: error }, message);
    // The reason the pod did not start must reach the operator even when logs go to a file only.
    if (config.logStdout === 'none') process.stderr.write(`core-pod: ${message}\n`);
    shutdown(1);
  }
  const code = await exited;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return code;
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
