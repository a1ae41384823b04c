// Posts events to the notification webhook one at a time, in order, each with a timeout and
// retries with exponential backoff; a 4xx other than 429 is final (retrying cannot help).
import { slackBody, type NoticeFormat, type PodEvent } from './pod-event';

export interface WebhookPosterOptions {
  url: string;
  format?: NoticeFormat;
  timeoutMs: number;
  /** Total tries per event (≥ 1). */
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
  onError?: (message: string) => void;
}

export interface WebhookPoster {
  /** Queues the event; resolves true once delivered, false once given up on. */
  post(event: PodEvent): Promise<boolean>;
  /** Resolves once every queued event was delivered or given up on. */
  flush(): Promise<void>;
}

export function createWebhookPoster(options: WebhookPosterOptions): WebhookPoster {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    post(event) {
      const body = JSON.stringify(options.format === 'slack' ? slackBody(event) : event);
      const sent = queue.then(() => deliver(options, body));
      queue = sent;
      return sent;
    },
    async flush() {
      await queue;
    },
  };
}

async function deliver(options: WebhookPosterOptions, body: string): Promise<boolean> {
  const backoffMs = options.backoffMs ?? 250;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.ok) return true;
      if (response.status < 500 && response.status !== 429) {
        options.onError?.(`webhook answered ${response.status}; notice dropped`);
        return false;
      }
      if (attempt === options.attempts) options.onError?.(`webhook answered ${response.status} ${options.attempts} times; notice dropped`);
    } catch (error) {
      if (attempt === options.attempts) options.onError?.(`webhook failed: ${(error as Error).message}`);
    }
    if (attempt < options.attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
  }
  return false;
}
