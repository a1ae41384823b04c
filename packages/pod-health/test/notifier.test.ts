// Webhook notifications: one POST per health transition with the documented event shape,
// retries after receiver errors, coalescing while a send is in flight, no flood on repeats.
import { expect } from 'chai';
import pino from 'pino';
import type { HealthReport, HealthStatus } from '../src/health-report';
import { createTransitionNotifier, healthEvent } from '../src/transition-notifier';
import { createWebhookPoster, type PodEvent } from '@core-pod/pod-notifier';
import { listen, type Loopback } from './loopback-servers';

const silent = pino({ level: 'silent' });
const report = (status: HealthStatus): HealthReport => ({
  status,
  version: '1',
  serviceId: 'pod-health',
  description: 'test',
  checks: { 'auth:responseTime': [{ status, time: new Date().toISOString() }] },
});

describe('health notifications', () => {
  let receiver: Loopback;
  let received: PodEvent[];
  let failuresLeft: number;
  let delayMs: number;

  beforeEach(async () => {
    received = [];
    failuresLeft = 0;
    delayMs = 0;
    receiver = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        setTimeout(() => {
          if (failuresLeft > 0) {
            failuresLeft--;
            res.writeHead(500).end();
            return;
          }
          received.push(JSON.parse(body) as PodEvent);
          res.writeHead(204).end();
        }, delayMs);
      });
    });
  });
  afterEach(() => receiver.close());

  const notifier = () =>
    createTransitionNotifier(createWebhookPoster({ url: `${receiver.url}/hook`, timeoutMs: 1000, attempts: 4, backoffMs: 10 }), silent);

  it('posts one event per transition in the crash-event shape, none for repeated reports', async () => {
    const n = notifier();
    for (const status of ['pass', 'fail', 'fail', 'fail'] as const) n.observe(report(status));
    await n.idle();
    expect(received).to.have.length(1);
    const [event] = received;
    expect(event).to.deep.include({
      event: 'pod_health', service: 'pod', state: 'fail', previousState: 'pass',
      exitCode: null, signal: null, restarts: 0, lastLines: [], unexpected: true, source: 'pod-health',
    });
    expect(event!.checks).to.deep.equal({ 'auth:responseTime': 'fail' });
    expect(Date.parse(event!.time)).to.be.closeTo(Date.now(), 5000);
  });

  it('retries after receiver errors until delivered', async () => {
    failuresLeft = 2;
    const n = notifier();
    n.observe(report('warn'));
    await n.idle();
    expect(received.map((e) => e.state)).to.deep.equal(['warn']);
  });

  it('coalesces a burst of transitions during a slow send into the latest one', async () => {
    delayMs = 200;
    const n = notifier();
    n.observe(report('fail'));
    for (const status of ['pass', 'fail', 'pass', 'warn'] as const) n.observe(report(status));
    await n.idle();
    expect(received.map((e) => `${e.previousState}→${e.state}`)).to.deep.equal(['pass→fail', 'fail→warn']);
  });

  it('gives up after the configured retries when the receiver keeps failing', async () => {
    failuresLeft = 100;
    const sender = createWebhookPoster({ url: `${receiver.url}/hook`, timeoutMs: 1000, attempts: 3, backoffMs: 5 });
    const delivered = await sender.post(healthEvent(report('fail'), 'pass'));
    expect(delivered).to.equal(false);
    expect(failuresLeft, 'one attempt plus two retries').to.equal(97);
  });
});
