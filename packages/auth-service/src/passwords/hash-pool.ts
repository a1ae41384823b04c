// A small worker_threads pool for bcrypt: bcryptjs is pure JavaScript, so even its async API keeps
// the event loop busy; here each hash or compare runs on a worker and the loop stays responsive.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

export type HashJob =
  | { id: number; op: 'hash'; password: string; cost: number }
  | { id: number; op: 'compare'; password: string; hash: string };
export type HashReply = { id: number; result: string | boolean } | { id: number; error: string };

/** What the service needs from password hashing; the pool and the main-thread baseline both fit. */
export interface PasswordHasher {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The cost a stored hash was made with (cheap: parses the hash prefix). */
export function costOf(hash: string): number {
  return bcrypt.getRounds(hash);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type JobInput = DistributiveOmit<HashJob, 'id'>;
interface Pending {
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(err: Error): void;
}
interface Slot {
  worker: Worker;
  busy: Pending | undefined;
  /** Armed while the worker has nothing to do; it exits when the timer fires. */
  idleTimer: NodeJS.Timeout | undefined;
}

/** A hasher whose worker threads come and go with the load. */
export interface HashPool extends PasswordHasher {
  /** Worker threads alive now (starting, busy or idle). */
  workerCount(): number;
}

export interface HashPoolOptions {
  /**
   * An idle worker exits after this long. Each worker thread holds ~15 MB, so an idle service
   * keeps none; the next job starts one again (tens of ms, against ~250 ms for a cost-12 hash).
   */
  idleMs?: number;
}

function spawnWorker(): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `hash-worker${ext}`);
  if (ext === '.ts') {
    // Running from source (tests, tsx): workers do not inherit tsx's loader, so register it first.
    const tsx = require.resolve('tsx/cjs/api');
    return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true });
  }
  return new Worker(file);
}

/** Up to `size` workers, started when jobs arrive and stopped when idle for `idleMs`. */
export function createHashPool(size: number, options: HashPoolOptions = {}): HashPool {
  const idleMs = options.idleMs ?? 10_000;
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  function dispatch(): void {
    for (const slot of slots) {
      if (slot.busy !== undefined) continue;
      const next = queue.shift();
      if (next === undefined) break;
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.busy = next;
      slot.worker.ref();
      slot.worker.postMessage(next.job);
    }
    // Jobs left over: every worker is busy. Start another if the pool may grow; it takes the
    // next job at once (messages wait until the thread is up).
    while (queue.length > 0 && slots.length < size) {
      const slot = addSlot();
      const next = queue.shift() as Pending;
      slot.busy = next;
      slot.worker.postMessage(next.job);
    }
  }

  function retireWhenIdle(slot: Slot): void {
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.busy !== undefined) return;
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
      void slot.worker.terminate();
    }, idleMs);
    slot.idleTimer.unref();
  }

  function addSlot(): Slot {
    const slot: Slot = { worker: spawnWorker(), busy: undefined, idleTimer: undefined };
    slot.worker.on('message', (reply: HashReply) => {
      const pending = slot.busy;
      slot.busy = undefined;
      slot.worker.unref();
      if (pending !== undefined && pending.job.id === reply.id) {
        if ('error' in reply) pending.reject(new Error(reply.error));
        else pending.resolve(reply.result);
      }
      dispatch();
      if (slot.busy === undefined && !closed) retireWhenIdle(slot);
    });
    // A crashed worker fails only its own job; the next job starts a new worker if needed.
    slot.worker.on('error', (err) => {
      slot.busy?.reject(err);
      slot.busy = undefined;
    });
    slot.worker.on('exit', () => {
      clearTimeout(slot.idleTimer);
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
      slot.busy?.reject(new Error('hash worker exited'));
      slot.busy = undefined;
      if (!closed) dispatch();
    });
    slots.push(slot);
    return slot;
  }

  function run(input: JobInput): Promise<string | boolean> {
    if (closed) return Promise.reject(new Error('hash pool closed'));
    return new Promise((resolve, reject) => {
      queue.push({ job: { ...input, id: nextId++ } as HashJob, resolve, reject });
      dispatch();
    });
  }

  return {
    hash: async (password, cost) => (await run({ op: 'hash', password, cost })) as string,
    compare: async (password, hash) => (await run({ op: 'compare', password, hash })) as boolean,
    workerCount: () => slots.length,
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('hash pool closed'));
      await Promise.all(slots.splice(0).map((slot) => (clearTimeout(slot.idleTimer), slot.worker.terminate())));
    },
  };
}

/** The baseline the bench compares against: bcryptjs's own async API on the main thread. */
export function createMainThreadHasher(): PasswordHasher {
  return {
    hash: (password, cost) => bcrypt.hash(password, cost),
    compare: (password, hash) => bcrypt.compare(password, hash),
    close: async () => {},
  };
}
