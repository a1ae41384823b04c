// Crash loops under real PM2 end in FATAL, and a real local webhook receives exactly one notice
// per transition however many times the service crashed.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, freePorts, httpGet, type RunningPod, startPod } from './pod-harness';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

describe('crash loops and notices', function () {
  this.timeout(60_000);
  let pod: RunningPod | undefined;
  let hook: WebhookReceiver;

  let scratch: string;

  beforeEach(async () => {
    hook = await startWebhookReceiver();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pod-crash-'));
  });
  afterEach(async () => {
    await pod?.cleanup();
    pod = undefined;
    await hook.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('puts a crash-looping service in FATAL after its retries and sends one notice per transition', async () => {
    const [a, b] = await freePorts(2);
    pod = startPod(
      [
        { name: 'a', port: a! },
        { name: 'b', port: b!, critical: false, restart: { startretries: 3 }, env: { FIXTURE_CRASH_AFTER_MS: '150' } },
      ],
      { POD_NOTIFY_WEBHOOK_URL: hook.url },
    );

    await pod.waitForState('b', 'FATAL');
    const backoffs = pod.transitions().filter((t) => t === 'b:BACKOFF').length;
    expect(backoffs).to.equal(3);
    // The pod keeps serving: b is not critical.
    expect((await httpGet(`http://127.0.0.1:${a}/`)).status).to.equal(200);
    pod.child.kill('SIGTERM');
    expect(await pod.exit).to.equal(0);

    expect(hook.bodies.map((n) => `${n.service}:${n.state}`)).to.deep.equal(['b:BACKOFF', 'b:FATAL']);
    const fatal = hook.bodies[1]!;
    expect(fatal).to.include({ event: 'service_state', exitCode: 3, signal: null, restarts: 3, unexpected: true });
    // The last start either crashed before its probe passed or right after: both are failed starts.
    expect(fatal.previousState).to.be.oneOf(['STARTING', 'RUNNING']);
    expect(fatal.lastLines).to.be.an('array').that.satisfies((lines: string[]) => lines.some((l) => l.includes('b crashing on purpose')));
    expect(Date.parse(String(fatal.time))).to.be.closeTo(Date.now(), 30_000);
  });

  it('stops the pod in reverse order with exit code 1 when a critical service goes FATAL', async () => {
    const [a, b] = await freePorts(2);
    const crashFile = path.join(scratch, 'crash');
    pod = startPod([
      { name: 'a', port: a! },
      { name: 'b', port: b!, dependsOn: ['a'], restart: { startretries: 1, startsecs: 2 }, env: { FIXTURE_CRASH_IF_FILE: crashFile, FIXTURE_CRASH_AFTER_MS: '50' } },
    ]);
    const running = await pod.allRunning();
    // Past startsecs, an exit is a crash of a running service (EXITED), not a failed start.
    await eventually(() => Date.now() - Date.parse(running.services[1]!.startedAt!) > 2200, 'b to be past startsecs');
    fs.writeFileSync(crashFile, 'from now on b crashes right after every start');

    process.kill(running.services[1]!.pid!, 'SIGKILL');

    expect(await pod.exit).to.equal(1);
    const afterKill = pod.transitions().slice(pod.transitions().indexOf('b:EXITED'));
    expect(afterKill.filter((t) => !/:(STARTING|RUNNING)$/.test(t))).to.deep.equal(['b:EXITED', 'b:BACKOFF', 'b:FATAL', 'a:STOPPED']);
    expect(pod.state()?.services.map((s) => `${s.name}:${s.state}`)).to.deep.equal(['a:STOPPED', 'b:FATAL']);
    expect(pod.logLines().some((l) => l.msg === 'critical service b is FATAL: stopping the pod')).to.equal(true);
  });

  it('sends a Slack-compatible body when POD_NOTIFY_FORMAT=slack and retries a failing webhook', async () => {
    const [a] = await freePorts(1);
    hook.failNext(1, 503);
    pod = startPod([{ name: 'a', port: a!, restart: { startretries: 0 }, env: { FIXTURE_CRASH_AFTER_MS: '100' } }], {
      POD_NOTIFY_WEBHOOK_URL: hook.url,
      POD_NOTIFY_FORMAT: 'slack',
    });

    expect(await pod.exit).to.equal(1);
    expect(hook.bodies).to.have.length(1);
    expect(String(hook.bodies[0]!.text)).to.match(/^core-pod: \*a\* is FATAL \(was (STARTING|RUNNING), exit code 3, restarts 0\)/);
  });

  it('sends one down and one recovered notice for a kill -9 that the pod recovers from', async () => {
    const [a] = await freePorts(1);
    pod = startPod([{ name: 'a', port: a! }], { POD_NOTIFY_WEBHOOK_URL: hook.url, POD_NOTIFY_SETTLE_MS: '300' });
    const running = await pod.allRunning();
    // Past startsecs, so the kill is a crash of a running service, not a failed start.
    await eventually(() => Date.now() - Date.parse(running.services[0]!.startedAt!) > 1200, 'a to be past startsecs');

    process.kill(running.services[0]!.pid!, 'SIGKILL');

    await eventually(() => hook.bodies.length >= 2, 'two notices');
    expect(hook.bodies.map((n) => `${n.service}:${n.state}`)).to.deep.equal(['a:EXITED', 'a:RUNNING']);
    expect(hook.bodies[0]).to.include({ previousState: 'RUNNING', exitCode: null, signal: 'unknown', unexpected: true });
    expect(hook.bodies[1]).to.include({ restarts: 1 });
  });
});
