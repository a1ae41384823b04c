// Wires the collectors, the background collection loop, health evaluation, notifications and
// metrics into one HTTP server. Building it does not listen; start() does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { locateCgroup } from './collectors/cgroup-location';
import { collectCpu } from './collectors/cpu';
import { collectFilesystem } from './collectors/filesystem';
import { collectMemory } from './collectors/memory';
import { collectNetwork } from './collectors/network';
import { createPm2ProcessLister, type ProcessLister } from './collectors/pm2-process-list';
import { collectProbes } from './collectors/probes';
import { collectServiceMetrics } from './collectors/service-metrics';
import { collectServices } from './collectors/services';
import { createCollectionLoop, type CollectionLoop } from './collection-loop';
import { createCollectorRegistry, type Snapshot } from './collector-registry';
import type { HealthConfig } from './config';
import { evaluateHealth, type HealthReport } from './health-report';
import { createApp } from './http-app';
import { mergeExpositions } from './exposition-merge';
import { createPodMetrics } from './pod-metrics';
import { createRestartWindow } from './restart-window';
import { serviceStatus } from './service-status';
import { createTransitionNotifier, type TransitionNotifier } from './transition-notifier';
import { createWebhookPoster } from '@core-pod/pod-notifier';

const NOTIFY_GRACE_MS = 2000;

export interface HealthServerDeps {
  logger?: Logger;
  /** Replaces the PM2 lister (e.g. a private PM2_HOME in tests). */
  lister?: ProcessLister;
}

export interface HealthServer {
  server: http.Server;
  loop: CollectionLoop;
  notifier: TransitionNotifier;
  report(): HealthReport;
  /**
   * Listens and starts background collection; resolves once listening, before the first
   * collection has finished (until then /readyz answers 503), so PM2's wait_ready is not held
   * up by probes or by loading PM2.
   */
  start(): Promise<AddressInfo>;
  /** Resolves when the first collection after start() has completed. */
  firstCollection(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, stops the loop. */
  stop(): Promise<void>;
}

export function createHealthServer(config: HealthConfig, deps: HealthServerDeps = {}): HealthServer {
  const logger = deps.logger ?? pino({ level: config.logLevel, base: { service: 'health' } });
  const roots = { cgroupRoot: config.cgroupRoot, procRoot: config.procRoot };
  const location = locateCgroup(roots);
  const lister = deps.lister ?? createPm2ProcessLister(config.pm2Home);
  // Probes run first in each tick so their latency is measured on an idle event loop.
  const registry = createCollectorRegistry({
    probes: () => collectProbes(config.targets, config.probeTimeoutMs),
    serviceMetrics: () => collectServiceMetrics(config.targets, config.probeTimeoutMs),
    memory: async () => collectMemory(await location, roots),
    cpu: async () => collectCpu(await location, roots),
    filesystem: () => collectFilesystem(config.dataDir, config.procRoot),
    network: () => collectNetwork(config.procRoot),
    services: () => collectServices({ supervisorStateFile: config.supervisorStateFile, lister, procRoot: config.procRoot }),
  });
  const loop = createCollectionLoop(registry, config.collectIntervalMs, (err) => logger.error({ err }, 'collection tick failed'));
  const restarts = createRestartWindow(config.thresholds.restartWindowSeconds);
  const sender = config.notifyWebhookUrl
    ? createWebhookPoster({
        url: config.notifyWebhookUrl,
        format: config.notifyFormat,
        timeoutMs: config.notifyTimeoutMs,
        attempts: config.notifyRetries + 1,
        onError: (message) => logger.warn({ event: 'pod_health' }, message),
      })
    : null;
  const notifier = createTransitionNotifier(sender, logger);

  let first: Promise<void> | null = null;
  const lastErrors = new Map<string, string>();
  let previous: Snapshot | null = null;
  let current: Snapshot | null = null;
  let report = evaluateHealth(null, config.thresholds, restarts);
  const podMetrics = createPodMetrics({ snapshot: () => current, report: () => report });
  // The health process's own default metrics join the services' under service="health".
  const ownDefaults = new Registry();
  collectDefaultMetrics({ register: ownDefaults });
  const reserved = new Set(podMetrics.registry.getMetricsAsArray().map((m) => m.name));

  loop.onSnapshot((snapshot) => {
    previous = current;
    current = snapshot;
    restarts.record(snapshot.readings.services ?? [], snapshot.at);
    report = evaluateHealth(snapshot, config.thresholds, restarts);
    podMetrics.observe(snapshot);
    notifier.observe(report);
    // Log a collector's failure when it starts or changes, not on every tick.
    for (const name of registry.names) {
      const error = snapshot.errors[name];
      if (error && error !== lastErrors.get(name)) logger.warn({ collector: name, error }, 'collector failed');
      if (!error && lastErrors.has(name)) logger.info({ collector: name }, 'collector recovered');
      if (error) lastErrors.set(name, error);
      else lastErrors.delete(name);
    }
  });

  const app = createApp(
    {
      report: () => report,
      ready: () => current !== null,
      status: () => serviceStatus(current, previous),
      async metrics() {
        const sources = (current?.readings.serviceMetrics ?? [])
          .filter((m): m is { service: string; text: string; error: null } => m.text !== null)
          .map(({ service, text }) => ({ service, text }));
        sources.push({ service: 'health', text: await ownDefaults.metrics() });
        const body = (await podMetrics.registry.metrics()) + mergeExpositions(sources, reserved);
        return { contentType: podMetrics.registry.contentType, body };
      },
    },
    logger,
  );
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;

  return {
    server,
    loop,
    notifier,
    report: () => report,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      first = loop.start().then(() => undefined);
      first.catch(() => undefined); // failures are logged by the loop; callers may still await it
      const address = server.address() as AddressInfo;
      logger.info({ host: address.address, port: address.port }, 'pod-health listening');
      return address;
    },
    firstCollection: () => first ?? Promise.reject(new Error('start() has not been called')),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await first?.catch(() => undefined);
      await loop.stop();
      await closed;
      // A pending notice may still be retrying; give it a moment, not the whole stop deadline.
      await Promise.race([notifier.idle(), new Promise((resolve) => setTimeout(resolve, NOTIFY_GRACE_MS).unref())]);
    },
  };
}
