// Sends service state events to a webhook (JSON or Slack-compatible), coalesced so that a
// crash loop produces one notice per transition (crashing → fatal → recovered), not hundreds.
import { createWebhookPoster } from '@core-pod/pod-notifier';
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
  const poster = createWebhookPoster(options);

  const send = (event: StateEvent, kind: 'down' | 'fatal' | 'up'): void => {
    lastSent.set(event.service, kind);
    void poster.post(event);
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
    flush: () => poster.flush(),
  };
}
