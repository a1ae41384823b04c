// Builds a real pod-health server on port 0 whose targets are tiny loopback services, with a
// private data dir and PM2_HOME (no daemon), for the server, check-command and Prometheus tests.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { createHealthServer, type HealthServer } from '../src/health-server';
import { fakeService } from './loopback-servers';

export interface PodUnderTest {
  url: string;
  port: number;
  dataDir: string;
  health: HealthServer;
  auth: Awaited<ReturnType<typeof fakeService>>;
  users: Awaited<ReturnType<typeof fakeService>>;
  close(): Promise<void>;
}

export async function startPodUnderTest(env: Record<string, string> = {}): Promise<PodUnderTest> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pod-health-data-'));
  const auth = await fakeService({ code: 200, status: 'pass' });
  const users = await fakeService({ code: 200, status: 'pass' });
  const config = loadConfig({
    HEALTH_HOST: '127.0.0.1',
    HEALTH_PORT: '0',
    POD_DATA_DIR: dataDir,
    PM2_HOME: path.join(dataDir, 'pm2'),
    HEALTH_AUTH_HEALTH_URL: `${auth.url}/api/v1/auth/health`,
    HEALTH_AUTH_METRICS_URL: `${auth.url}/metrics`,
    HEALTH_USERS_HEALTH_URL: `${users.url}/api/v1/users/health`,
    HEALTH_USERS_METRICS_URL: `${users.url}/metrics`,
    HEALTH_PROXY_HEALTH_URL: 'off',
    HEALTH_PROXY_METRICS_URL: 'off',
    HEALTH_COLLECT_INTERVAL_MS: '200',
    // Thresholds out of the way: this machine's disk, memory and load must not decide these tests
    // (the threshold rules have their own tests in health-report.test.ts).
    HEALTH_DISK_FREE_WARN_RATIO: '0',
    HEALTH_DISK_FREE_FAIL_RATIO: '0',
    HEALTH_MEMORY_WARN_RATIO: '1',
    HEALTH_MEMORY_FAIL_RATIO: '1',
    HEALTH_PROBE_WARN_MS: '60000',
    ...env,
  });
  const health = createHealthServer(config, { logger: pino({ level: 'silent' }) });
  const { port } = await health.start();
  await health.firstCollection();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    health,
    auth,
    users,
    async close() {
      await health.stop();
      await Promise.all([auth.close(), users.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
