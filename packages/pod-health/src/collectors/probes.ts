// HTTP probes of each service's health endpoint: status code, the health+json status when the
// body carries one, and latency (observed into a histogram by the metrics module).
import type { ServiceTarget } from '../config';
import { httpGet } from './http-get';

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface ProbeSample {
  service: string;
  url: string;
  statusCode: number | null;
  /** The body's own health status, else derived from the status code. */
  status: HealthStatus;
  latencySeconds: number;
  error: string | null;
}

function bodyStatus(body: string): HealthStatus | null {
  try {
    const status = (JSON.parse(body) as { status?: unknown }).status;
    return status === 'pass' || status === 'warn' || status === 'fail' ? status : null;
  } catch {
    return null;
  }
}

export async function probe(target: ServiceTarget & { healthUrl: string }, timeoutMs: number): Promise<ProbeSample> {
  const result = await httpGet(target.healthUrl, timeoutMs, 'application/health+json, application/json');
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const reported = ok ? bodyStatus(result.body) : null;
  return {
    service: target.name,
    url: target.healthUrl,
    statusCode: result.statusCode,
    status: ok ? (reported === 'fail' ? 'fail' : (reported ?? 'pass')) : 'fail',
    latencySeconds: result.latencySeconds,
    error: result.error ?? (ok ? null : `HTTP ${result.statusCode}`),
  };
}

export function collectProbes(targets: ServiceTarget[], timeoutMs: number): Promise<ProbeSample[]> {
  return Promise.all(
    targets
      .filter((t): t is ServiceTarget & { healthUrl: string } => t.healthUrl !== null)
      .map((t) => probe(t, timeoutMs)),
  );
}
