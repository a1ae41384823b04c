// Each service's own prom-client metrics (Node defaults: event-loop lag, heap, GC) at GET /metrics
// on its loopback listener; pod-health gathers them with a `service` label.
import { Router } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/** Default metrics are per process, so they are registered once and shared by every app built here. */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function metricsRouter(registry: Registry = processMetricsRegistry()): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
