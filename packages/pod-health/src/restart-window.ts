// Counts each service's restarts within a sliding time window from successive restart totals,
// which is what the restart-rate threshold compares against.
export interface RestartWindow {
  record(totals: Array<{ name: string; restarts: number }>, nowMs: number): void;
  restartsInWindow(name: string): number;
}

export function createRestartWindow(windowSeconds: number): RestartWindow {
  const history = new Map<string, Array<{ at: number; total: number }>>();
  const increases = new Map<string, number>();
  return {
    record(totals, nowMs) {
      for (const { name, restarts } of totals) {
        const points = (history.get(name) ?? []).filter((p) => nowMs - p.at <= windowSeconds * 1000);
        points.push({ at: nowMs, total: restarts });
        history.set(name, points);
        // Sum the increases between points; a drop means the counter was reset (PM2 delete/start).
        let sum = 0;
        for (let i = 1; i < points.length; i++) {
          const previous = points[i - 1]!.total;
          const next = points[i]!.total;
          sum += next >= previous ? next - previous : next;
        }
        increases.set(name, sum);
      }
    },
    restartsInWindow: (name) => increases.get(name) ?? 0,
  };
}
