import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookPoster, type PodEvent } from '../src';

const event: PodEvent = {
  event: 'service_state', service: 'auth', state: 'FATAL', previousState: 'BACKOFF', exitCode: 1, signal: null,
  restarts: 3, lastLines: ['boom'], time: '2026-01-01T00:00:00.000Z', unexpected: true,
};

/** A real receiver answering with the given statuses in turn (then 200), recording bodies. */
async function receiver(statuses: number[]) {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      bodies.push(JSON.parse(body));
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise((r) => server.close(r)) };
}

describe('webhook poster', () => {
  it('delivers the event as JSON', async () => {
    const hook = await receiver([]);
    try {
      const poster = createWebhookPoster({ url: hook.url, timeoutMs: 1000, attempts: 3 });
      expect(await poster.post(event)).to.equal(true);
      expect(hook.bodies).to.deep.equal([event]);
    } finally {
      await hook.close();
    }
  });

  it('retries a 503 with backoff and stops at a 400', async () => {
    const hook = await receiver([503, 503]);
    const errors: string[] = [];
    try {
      const poster = createWebhookPoster({ url: hook.url, timeoutMs: 1000, attempts: 3, backoffMs: 10, onError: (m) => errors.push(m) });
      expect(await poster.post(event)).to.equal(true);
      expect(hook.bodies).to.have.length(3);
      const refusing = await receiver([400]);
      const poster2 = createWebhookPoster({ url: refusing.url, timeoutMs: 1000, attempts: 3, backoffMs: 10, onError: (m) => errors.push(m) });
      expect(await poster2.post(event)).to.equal(false);
      expect(refusing.bodies).to.have.length(1);
      expect(errors).to.deep.equal(['webhook answered 400; notice dropped']);
      await refusing.close();
    } finally {
      await hook.close();
    }
  });

  it('gives up on an unreachable webhook after the configured attempts, reporting why', async () => {
    const errors: string[] = [];
    const poster = createWebhookPoster({ url: 'http://127.0.0.1:1/hook', timeoutMs: 500, attempts: 2, backoffMs: 10, onError: (m) => errors.push(m) });
    expect(await poster.post(event)).to.equal(false);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^webhook failed/);
  });

  it('sends a Slack-compatible body, and keeps events in order', async () => {
    const hook = await receiver([]);
    try {
      const poster = createWebhookPoster({ url: hook.url, format: 'slack', timeoutMs: 1000, attempts: 1 });
      void poster.post(event);
      void poster.post({ ...event, event: 'pod_health', service: 'pod', state: 'warn', previousState: 'pass', message: 'pod health pass → warn: disk' });
      await poster.flush();
      expect(hook.bodies).to.deep.equal([
        { text: 'core-pod: *auth* is FATAL (was BACKOFF, exit code 1, restarts 3)\n```boom```' },
        { text: 'core-pod: pod health pass → warn: disk' },
      ]);
    } finally {
      await hook.close();
    }
  });
});
