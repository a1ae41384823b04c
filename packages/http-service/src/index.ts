// Express building blocks shared by auth-service and user-service.
export { ProblemError, defaultTitle, type FieldError, type ProblemInit } from './problem-error';
export { problemHandler, notFoundHandler, sendProblem, PROBLEM_CONTENT_TYPE } from './problem-handler';
export { createLogger, redactedPaths, type Logger, type LoggerOptions } from './logger';
export { requestContext, requestIdFrom, quietPaths, type RequestContextOptions } from './request-context';
export { jsonBody } from './json-body';
export { loadInternalToken, requireInternalToken, type InternalTokenOptions } from './internal-token';
export { startServer, handleShutdownSignals, type RunningServer, type ServerOptions, type ShutdownOptions } from './http-server';
export { metricsRouter, processMetricsRegistry } from './metrics-route';
export { ConfigError, envString, envOptional, envInt, envPort, envBool, envList, envUrl } from './env-config';
