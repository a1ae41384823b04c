// Runs the collector registry on a timer in the background and caches the latest snapshot, so
// request handlers only read memory; a slow tick is never overlapped by the next one.
import type { CollectorRegistry, Snapshot } from './collector-registry';

export interface CollectionLoop {
  latest(): Snapshot | null;
  /** Collects once now (also used by tests) and notifies listeners. */
  tick(): Promise<Snapshot>;
  start(): Promise<Snapshot>;
  stop(): Promise<void>;
  onSnapshot(listener: (snapshot: Snapshot) => void): void;
}

/**
 * `onError` receives what a snapshot listener throws; the loop keeps its schedule regardless,
 * since one bad tick must not end collection for the life of the process.
 */
export function createCollectionLoop(
  registry: CollectorRegistry,
  intervalMs: number,
  onError: (err: unknown) => void = () => undefined,
): CollectionLoop {
  let current: Snapshot | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Snapshot> | null = null;
  const listeners: Array<(snapshot: Snapshot) => void> = [];

  const tick = (): Promise<Snapshot> => {
    running ??= registry
      .collect()
      .then((snapshot) => {
        current = snapshot;
        for (const listener of listeners) {
          try {
            listener(snapshot);
          } catch (err) {
            onError(err);
          }
        }
        return snapshot;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      tick()
        .catch(onError)
        .finally(() => {
          if (timer) schedule();
        });
    }, intervalMs);
    timer.unref();
  };

  return {
    latest: () => current,
    tick,
    async start() {
      try {
        return await tick();
      } finally {
        schedule();
      }
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
    onSnapshot(listener) {
      listeners.push(listener);
    },
  };
}
