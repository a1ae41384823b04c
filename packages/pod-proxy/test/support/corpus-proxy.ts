// The proxy's real entry point (src/main.ts: listen, ready message, signals, last-resort error policy)
// in a child process, plus a test-only IPC hook that reports what must return to its baseline once the
// hostile corpus ends: heap after a full GC, the per-client guards, server connections.
import { main } from '../../src/main';

interface StatsReply {
  type: 'stats';
  heapUsed: number;
  inFlight: number;
  connections: number;
  guards: { inFlightSlots: number; connectionSlots: number; watchedBodies: number };
}

main().then((proxy) => {
  process.on('message', (message: unknown) => {
    if (message !== 'stats') return;
    (globalThis as { gc?: () => void }).gc?.();
    proxy.server.getConnections((_error, connections) => {
      const reply: StatsReply = {
        type: 'stats', heapUsed: process.memoryUsage().heapUsed, inFlight: proxy.inFlight, connections, guards: proxy.guards(),
      };
      process.send?.(reply);
    });
  });
}, (error: Error) => {
  process.stderr.write(`corpus proxy: ${error.message}\n`);
  process.exit(1);
});

export type { StatsReply };
