// The service's own Prometheus metrics (per app, so several apps in one test process never clash),
// exposed at GET /metrics together with the process's default metrics.
import { processMetricsRegistry } from '@core-pod/http-service';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface UserMetricsSources {
  revokedSessions: () => number;
  jwksKeys: () => number;
  pendingDeletions: () => Promise<number>;
}

export function createUserMetrics() {
  const registry = new Registry();
  const authentications = new Counter({
    name: 'users_authentications_total',
    help: 'Access tokens presented to the user service, by outcome (ok or the problem code)',
    labelNames: ['result'],
    registers: [registry],
  });
  const authCalls = new Histogram({
    name: 'users_auth_call_duration_seconds',
    help: 'Loopback calls to the auth service internal API, by operation and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2],
    registers: [registry],
  });
  return {
    registry,
    authentications,
    /** For createAuthClient's observe option. */
    observeAuthCall(operation: string, outcome: string, seconds: number): void {
      authCalls.observe({ operation, outcome }, seconds);
    },
    /** Gauges read their value at scrape time from the live components. */
    observe(sources: UserMetricsSources): void {
      new Gauge({ name: 'users_revoked_sessions', help: 'Revoked sessions currently remembered', registers: [registry], collect() { this.set(sources.revokedSessions()); } });
      new Gauge({ name: 'users_jwks_keys', help: 'Verification keys cached from auth', registers: [registry], collect() { this.set(sources.jwksKeys()); } });
      new Gauge({
        name: 'users_account_deletions_pending',
        help: 'Account deletions waiting for auth to confirm',
        registers: [registry],
        async collect() {
          this.set(await sources.pendingDeletions());
        },
      });
    },
    /** Default process metrics plus this app's own. */
    scrapeRegistry: () => Registry.merge([processMetricsRegistry(), registry]),
  };
}

export type UserMetrics = ReturnType<typeof createUserMetrics>;
