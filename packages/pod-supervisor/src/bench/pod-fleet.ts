// Real pods for fleet runs (the fleet bench and test/two-pods.test.ts): `dist/cli.js start` on
// free loopback ports with its own data dir and PM2 home, plus the secrets every pod of a fleet shares.
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from '../pod-definition';
import { readStateFile, stateFilePath, type PodStatusFile } from '../state-file';

const cliScript = path.join(repoRoot, 'packages', 'pod-supervisor', 'dist', 'cli.js');

export interface PodPorts {
  auth: number;
  users: number;
  health: number;
  proxy: number;
  admin: number;
}

export interface RealPod {
  name: string;
  dataDir: string;
  ports: PodPorts;
  /** The public proxy, `http://127.0.0.1:<port>`. */
  edge: string;
  state(): PodStatusFile | null;
  /** Every service RUNNING; fails with the tail of pod.log when the pod exits first or time runs out. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM (reverse-order stop) and the supervisor's exit code; SIGKILL for what is left past the deadline. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * What every pod of one fleet must agree on: the ES256 signing key (so tokens from one pod verify
 * on another) and the internal token (each pod's services call each other with it). Written to `dir`.
 */
export function fleetSecrets(dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = path.join(dir, 'signing-key.pem');
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { AUTH_JWT_PRIVATE_KEY_FILE: keyFile, POD_INTERNAL_TOKEN: crypto.randomBytes(32).toString('base64url') };
}

function logTail(dataDir: string, lines = 25): string {
  const log = path.join(dataDir, 'logs', 'pod.log');
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n') : '(no pod.log)';
}

/**
 * Starts one complete pod from the real entry point on five of `ports` (from freePorts, one call for
 * the whole fleet so no two pods get the same port); `env` holds the fleet's shared settings.
 */
export function startRealPod(name: string, workDir: string, ports: number[], env: Record<string, string>): RealPod {
  if (!fs.existsSync(cliScript)) throw new Error(`build pod-supervisor first (npm run build); missing ${cliScript}`);
  if (ports.length !== 5) throw new Error(`a pod needs 5 ports, got ${ports.length}`);
  const dataDir = path.join(workDir, name);
  fs.mkdirSync(dataDir, { recursive: true });
  const [auth, users, health, proxy, admin] = ports as [number, number, number, number, number];
  const pm2Home = path.join(dataDir, 'pm2');
  const child: ChildProcess = spawn(process.execPath, [cliScript, 'start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PM2_DISABLE_VERSION_CHECK: 'true',
      POD_DATA_DIR: dataDir,
      POD_PM2_HOME: pm2Home,
      PM2_HOME: pm2Home,
      POD_LOG_STDOUT: '0',
      AUTH_PORT: String(auth),
      USERS_PORT: String(users),
      HEALTH_PORT: String(health),
      PROXY_HOST: '127.0.0.1',
      PROXY_PORT: String(proxy),
      PROXY_ADMIN_PORT: String(admin),
      ...env,
    },
    stdio: 'ignore',
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  const state = () => readStateFile(stateFilePath(dataDir));

  return {
    name,
    dataDir,
    ports: { auth, users, health, proxy, admin },
    edge: `http://127.0.0.1:${proxy}`,
    state,
    async ready(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = state();
        if (current && current.services.length > 0 && current.services.every((s) => s.state === 'RUNNING')) return;
        const why = exitCode !== undefined ? `exited with ${exitCode}` : Date.now() > deadline ? `was not ready within ${timeoutMs} ms` : null;
        if (why) throw new Error(`pod ${name} ${why}; last lines of its pod.log:\n${logTail(dataDir)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(timeoutMs = 20_000) {
      const pids = (state()?.services ?? []).map((s) => s.pid).filter((pid): pid is number => !!pid);
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), timeoutMs).unref());
      const outcome = await Promise.race([exited, timer]);
      if (outcome !== 'late') return exitCode ?? null;
      child.kill('SIGKILL');
      await exited;
      // Services outlive a killed supervisor (PM2's God ran inside it): end the ones it started.
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return null;
    },
  };
}
