import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { eventually, request, startProxy, unusedPort } from './support/harness';

describe('graceful shutdown', () => {
  let upstream: EchoUpstream;
  before(async () => { upstream = await startEchoUpstream(); });
  after(async () => { await upstream.close(); });

  it('finishes in-flight requests, refuses new connections, then resolves', async () => {
    const edge = await startProxy({ PROXY_USERS_URL: upstream.url });
    const inFlight = request(edge.port, { path: '/api/v1/users/slow', agent: new http.Agent({ keepAlive: true }) });
    await eventually(() => edge.proxy.inFlight === 1, 'the slow request to be in flight');
    const closed = edge.close();
    const answer = await inFlight;
    expect(answer.status).to.equal(200);
    expect(answer.body).to.equal('slow done');
    await closed;
    const refused = await request(edge.port, { path: '/api/v1/users/me' }).then(() => 'answered', (error: NodeJS.ErrnoException) => error.code);
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('closes requests still running at the deadline', async () => {
    const edge = await startProxy({ PROXY_USERS_URL: upstream.url, PROXY_SHUTDOWN_TIMEOUT_MS: '100' });
    const stalled = request(edge.port, { path: '/api/v1/users/stall' }).then(() => 'answered', () => 'cut off');
    await eventually(() => edge.proxy.inFlight === 1, 'the stalled request to be in flight');
    const started = Date.now();
    await edge.close();
    expect(Date.now() - started).to.be.lessThan(2000);
    expect(await stalled).to.equal('cut off');
  });

  it('runs as a process: says ready, serves, and exits 0 on SIGTERM after finishing in-flight work', async () => {
    const [port, adminPort] = [await unusedPort(), await unusedPort()];
    const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', join(__dirname, '../src/main.ts')], {
      env: { ...process.env, PROXY_HOST: '127.0.0.1', PROXY_PORT: String(port), PROXY_ADMIN_PORT: String(adminPort),
        PROXY_USERS_URL: upstream.url, PROXY_HEALTH_URL: `http://127.0.0.1:${await unusedPort()}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', (message) => (message === 'ready' ? resolve() : reject(new Error(String(message)))));
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      expect((await request(adminPort, { path: '/livez' })).status).to.equal(200);
      const inFlight = request(port, { path: '/api/v1/users/slow?process', agent: new http.Agent({ keepAlive: true }) });
      await eventually(() => upstream.seen.some((seen) => seen.url === '/api/v1/users/slow?process'), 'the slow request to reach the upstream');
      child.kill('SIGTERM');
      const settled = await inFlight.catch((error: Error) => { throw new Error(`${error.message}\n${output}`); });
      expect(settled.body).to.equal('slow done');
      expect(await exited).to.equal(0);
      expect(output).to.include('"msg":"stopped"');
      const metricsLine = output.split('\n').find((line) => line.includes('"path":"/api/v1/users/slow"') && line.includes('"status"'));
      expect(metricsLine).to.include('"status":200');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
