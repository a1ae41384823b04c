// The hostile-HTTP corpus: fast-check generates the cases from a seed, they are played against a real
// server over raw sockets, `concurrency` at a time, and every answer is checked: valid HTTP/1.1, no
// 500, every 4xx/5xx a problem+json document (5xx only with a documented code), no stall, and the server
// process still the same one. A failing case is then replayed alone through fast-check from the same
// seed and index, which shrinks it to a minimal request; the error names the seed to replay.
import fc from 'fast-check';
import { header } from './http-response-reader';
import { describeCase, hostileCase, type CaseSpace, type HostileCase } from './hostile-cases';
import { playCase, type CaseOutcome } from './hostile-client';

export interface ServerUnderTest {
  port(): number;
  /** Why the server is no longer the one the corpus started with (died, restarted), or null. */
  lost(): string | null;
  /** Brings a lost server back (the shrinking phase needs a live one for every attempt). */
  restart(): Promise<void>;
}

export interface CorpusOptions {
  server: ServerUnderTest;
  space: CaseSpace;
  /** fast-check seed; printed with any failure, so the run can be replayed (HOSTILE_SEED). */
  seed: number;
  cases: number;
  concurrency: number;
  caseTimeoutMs: number;
  /** Problem codes the server documents for 5xx answers. */
  documented5xx: readonly string[];
  /** Paths whose 503 may be an application/health+json document instead of a problem. */
  healthPaths?: readonly string[];
  /** Longest time spent shrinking a failure. */
  shrinkTimeLimitMs?: number;
  /** Called after every 1,000 cases played. */
  onProgress?: (played: number) => void;
}

export interface CorpusReport {
  seed: number;
  played: number;
  /** How many answers of each status were seen (a corpus that only ever gets 400 tests little). */
  statuses: Record<string, number>;
  clientAborted: number;
  /** Slowest case, ms (bounded by caseTimeoutMs). */
  slowestMs: number;
  durationMs: number;
}

function problemCode(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with one case's outcome (empty: nothing). */
export function violations(hostile: HostileCase, outcome: CaseOutcome, options: Pick<CorpusOptions, 'documented5xx' | 'healthPaths'>): string[] {
  const found: string[] = [];
  const { read } = outcome;
  if (read.error !== null) found.push(`not HTTP/1.1: ${read.error}`);
  if (outcome.stalled) found.push(`stalled: no answer and no close within the deadline (${outcome.durationMs} ms)`);
  const answered = read.responses.some((response) => response.status >= 200 || response.status === 101);
  // A client that half-closes may be treated as gone (Node and NGINX abort its requests): no answer is
  // then fine, but a wrong one is not.
  const mayGoUnanswered = outcome.clientAborted || hostile.timing.kind === 'half-close';
  if (!mayGoUnanswered && !answered) found.push(`closed without any answer after ${outcome.durationMs} ms`);
  const health = (options.healthPaths ?? ['/health']).some((path) => hostile.request.target.startsWith(path));
  const sawHead = hostile.request.method === 'HEAD' || hostile.pipelined?.method === 'HEAD';
  for (const response of read.responses) {
    if (response.status === 500) found.push('answered 500');
    if (response.status < 400 || !response.complete) continue;
    const type = header(response, 'content-type') ?? '';
    if (response.status === 503 && health && type.startsWith('application/health+json')) continue;
    if (!type.startsWith('application/problem+json')) {
      found.push(`${response.status} answered as ${JSON.stringify(type)}, not application/problem+json`);
      continue;
    }
    if (response.status >= 500 && !(sawHead && response.body.length === 0)) {
      const code = problemCode(response.body);
      if (code === undefined || !options.documented5xx.includes(code)) found.push(`${response.status} with undocumented code ${JSON.stringify(code)}`);
    }
  }
  return found;
}

async function playChecked(options: CorpusOptions, hostile: HostileCase): Promise<{ outcome: CaseOutcome; found: string[] }> {
  const outcome = await playCase(options.server.port(), hostile, options.caseTimeoutMs);
  const found = violations(hostile, outcome, options);
  const lost = options.server.lost();
  if (lost !== null) found.push(`the server was lost: ${lost}`);
  return { outcome, found };
}

function report(hostile: HostileCase, outcome: CaseOutcome, found: string[]): string {
  return `${describeCase(hostile)}\n    → ${found.join('; ')}\n    ← ${JSON.stringify(outcome.bytes.toString('latin1').slice(0, 300))}`;
}

/** Replays case `index` of `seed` alone through fast-check, which shrinks it; returns fast-check's report. */
async function shrink(options: CorpusOptions, index: number): Promise<string> {
  const property = fc.asyncProperty(hostileCase(options.space), async (hostile) => {
    if (options.server.lost() !== null) await options.server.restart();
    const { outcome, found } = await playChecked(options, hostile);
    if (found.length > 0) throw new Error(report(hostile, outcome, found));
  });
  const details = await fc.check(property, {
    seed: options.seed, path: String(index), interruptAfterTimeLimit: options.shrinkTimeLimitMs ?? 60_000, markInterruptAsFailure: false,
  });
  if (!details.failed) return 'did not fail when replayed alone (it needed the concurrent load)';
  return `shrunk ${details.numShrinks} time(s) to:\n  ${(details.errorInstance as Error | undefined)?.message ?? fc.stringify(details.counterexample)}`;
}

export async function runHostileCorpus(options: CorpusOptions): Promise<CorpusReport> {
  const started = Date.now();
  const result: CorpusReport = { seed: options.seed, played: 0, statuses: {}, clientAborted: 0, slowestMs: 0, durationMs: 0 };
  // The same values fast-check's runner generates for runs 0..n-1 of this seed, so a failing index can be
  // replayed (and shrunk) with { seed, path: index }.
  const cases = fc.sample(hostileCase(options.space), { seed: options.seed, numRuns: options.cases });
  const failures: { index: number; text: string }[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < cases.length && failures.length === 0) {
      const index = next++;
      const hostile = cases[index]!;
      const { outcome, found } = await playChecked(options, hostile);
      result.played++;
      if (outcome.clientAborted) result.clientAborted++;
      result.slowestMs = Math.max(result.slowestMs, outcome.durationMs);
      for (const response of outcome.read.responses) result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
      if (found.length > 0) failures.push({ index, text: report(hostile, outcome, found) });
      if (result.played % 1000 === 0) options.onProgress?.(result.played);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.durationMs = Date.now() - started;
  if (failures.length === 0) return result;
  const first = failures[0]!;
  if (options.server.lost() !== null) await options.server.restart();
  const shrunk = await shrink(options, first.index);
  throw new Error(`hostile corpus failed (seed ${options.seed}, case #${first.index} of ${options.cases}; replay with HOSTILE_SEED=${options.seed}):\n` +
    `${failures.map((failure) => `#${failure.index} ${failure.text}`).join('\n')}\nreplayed alone: ${shrunk}`);
}

/** HOSTILE_SEED from the environment ("random" for a new one), else the fixed CI seed. */
export function corpusSeed(env: Record<string, string | undefined> = process.env, fallback = 20261205): number {
  const raw = env.HOSTILE_SEED;
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`HOSTILE_SEED=${raw}: expected an integer or "random"`);
  return seed;
}
