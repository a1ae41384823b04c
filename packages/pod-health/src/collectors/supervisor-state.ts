// Reads pod-supervisor's state file (<POD_DATA_DIR>/run/pod-status.json, contracts.md) and
// returns its services when the file is fresh, or null so the caller falls back to PM2.
import type { ServiceState } from './pm2-process-list';
import { readText } from './proc-files';

export interface SupervisedService {
  name: string;
  state: ServiceState;
  pid: number | null;
  restarts: number;
  startedAt: number | null;
  critical: boolean;
}

const FRESH_MS = 15_000;
const KNOWN_STATES = new Set(['STARTING', 'RUNNING', 'BACKOFF', 'EXITED', 'FATAL', 'STOPPED']);

interface StateFile {
  updatedAt?: unknown;
  services?: unknown;
}

function toService(raw: Record<string, unknown>): SupervisedService | null {
  if (typeof raw.name !== 'string' || typeof raw.state !== 'string' || !KNOWN_STATES.has(raw.state)) return null;
  const started = typeof raw.startedAt === 'string' ? Date.parse(raw.startedAt) : NaN;
  return {
    name: raw.name,
    state: raw.state as ServiceState,
    pid: typeof raw.pid === 'number' && raw.pid > 0 ? raw.pid : null,
    restarts: typeof raw.restarts === 'number' ? raw.restarts : 0,
    startedAt: Number.isFinite(started) ? started / 1000 : null,
    critical: raw.critical !== false,
  };
}

export async function readSupervisorState(file: string, now = Date.now()): Promise<SupervisedService[] | null> {
  const raw = await readText(file);
  if (raw === null) return null;
  let parsed: StateFile;
  try {
    parsed = JSON.parse(raw) as StateFile;
  } catch {
    return null; // a torn or foreign file is treated as absent; the writer renames atomically
  }
  const updated = typeof parsed.updatedAt === 'string' ? Date.parse(parsed.updatedAt) : NaN;
  if (!Number.isFinite(updated) || now - updated > FRESH_MS || !Array.isArray(parsed.services)) return null;
  return parsed.services
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
    .map(toService)
    .filter((s): s is SupervisedService => s !== null);
}
