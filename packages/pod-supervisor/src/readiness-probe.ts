// Polls an HTTP readiness URL until it answers 2xx or a deadline passes. Unlike PM2's
// listen_timeout, running out of time is a failure, never "ready".
import http from 'node:http';

export function probeOnce(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early (e.g. the process exited); the wait then resolves false. */
  isCancelled?: () => boolean;
}

export async function waitUntilReady(url: string, options: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  // A refused connection costs well under a millisecond: poll often, a restart is measured in ms.
  const interval = options.intervalMs ?? 20;
  for (;;) {
    if (options.isCancelled?.()) return false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    if (await probeOnce(url, Math.min(1000, remaining))) return true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
}
