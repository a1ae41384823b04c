// Gathers each service's own prom-client exposition (default Node metrics and its own) so the
// exposition module can re-expose them under a `service` label.
import type { ServiceTarget } from '../config';
import { httpGet } from './http-get';

export interface ServiceMetricsSample {
  service: string;
  /** Prometheus text exposition, or null when the service did not answer 200. */
  text: string | null;
  error: string | null;
}

export function collectServiceMetrics(targets: ServiceTarget[], timeoutMs: number): Promise<ServiceMetricsSample[]> {
  return Promise.all(
    targets
      .filter((t): t is ServiceTarget & { metricsUrl: string } => t.metricsUrl !== null)
      .map(async (t) => {
        const result = await httpGet(t.metricsUrl, timeoutMs, 'text/plain;version=0.0.4');
        return result.statusCode === 200
          ? { service: t.name, text: result.body, error: null }
          : { service: t.name, text: null, error: result.error ?? `HTTP ${result.statusCode}` };
      }),
  );
}
