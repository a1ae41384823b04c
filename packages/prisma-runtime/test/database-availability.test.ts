import { expect } from 'chai';
import { databaseUnavailableHandler, isDatabaseUnavailable } from '../src';

// Shapes as Prisma 7 with the pg and better-sqlite3 adapters throws them (captured from real
// outages while building the services' outage tests).
const prismaError = (code: string, cause: object) => Object.assign(new Error('Invalid `db.user.count()` invocation'), {
  name: 'PrismaClientKnownRequestError',
  code,
  meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
});

describe('database availability', () => {
  it('recognises PostgreSQL unreachable, shut down, and connection lost', () => {
    expect(isDatabaseUnavailable(prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).to.equal(true);
    expect(isDatabaseUnavailable(prismaError('P2039', { kind: 'postgres', code: '57P01', originalCode: '57P01', message: 'terminating connection due to administrator command' }))).to.equal(true);
    expect(isDatabaseUnavailable(prismaError('P2010', { kind: 'ConnectionClosed' }))).to.equal(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 }))).to.equal(true);
  });

  it('recognises SQLite busy, full and read-only', () => {
    expect(isDatabaseUnavailable(prismaError('P2010', { kind: 'SocketTimeout' }))).to.equal(true);
    expect(isDatabaseUnavailable(prismaError('P2010', { kind: 'sqlite', extendedCode: 13, originalCode: 'SQLITE_FULL', message: 'database or disk is full' }))).to.equal(true);
    expect(isDatabaseUnavailable(prismaError('P2010', { kind: 'sqlite', extendedCode: 8, originalCode: 'SQLITE_READONLY', message: 'attempt to write a readonly database' }))).to.equal(true);
  });

  it('leaves query bugs and constraint violations alone', () => {
    expect(isDatabaseUnavailable(prismaError('P2002', { kind: 'UniqueConstraintViolation', constraint: { fields: ['email'] } }))).to.equal(false);
    expect(isDatabaseUnavailable(prismaError('P2010', { kind: 'postgres', code: '42P01', message: 'relation "x" does not exist' }))).to.equal(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).to.equal(false);
    expect(isDatabaseUnavailable(undefined)).to.equal(false);
  });

  it('turns an unavailable-database error into the service’s problem with Retry-After and passes others on', () => {
    const passed: unknown[] = [];
    const handler = databaseUnavailableHandler((headers) => Object.assign(new Error('503'), { headers }));
    const other = new Error('bug');
    handler(other, {}, undefined, (e) => passed.push(e));
    handler(prismaError('P1001', { kind: 'DatabaseNotReachable' }), {}, undefined, (e) => passed.push(e));
    expect(passed[0]).to.equal(other);
    expect((passed[1] as { headers: object }).headers).to.deep.equal({ 'Retry-After': '5' });
  });
});
