// `npm run bench`'s fleet table: login and GET /users/me requests/s and p99 through the edge on
// SQLite vs PostgreSQL, one pod vs two pods on one PostgreSQL — real pods, all booted together and
// measured in alternating rounds, so a busy machine's swings hit every setup alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresServer, type PostgresServer } from './fleet-postgres';
import { runLoad, summarise, type LoadFigures, type LoadRequest, type LoadSamples } from './http-load';
import { fleetSecrets, freePorts, startRealPod, type RealPod } from './pod-fleet';

const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const bcryptCost = process.env.BENCH_BCRYPT_COST ?? '10';
const loginClients = 8;
const readClients = 16;
const password = 'correct horse battery staple';

interface Setup {
  label: string;
  pods: number;
  postgres: boolean;
}

const setups: Setup[] = [
  { label: 'SQLite, 1 pod', pods: 1, postgres: false },
  { label: 'PostgreSQL, 1 pod', pods: 1, postgres: true },
  { label: 'PostgreSQL, 2 pods', pods: 2, postgres: true },
];

interface Result {
  login: LoadFigures;
  me: LoadFigures;
}

/** One setup's running pods and the accounts its load uses. */
interface Fleet {
  pods: RealPod[];
  databases: string[];
  edges: string[];
  login(client: number): LoadRequest;
  me(client: number): LoadRequest;
}

async function post(edge: string, url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${edge}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`bench: ${url} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Starts the setup's pods (registered in `fleet.pods` at once, so a failed start is still stopped). */
async function boot(setup: Setup, work: string, postgres: PostgresServer | null, fleet: Fleet): Promise<void> {
  const dir = fs.mkdtempSync(path.join(work, 'fleet-'));
  if (postgres) fleet.databases.push(postgres.createDatabase('bench_auth'), postgres.createDatabase('bench_users'));
  const env: Record<string, string> = {
    ...fleetSecrets(path.join(dir, 'secrets')),
    ...(postgres ? { AUTH_DATABASE_URL: fleet.databases[0]!, USERS_DATABASE_URL: fleet.databases[1]! } : {}),
    AUTH_BCRYPT_COST: bcryptCost,
    // The figure is the pods' throughput, not the edge's per-client limit.
    PROXY_AUTH_RATE: '1000000', PROXY_AUTH_BURST: '1000000', PROXY_USERS_RATE: '1000000', PROXY_USERS_BURST: '1000000', PROXY_CLIENT_MAX_IN_FLIGHT: '100000',
  };
  const ports = await freePorts(5 * setup.pods);
  for (let i = 0; i < setup.pods; i++) fleet.pods.push(startRealPod(`pod-${i}`, dir, ports.slice(5 * i, 5 * i + 5), env));
  await Promise.all(fleet.pods.map((pod) => pod.ready()));
  fleet.edges = fleet.pods.map((pod) => pod.edge);
  const stamp = Date.now();
  const accounts = await Promise.all(Array.from({ length: loginClients }, async (_, i) => {
    const email = `bench-${stamp}-${i}@example.test`;
    const registered = await post(fleet.edges[i % fleet.edges.length]!, '/api/v1/auth/register', { email, password });
    return { email, token: String(registered.accessToken) };
  }));
  fleet.login = (client) => ({ method: 'POST', path: '/api/v1/auth/login', body: JSON.stringify({ email: accounts[client % accounts.length]!.email, password }) });
  fleet.me = (client) => ({ method: 'GET', path: '/api/v1/users/me', headers: { authorization: `Bearer ${accounts[client % accounts.length]!.token}` } });
  // Warm-up (profiles created, pools and JIT warm), not counted.
  await runLoad({ edges: fleet.edges, concurrency: readClients, durationMs: 1000, request: fleet.me, expectStatus: 200 });
}

async function measureAll(work: string, postgres: PostgresServer): Promise<Result[]> {
  const fleets: Fleet[] = setups.map(() => ({ pods: [], databases: [], edges: [], login: () => ({ method: 'GET', path: '/' }), me: () => ({ method: 'GET', path: '/' }) }));
  try {
    await Promise.all(setups.map((setup, i) => boot(setup, work, setup.postgres ? postgres : null, fleets[i]!)));
    const samples = setups.map(() => ({ login: [] as LoadSamples[], me: [] as LoadSamples[] }));
    for (let round = 0; round < rounds; round++) {
      // Alternate the order between rounds so no setup always runs first on a warming machine.
      const order = round % 2 === 0 ? fleets.map((_, i) => i) : fleets.map((_, i) => fleets.length - 1 - i);
      for (const i of order) {
        const fleet = fleets[i]!;
        samples[i]!.login.push(await runLoad({ edges: fleet.edges, concurrency: loginClients, durationMs: seconds * 1000, request: fleet.login, expectStatus: 200 }));
        samples[i]!.me.push(await runLoad({ edges: fleet.edges, concurrency: readClients, durationMs: seconds * 1000, request: fleet.me, expectStatus: 200 }));
      }
    }
    return samples.map((s) => ({ login: summarise(s.login), me: summarise(s.me) }));
  } finally {
    await Promise.all(fleets.flatMap((fleet) => fleet.pods.map((pod) => pod.stop())));
    for (const url of fleets.flatMap((fleet) => fleet.databases)) postgres.dropDatabase(url);
  }
}

function printTable(results: Result[]): void {
  const [sqlite, pg1, pg2] = results as [Result, Result, Result];
  const rows: string[][] = [['figure', ...setups.map((s) => s.label), 'PostgreSQL / SQLite (1 pod)', '2 pods / 1 pod (PostgreSQL)']];
  const add = (label: string, pick: (r: Result) => number, digits: number) =>
    rows.push([label, ...results.map((r) => pick(r).toFixed(digits)), (pick(pg1) / pick(sqlite)).toFixed(2), (pick(pg2) / pick(pg1)).toFixed(2)]);
  add('login, requests/s', (r) => r.login.perSecond, 1);
  add('login, p99 ms', (r) => r.login.p99Ms, 1);
  add('GET /users/me, requests/s', (r) => r.me.perSecond, 0);
  add('GET /users/me, p99 ms', (r) => r.me.p99Ms, 1);
  rows.push(['failed answers (login / me)', ...results.map((r) => `${r.login.failures} / ${r.me.failures}`), '', '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
}

/** Boots the three setups in `work`, measures them and prints the table. */
export async function runFleetBench(work: string): Promise<void> {
  console.log(`fleet bench: real pods through the edge, Node load loop (${loginClients} login / ${readClients} GET /users/me keep-alive clients, round-robin over the pods), ${rounds} alternating rounds × ${seconds} s per route and setup, bcrypt cost ${bcryptCost}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  const postgres = postgresServer();
  try {
    printTable(await measureAll(work, postgres));
    console.log(`load average after: ${os.loadavg()[0]!.toFixed(1)}`);
  } finally {
    postgres.close();
  }
}

// `node dist/bench/fleet-bench.js`: the fleet table alone.
if (require.main === module) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-fleet-bench-'));
  runFleetBench(work)
    .catch((error: unknown) => {
      console.error((error as Error).message);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(work, { recursive: true, force: true }));
}
