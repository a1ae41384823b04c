// Sends service state events to a webhook (JSON or Slack-compatible), coalesced so that a
// crash loop produces one notice per transition (crashing → fatal → recovered), not hundreds.
import type { ServiceState } from './pod-types';

export interface StateEvent {
  event: 'service_state';
  service: string;
  state: ServiceState;
  previousState: ServiceState;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  lastLines: string[];
  time: string;
  /** True for an exit the supervisor did not ask for. */
  unexpected: boolean;
}

export interface NotifierOptions {
  url: string;
  format: 'json' | 'slack';
  timeoutMs: number;
  attempts: number;
  /** A recovery is only news once the service stays RUNNING this long (ready-then-crash loops). */
  settleMs?: number;
  onError: (message: string) => void;
}

export interface CrashNotifier {
  notify(event: StateEvent): void;
  /** Resolves once every queued notice has been sent or given up on. */
  flush(): Promise<void>;
}

/**
 * The notice class of a state: STARTING is never notified; BACKOFF and EXITED are both
 * "down", so a loop BACKOFF → STARTING → BACKOFF… stays one notice.
 */
function noticeClass(state: ServiceState): 'down' | 'fatal' | 'up' | null {
  if (state === 'BACKOFF' || state === 'EXITED') return 'down';
  if (state === 'FATAL') return 'fatal';
  if (state === 'RUNNING') return 'up';
  return null;
}

export function createCrashNotifier(options: NotifierOptions): CrashNotifier {
  const lastSent = new Map<string, 'down' | 'fatal' | 'up'>();
  const pendingUp = new Map<string, NodeJS.Timeout>();
  let queue: Promise<void> = Promise.resolve();

  const send = (event: StateEvent, kind: 'down' | 'fatal' | 'up'): void => {
    lastSent.set(event.service, kind);
    const body = options.format === 'slack' ? slackBody(event) : event;
    queue = queue.then(() => post(options, body));
  };

  return {
    notify(event) {
      const kind = noticeClass(event.state);
      if (kind === null) return;
      const pending = pendingUp.get(event.service);
      if (pending && kind !== 'up') {
        // It went down again before it settled: the burst is still the same crash loop.
        clearTimeout(pending);
        pendingUp.delete(event.service);
      }
      const previous = lastSent.get(event.service);
      // A first RUNNING is a normal start, not news; any repeat of the same class is coalesced.
      if (kind === previous || (kind === 'up' && previous === undefined)) return;
      if (kind === 'down' && !event.unexpected) return;
      if (kind === 'up') {
        if (pending) return;
        const timer = setTimeout(() => {
          pendingUp.delete(event.service);
          send(event, 'up');
        }, options.settleMs ?? 3000);
        timer.unref();
        pendingUp.set(event.service, timer);
        return;
      }
      send(event, kind);
    },
    flush() {
      return queue;
    },
  };
}

function slackBody(event: StateEvent): { text: string } {
  const how = event.signal ? `signal ${event.signal}` : `code ${event.exitCode ?? 'unknown'}`;
  const tail = event.lastLines.length > 0 ? `\n\`\`\`${event.lastLines.join('\n')}\`\`\`` : '';
  return { text: `core-pod: *${event.service}* is ${event.state} (was ${event.previousState}, exit ${how}, restarts ${event.restarts})${tail}` };
}

async function post(options: NotifierOptions, body: unknown): Promise<void> {
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      if (response.status < 500 && response.status !== 429) {
        options.onError(`webhook answered ${response.status}; notice dropped`);
        return;
      }
    } catch (error) {
      if (attempt === options.attempts) options.onError(`webhook failed: ${(error as Error).message}`);
    }
    if (attempt < options.attempts) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
  }
}
