// Posts one JSON event to the notification webhook (POD_NOTIFY_WEBHOOK_URL) with a timeout and
// retries with exponential backoff. Kept small so the integrator can merge it with
// pod-supervisor's crash notifier; the event shape is documented in the README.
import http from 'node:http';
import https from 'node:https';

/**
 * The event pod-supervisor posts for service state changes (its `StateEvent`: event, service,
 * state, previousState, exitCode, signal, restarts, lastLines, time, unexpected), with
 * event "pod_health" and the non-passing checks added.
 */
export interface PodEvent {
  event: 'pod_health' | 'service_state';
  service: string;
  state: string;
  previousState: string;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  lastLines: string[];
  time: string;
  unexpected: boolean;
  source?: string;
  message?: string;
  checks?: Record<string, string>;
}

export interface WebhookSender {
  send(event: PodEvent): Promise<boolean>;
}

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

function postOnce(url: string, body: string, timeoutMs: number): Promise<number> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`webhook timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function createWebhookSender({ url, timeoutMs, retries, backoffMs = 250 }: WebhookOptions): WebhookSender {
  return {
    async send(event) {
      const body = JSON.stringify(event);
      for (let attempt = 0; attempt <= retries; attempt++) {
        try {
          const status = await postOnce(url, body, timeoutMs);
          if (status >= 200 && status < 300) return true;
          if (status >= 400 && status < 500 && status !== 429) return false; // the receiver refuses it: retrying cannot help
        } catch {
          // network error or timeout: retry below
        }
        if (attempt < retries) await new Promise((r) => setTimeout(r, backoffMs * 2 ** attempt));
      }
      return false;
    },
  };
}
