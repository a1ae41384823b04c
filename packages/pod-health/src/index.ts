// Public API of pod-health: the server factory, the HTTP app, config and the pieces the
// integrator may reuse (exposition merging, the transition notifier).
export { createHealthServer, type HealthServer, type HealthServerDeps } from './health-server';
export { createApp, type AppState } from './http-app';
export { loadConfig, ConfigError, type HealthConfig, type ServiceTarget, type Thresholds } from './config';
export { evaluateHealth, type HealthReport, type CheckResult, type HealthStatus } from './health-report';
export { mergeExpositions, parseExposition } from './exposition-merge';
export { createTransitionNotifier } from './transition-notifier';
