// Tells "the database cannot be reached or cannot take the write right now" (PostgreSQL down,
// connection lost, pool exhausted; SQLite busy, full, read-only, I/O error) from query bugs, so
// the services can answer 503 database_unavailable instead of 500 and keep running.

// Prisma's own codes for connection-level failures (P1xxx) and the pool timeout (P2024).
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024']);
// Driver-adapter error kinds that mean the server, not the query, is the problem.
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError', 'DatabaseDoesNotExist', 'DatabaseAccessDenied', 'AuthenticationFailed']);
// PostgreSQL SQLSTATEs: class 08 connection exception, 53 insufficient resources,
// 57P01-57P03 shutdown / crash / cannot connect now, 58 system error.
const POSTGRES_STATE = /^(08|53|57P0[1-3]|58)/;
// SQLite primary result codes: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
const SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|NOMEM|READONLY|IOERR|FULL|CANTOPEN|PROTOCOL)/;
// Node socket errors, e.g. from the migration lock's own connection.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'EPIPE']);
const DRIVER_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Can't reach database server|database or disk is full|database is locked/i;

interface AdapterCause {
  kind?: string;
  code?: string;
  originalCode?: string;
}

function adapterCause(error: Record<string, unknown>): AdapterCause | undefined {
  const meta = error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  if (meta?.driverAdapterError?.cause) return meta.driverAdapterError.cause;
  if (error.name === 'DriverAdapterError') return error.cause as AdapterCause | undefined;
  return undefined;
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const e = error as Record<string, unknown>;
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.code === 'string' && PRISMA_CODES.has(e.code)) return true;
  const cause = adapterCause(e);
  if (cause) {
    if (cause.kind !== undefined && ADAPTER_KINDS.has(cause.kind)) return true;
    if (cause.kind === 'postgres' && typeof cause.code === 'string' && POSTGRES_STATE.test(cause.code)) return true;
    if (typeof cause.originalCode === 'string' && (SQLITE_CODE.test(cause.originalCode) || POSTGRES_STATE.test(cause.originalCode))) return true;
  }
  if (typeof e.code === 'string' && (SQLITE_CODE.test(e.code) || SOCKET_CODES.has(e.code) || POSTGRES_STATE.test(e.code))) return true;
  if (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** What a client is told to wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface LoggingRequest {
  log?: { warn(fields: object, message: string): void };
}

/**
 * An express error handler (four parameters) for each service: an unavailable-database error
 * becomes the service's own 503 problem (built by `problem`, which receives the Retry-After
 * header); anything else passes on unchanged.
 */
export function databaseUnavailableHandler(problem: (headers: Record<string, string>) => Error) {
  return (error: unknown, req: LoggingRequest, _res: unknown, next: (error: unknown) => void): void => {
    if (!isDatabaseUnavailable(error)) return next(error);
    req.log?.warn({ err: error }, 'database unavailable');
    next(problem({ 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) }));
  };
}
