// End to end: a running pod-health posts one webhook event when a service starts failing and one
// when it recovers, however many collection ticks pass in between.
import { expect } from 'chai';
import type { PodEvent } from '@core-pod/pod-notifier';
import { listen, type Loopback, until } from './loopback-servers';
import { startPodUnderTest, type PodUnderTest } from './pod-under-test';

describe('health notifications from a running pod-health', function () {
  this.timeout(20_000);
  let receiver: Loopback;
  let pod: PodUnderTest;
  const events: PodEvent[] = [];

  before(async () => {
    receiver = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        events.push(JSON.parse(body) as PodEvent);
        res.writeHead(204).end();
      });
    });
    pod = await startPodUnderTest({ POD_NOTIFY_WEBHOOK_URL: `${receiver.url}/hook` });
  });
  after(async () => {
    await pod.close();
    await receiver.close();
  });

  it('sends one fail event while users is down and one pass event after it recovers', async () => {
    expect(pod.health.report().status).to.equal('pass');
    pod.users.set(503, 'fail');
    await until(() => events.length, (n) => n >= 1);
    const ticksBefore = pod.health.loop.latest()!.at;
    await until(() => pod.health.loop.latest()!.at, (at) => at >= ticksBefore + 600); // several more ticks at 200 ms
    expect(events).to.have.length(1);
    pod.users.set(200, 'pass');
    await until(() => events.length, (n) => n >= 2);
    expect(events.map((e) => [e.event, e.previousState, e.state])).to.deep.equal([
      ['pod_health', 'pass', 'fail'],
      ['pod_health', 'fail', 'pass'],
    ]);
    expect(events[0]!.checks).to.deep.equal({ 'users:responseTime': 'fail' });
  });
});
