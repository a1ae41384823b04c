// Drives scripts/throwaway-postgres.sh from tests: a disposable PostgreSQL cluster in a temp dir
// on a free loopback port, removed when the test process exits (even on mocha's forced exit).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', '..', 'scripts', 'throwaway-postgres.sh');

export interface ThrowawayPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only). */
  url: string;
  /** Stops the server, keeping its data and port (to test an outage). */
  pause(): void;
  /** Starts it again after pause(). */
  resume(): void;
  /** Stops it and removes its directory. Idempotent. */
  remove(): void;
}

export function startThrowawayPostgres(): ThrowawayPostgres {
  const out = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (name: string) => {
    const match = new RegExp(`${name}=([^;\\s]+)`).exec(out);
    if (!match?.[1]) throw new Error(`throwaway-postgres.sh printed no ${name}: ${out}`);
    return match[1];
  };
  const url = value('TEST_POSTGRES_URL');
  const dir = value('TEST_POSTGRES_DIR');
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.removeListener('exit', remove);
    execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
  };
  process.on('exit', remove);
  return {
    url,
    pause: () => void execFileSync('bash', [SCRIPT, 'pause', dir], { stdio: 'ignore' }),
    resume: () => void execFileSync('bash', [SCRIPT, 'resume', dir], { stdio: 'ignore' }),
    remove,
  };
}
