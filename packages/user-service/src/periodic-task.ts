// A background job run again and again with a pause between runs (never overlapping), as the
// revocation poll, the JWKS refresh and the deletion retry need; stop() waits for a run in flight.
export interface PeriodicTask {
  start(): void;
  stop(): Promise<void>;
}

export interface PeriodicTaskOptions {
  /** Pause before the next run, read after each run (so it can depend on the last outcome). */
  delayMs: () => number;
  /** Run once at start() instead of after the first pause. */
  immediately?: boolean;
}

export function periodicTask(job: () => Promise<void>, { delayMs, immediately = false }: PeriodicTaskOptions): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inFlight: Promise<void> | undefined;

  const runOnce = (): Promise<void> => {
    inFlight = job()
      .catch(() => undefined) // each job logs its own failures; the loop must survive them
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const schedule = (): void => {
    if (!running) return;
    timer = setTimeout(() => void runOnce().then(schedule), delayMs());
    // Background work never keeps the process alive on its own.
    timer.unref();
  };

  return {
    start() {
      if (running) return;
      running = true;
      if (immediately) void runOnce().then(schedule);
      else schedule();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
