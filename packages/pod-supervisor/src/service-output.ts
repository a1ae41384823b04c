// Turns raw stdout/stderr chunks of a service into JSON lines tagged with the service name,
// and remembers each service's last lines for failure messages and crash notices.
import type { RotatingLog } from './rotating-log';

const keptLines = 20;

export interface ServiceOutput {
  /** A chunk of output from PM2's bus (may hold several lines or a partial one). */
  add(service: string, stream: 'out' | 'err', chunk: string): void;
  lastLines(service: string, count?: number): string[];
}

export function createServiceOutput(log: RotatingLog): ServiceOutput {
  const recent = new Map<string, string[]>();
  const partial = new Map<string, string>();

  const addLine = (service: string, stream: 'out' | 'err', line: string): void => {
    if (line.trim() === '') return;
    const lines = recent.get(service) ?? [];
    lines.push(line);
    if (lines.length > keptLines) lines.shift();
    recent.set(service, lines);
    log.write(JSON.stringify(tagLine(service, stream, line)));
  };

  return {
    add(service, stream, chunk) {
      const key = `${service}:${stream}`;
      const parts = ((partial.get(key) ?? '') + chunk).split('\n');
      partial.set(key, parts.pop() ?? '');
      for (const line of parts) addLine(service, stream, line);
    },
    lastLines(service, count = 10) {
      return (recent.get(service) ?? []).slice(-count);
    },
  };
}

/** pino lines keep their fields (plus `service`); plain text becomes `{ msg }`. */
function tagLine(service: string, stream: 'out' | 'err', line: string): Record<string, unknown> {
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { ...(parsed as object), service };
    } catch {
      // not JSON after all: fall through
    }
  }
  return { time: Date.now(), level: stream === 'err' ? 50 : 30, service, stream, msg: line };
}
