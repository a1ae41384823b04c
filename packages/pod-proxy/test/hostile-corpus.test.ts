// The hostile-HTTP corpus against the real proxy process (src/main.ts in a child) in front of upstreams
// built from the services' own express stack: ≥ 5,000 generated requests, each checked as it ends, then
// the proxy must be the same process, have logged no contained failure and no fatal error, and hold no
// more heap, sockets or per-client slots than before the corpus.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { corpusSeed, runHostileCorpus, type CorpusReport } from '@core-pod/service-test-harness';
import { ProblemCode } from '../src/problem';
import type { StatsReply } from './support/corpus-proxy';
import { eventually, request, unusedPort } from './support/harness';
import { serviceUpstreamRoutes, startServiceUpstream, type ServiceUpstream } from './support/service-upstream';

const documented5xx = Object.entries(ProblemCode).filter(([, status]) => status >= 500 && status !== 500).map(([code]) => code);

class ProxyProcess {
  child!: ChildProcess;
  pid = 0;
  port = 0;
  adminPort = 0;
  output = '';
  private stats: ((reply: StatsReply) => void) | null = null;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.port = await unusedPort();
    this.adminPort = await unusedPort();
    this.output = '';
    const script = path.join(__dirname, 'support', 'corpus-proxy.ts');
    this.child = spawn(process.execPath, ['--expose-gc', '--import=tsx', '--conditions=source', script], {
      env: { PATH: process.env.PATH, ...this.env, PROXY_PORT: String(this.port), PROXY_ADMIN_PORT: String(this.adminPort) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.child.on('message', (message: StatsReply | string) => {
      if (typeof message === 'object' && message.type === 'stats') this.stats?.(message);
    });
    await new Promise<void>((resolve, reject) => {
      this.child.on('message', (message) => { if (message === 'ready') resolve(); });
      this.child.once('exit', (code) => reject(new Error(`proxy exited with ${code} before ready:\n${this.output}`)));
    });
    this.pid = this.child.pid!;
  }

  lost(): string | null {
    if (this.child.exitCode === null && this.child.signalCode === null) return null;
    const fatal = this.output.split('\n').filter((line) => line.includes('"level":60') || line.includes('Error')).slice(-3).join('\n');
    return `proxy ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}): ${fatal}`;
  }

  /** Heap after a full GC, guards and connections, from inside the process. */
  read(): Promise<StatsReply> {
    return new Promise((resolve) => {
      this.stats = resolve;
      this.child.send('stats');
    });
  }

  /** Open sockets of the process, read from /proc (what the kernel holds, not what Node thinks). */
  sockets(): number {
    const dir = `/proc/${this.pid}/fd`;
    return readdirSync(dir).filter((fd) => {
      try {
        return readlinkSync(path.join(dir, fd)).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  }

  loggedLines(level: number): string[] {
    return this.output.split('\n').filter((line) => line.includes(`"level":${level}`));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
}

async function metric(adminPort: number, name: string): Promise<number> {
  const answer = await request(adminPort, { path: '/metrics' });
  let total = 0;
  for (const line of answer.body.split('\n')) if (line.startsWith(name)) total += Number(line.split(' ').at(-1));
  return total;
}

describe('the hostile-HTTP corpus', function () {
  this.timeout(600_000);
  let upstream: ServiceUpstream;
  let proxy: ProxyProcess;
  let report: CorpusReport;

  const prefixes = ['/api/v1/users', '/api/v1/auth'];
  const limits = { users: 64 * 1024, auth: 32 * 1024, upstreamJson: 16 * 1024, headers: 4096 };

  before(async () => {
    upstream = await startServiceUpstream(prefixes);
    proxy = new ProxyProcess({
      PROXY_HOST: '127.0.0.1', PROXY_USERS_URL: upstream.url, PROXY_AUTH_URL: upstream.url,
      PROXY_HEALTH_URL: `http://127.0.0.1:${await unusedPort()}`,
      PROXY_USERS_BODY_LIMIT: String(limits.users), PROXY_AUTH_BODY_LIMIT: String(limits.auth),
      PROXY_MAX_HEADER_BYTES: String(limits.headers),
      // Short enough that every case ends within the corpus's 4 s case deadline.
      PROXY_HEADERS_TIMEOUT_MS: '1000', PROXY_REQUEST_TIMEOUT_MS: '3000', PROXY_UPSTREAM_TIMEOUT_MS: '1500',
      PROXY_BODY_TIMEOUT_MS: '500', PROXY_BODY_MIN_RATE: '2000',
      // Forwarded-for chains from loopback are believed, so the corpus is many clients, some of them limited.
      PROXY_TRUSTED_PROXIES: '127.0.0.1', PROXY_USERS_RATE: '300', PROXY_USERS_BURST: '600', PROXY_AUTH_RATE: '2', PROXY_AUTH_BURST: '4',
      PROXY_RATELIMIT_SWEEP_MS: '500', LOG_LEVEL: 'warn',
    });
    await proxy.start();
  });
  after(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  it('plays ≥ 5,000 generated requests without a crash, a 500, an undocumented 5xx, a malformed answer or a stall', async () => {
    // Warm up (lazily compiled code, pools, caches) so the baselines below are the steady state.
    for (let i = 0; i < 50; i++) await request(proxy.port, { path: '/api/v1/users/echo', method: 'POST', body: 'x' });
    const baseline = { ...(await proxy.read()), sockets: proxy.sockets() };
    const seed = corpusSeed();
    console.log(`      hostile corpus seed ${seed} (replay: HOSTILE_SEED=${seed})`);
    report = await runHostileCorpus({
      server: {
        port: () => proxy.port,
        lost: () => proxy.lost() ?? (proxy.child.pid === proxy.pid ? null : 'restarted'),
        restart: () => proxy.start(),
      },
      space: {
        paths: [...prefixes.flatMap((prefix) => serviceUpstreamRoutes.map((route) => `${prefix}/${route}`)), ...prefixes,
          '/health', '/status', '/metrics', '/livez', '/internal/v1/users', '/', '/api/v1/other'],
        bodySizes: [0, 1, limits.upstreamJson - 1, limits.upstreamJson, limits.upstreamJson + 1, limits.auth - 1, limits.auth,
          limits.auth + 1, limits.users - 1, limits.users, limits.users + 1, 100_000],
        maxHeaderBytes: limits.headers,
      },
      seed, cases: Number(process.env.HOSTILE_CASES ?? 5000), concurrency: 40, caseTimeoutMs: 4000, documented5xx,
      onProgress: (played) => console.log(`      … ${played} cases`),
    });
    console.log(`      ${report.played} cases in ${report.durationMs} ms, ${report.clientAborted} aborted by the client, slowest ${report.slowestMs} ms; statuses ${JSON.stringify(report.statuses)}`);
    expect(report.played).to.be.at.least(Number(process.env.HOSTILE_CASES ?? 5000));
    // A corpus that never reached these answers would not be testing what it claims.
    for (const status of ['101', '200', '400', '401', '404', '408', '413', '415', '429', '502', '504']) {
      expect(report.statuses, `answers with status ${status}`).to.have.property(status);
    }

    expect(proxy.lost()).to.equal(null);
    expect(proxy.child.pid).to.equal(proxy.pid);
    expect(proxy.loggedLines(60), 'fatal log lines').to.deep.equal([]);
    expect(proxy.loggedLines(50), 'error log lines').to.deep.equal([]);
    expect(await metric(proxy.adminPort, 'pod_proxy_request_failures_total')).to.equal(0);

    // Everything the corpus opened is given back: slots, connections, sockets (idle upstream pool sockets
    // expire after PROXY_UPSTREAM_KEEPALIVE_MS), and the heap returns to its steady state.
    const settled = await eventually(async () => {
      const now = await proxy.read();
      const idle = now.inFlight === 0 && now.connections === 0 && now.guards.inFlightSlots === 0 &&
        now.guards.connectionSlots === 0 && now.guards.watchedBodies === 0 && proxy.sockets() <= baseline.sockets;
      return idle && now.heapUsed <= baseline.heapUsed + 8 * 1024 * 1024 ? now : null;
    }, 'the proxy to return to its baseline', 20_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: baseline ${JSON.stringify(baseline)}, now ${JSON.stringify({ ...(await proxy.read()), sockets: proxy.sockets() })}`);
    });
    expect(settled!.guards).to.deep.equal({ inFlightSlots: 0, connectionSlots: 0, watchedBodies: 0 });
  });
});
