// A small closed-loop HTTP load loop for the fleet bench: `concurrency` keep-alive clients, each
// sending its next request as soon as the previous answer arrived, for a fixed time, the clients
// spread round-robin over the pods' edges (what a load balancer in front of the fleet would do).
import http from 'node:http';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One run's raw samples; several runs of the same setup are summarised together. */
export interface LoadSamples {
  latenciesMs: number[];
  /** Answers other than the expected status (or connection errors). */
  failures: number;
  seconds: number;
}

export interface LoadFigures {
  requests: number;
  failures: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  edges: string[];
  concurrency: number;
  durationMs: number;
  /** The request client `client` sends as its `n`-th. */
  request: (client: number, n: number) => LoadRequest;
  expectStatus: number;
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

function send(agent: http.Agent, edge: URL, request: LoadRequest): Promise<number> {
  return new Promise((resolve) => {
    const headers = { ...request.headers, ...(request.body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(request.body)) } : {}) };
    const req = http.request({ host: edge.hostname, port: edge.port, method: request.method, path: request.path, headers, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
    req.end(request.body);
  });
}

export function summarise(runs: LoadSamples[]): LoadFigures {
  const latencies = runs.flatMap((r) => r.latenciesMs);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return {
    requests: latencies.length,
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadSamples> {
  const edges = options.edges.map((e) => new URL(e));
  const agents = edges.map(() => new http.Agent({ keepAlive: true, maxSockets: options.concurrency }));
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const end = started + options.durationMs;
  const client = async (id: number) => {
    const which = id % edges.length;
    for (let n = 0; performance.now() < end; n++) {
      const sent = performance.now();
      const status = await send(agents[which]!, edges[which]!, options.request(id, n));
      latencies.push(performance.now() - sent);
      if (status !== options.expectStatus) failures++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, id) => client(id)));
  const seconds = (performance.now() - started) / 1000;
  for (const agent of agents) agent.destroy();
  return { latenciesMs: latencies, failures, seconds };
}
