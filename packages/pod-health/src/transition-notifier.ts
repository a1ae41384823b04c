// Turns successive health reports into at most one notification per status transition: while a
// send is in flight only the newest pending transition is kept, so flapping cannot queue a flood.
import type { HealthReport, HealthStatus } from './health-report';
import type { PodEvent, WebhookPoster } from '@core-pod/pod-notifier';

export interface NotifierLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TransitionNotifier {
  observe(report: HealthReport): void;
  /** Resolves when no send is in flight (tests and graceful stop). */
  idle(): Promise<void>;
}

function failingChecks(report: HealthReport): Record<string, HealthStatus> {
  const out: Record<string, HealthStatus> = {};
  for (const [key, [check]] of Object.entries(report.checks)) if (check && check.status !== 'pass') out[key] = check.status;
  return out;
}

export function healthEvent(report: HealthReport, previous: HealthStatus, now = new Date()): PodEvent {
  const checks = failingChecks(report);
  const restarts = Object.entries(report.checks)
    .filter(([key]) => key.endsWith(':restarts'))
    .reduce((sum, [, [check]]) => sum + (typeof check?.observedValue === 'number' ? check.observedValue : 0), 0);
  return {
    event: 'pod_health',
    service: 'pod',
    state: report.status,
    previousState: previous,
    exitCode: null,
    signal: null,
    restarts,
    lastLines: [],
    time: now.toISOString(),
    unexpected: report.status !== 'pass',
    source: 'pod-health',
    message: `pod health ${previous} → ${report.status}${Object.keys(checks).length ? `: ${Object.keys(checks).join(', ')}` : ''}`,
    checks,
  };
}

export function createTransitionNotifier(sender: WebhookPoster | null, logger: NotifierLogger): TransitionNotifier {
  // The pod is assumed healthy before the first report, so starting unhealthy notifies.
  let announced: HealthStatus = 'pass';
  let observed: HealthStatus = 'pass';
  let pending: HealthReport | null = null;
  let inFlight: Promise<void> | null = null;

  const drain = async (): Promise<void> => {
    while (pending) {
      const report = pending;
      pending = null;
      if (report.status === announced) continue; // flapped back before we could announce
      const event = healthEvent(report, announced);
      logger.info({ event }, 'health transition');
      const delivered = sender ? await sender.post(event) : true;
      if (!delivered) logger.warn({ event: event.event, state: event.state }, 'health notification not delivered');
      announced = report.status;
    }
  };

  return {
    observe(report) {
      if (report.status === observed) return;
      pending = report;
      observed = report.status;
      inFlight ??= drain().finally(() => {
        inFlight = null;
      });
    },
    idle: async () => {
      while (inFlight) await inFlight;
    },
  };
}
