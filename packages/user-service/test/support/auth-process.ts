// The real auth service for integration tests: its src/main.ts spawned with tsx on a fixed
// loopback port (so it can be stopped and started again at the same address) and its own data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@core-pod/service-test-harness';

export const authPackageDir = path.dirname(require.resolve('@core-pod/auth-service/package.json'));

export interface AuthProcessOptions {
  port: number;
  dataDir: string;
  internalToken: string;
  usersInternalUrl: string;
  privateKeyFile: string;
  bootstrapAdminEmail: string;
  /** AUTH_DATABASE_URL; unset → auth's SQLite file in dataDir. */
  databaseUrl?: string;
}

export class AuthProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly url: string;

  constructor(private readonly options: AuthProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.output = '';
    const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', path.join(authPackageDir, 'src', 'main.ts')], {
      env: {
        PATH: process.env.PATH,
        POD_DATA_DIR: o.dataDir,
        AUTH_HOST: '127.0.0.1',
        AUTH_PORT: String(o.port),
        AUTH_BCRYPT_COST: '10',
        AUTH_JWT_PRIVATE_KEY_FILE: o.privateKeyFile,
        AUTH_BOOTSTRAP_ADMIN_EMAIL: o.bootstrapAdminEmail,
        POD_INTERNAL_TOKEN: o.internalToken,
        USERS_INTERNAL_URL: o.usersInternalUrl,
        LOG_LEVEL: 'warn',
        ...(o.databaseUrl ? { AUTH_DATABASE_URL: o.databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      async () => {
        if (exited) throw new Error(`auth exited during start:\n${this.output}`);
        try {
          return (await fetch(`${this.url}/api/v1/auth/health`)).status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      'auth to answer its health check',
    );
  }

  /** SIGTERM and wait for the exit: the port is free afterwards. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  logs(): string {
    return this.output;
  }
}
