// The typed pod definition (supervisord's vocabulary) and the per-service state it produces.

export type ServiceState = 'STARTING' | 'RUNNING' | 'BACKOFF' | 'EXITED' | 'FATAL' | 'STOPPED';

export interface RestartPolicy {
  /**
   * Restart after an exit the supervisor did not ask for. (No supervisord-style `unexpected`:
   * PM2 reports a death by signal as exit code 0, so exit codes cannot tell crashes apart.)
   */
  autorestart: boolean;
  /** An exit sooner than this after spawn counts as a failed start (BACKOFF), not a crash. */
  startsecs: number;
  /** Failed starts in a row before the service goes FATAL. */
  startretries: number;
  /** Delay before failed start n (1-based): min(backoffBaseMs * 2^(n-1), backoffMaxMs). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface ServiceDefinition {
  name: string;
  /** Absolute path of the Node entry point. */
  script: string;
  args?: string[];
  /** Options for Node itself (V8 flags), before the script. */
  nodeArgs?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Names of services that must be ready before this one starts. */
  dependsOn?: string[];
  /** Tie-breaker among services whose dependencies are met (lower first), as in supervisord. */
  priority?: number;
  /** HTTP URL that answers 2xx once the service is ready. */
  readinessUrl: string;
  /** A probe that has not passed within this time is a failed start. */
  startTimeoutMs: number;
  /** Optional one-shot script run before the pod starts (database migrations). */
  migrateScript?: string;
  restart: RestartPolicy;
  stopsignal: NodeJS.Signals;
  /** Time allowed between the stop signal and SIGKILL (supervisord's stopwaitsecs, in ms). */
  stopTimeoutMs: number;
  /** A FATAL critical service stops the whole pod with a non-zero exit. */
  critical: boolean;
}

export interface PodDefinition {
  services: ServiceDefinition[];
}

export interface ExitRecord {
  code: number | null;
  signal: string | null;
  at: string;
}

/** One service as written to the state file and returned by the status API. */
export interface ServiceStatus {
  name: string;
  state: ServiceState;
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  lastExit: ExitRecord | null;
  critical: boolean;
}

export interface ServiceStatusWithUsage extends ServiceStatus {
  uptimeSeconds: number;
  cpuPercent: number;
  memoryBytes: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  autorestart: true,
  startsecs: 1,
  startretries: 3,
  backoffBaseMs: 250,
  backoffMaxMs: 5000,
};
