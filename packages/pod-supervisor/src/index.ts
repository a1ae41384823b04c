// Public API of @core-pod/pod-supervisor: the pod definition types, the supervisor, the status
// file reader (pod-health) and the pieces the CLI composes.
export * from './pod-types';
export { corePodDefinition, repoRoot } from './pod-definition';
export { createSupervisor, StartFailure, type Supervisor, type SupervisorDeps } from './supervisor';
export { connectPm2, type ProcessDriver, type ProcessSpec, type ProcessInfo, type DriverEvent } from './pm2-driver';
export { loadConfig, ConfigError, type SupervisorConfig } from './config';
export { runPod } from './pod-runner';
export { runMigrations, MigrationFailure } from './migrations';
export { readStateFile, writeStateFile, stateFilePath, type PodStatusFile } from './state-file';
export { startOrder } from './start-order';
export { waitUntilReady, probeOnce } from './readiness-probe';
export { readProcessUsage } from './process-usage';
