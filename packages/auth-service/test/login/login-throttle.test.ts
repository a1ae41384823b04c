import { expect } from 'chai';
import { createLoginThrottle } from '../../src/login/login-throttle';

describe('login throttle', () => {
  const limits = { ipMaxFailures: 5, accountMaxFailures: 3, windowSeconds: 60, lockoutSeconds: 120 };
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('locks an account after its failure limit and reports the seconds left', () => {
    const throttle = createLoginThrottle(limits, now);
    expect(throttle.recordFailure('10.0.0.1', 'a@x')).to.equal(false);
    expect(throttle.recordFailure('10.0.0.2', 'a@x')).to.equal(false);
    expect(throttle.recordFailure('10.0.0.3', 'a@x')).to.equal(true);
    expect(throttle.retryAfter('10.0.0.9', 'a@x')).to.equal(120);
    clock += 100_500;
    expect(throttle.retryAfter('10.0.0.9', 'a@x')).to.equal(20);
    clock += 20_000;
    expect(throttle.retryAfter('10.0.0.9', 'a@x')).to.equal(0);
  });

  it('locks an IP that fails across many accounts', () => {
    const throttle = createLoginThrottle(limits, now);
    for (let i = 0; i < 5; i++) throttle.recordFailure('10.0.0.1', `user${i}@x`);
    expect(throttle.retryAfter('10.0.0.1', 'fresh@x')).to.equal(120);
    expect(throttle.retryAfter('10.0.0.2', 'fresh@x')).to.equal(0);
  });

  it('forgets failures older than the window', () => {
    const throttle = createLoginThrottle(limits, now);
    throttle.recordFailure('10.0.0.1', 'a@x');
    throttle.recordFailure('10.0.0.1', 'a@x');
    clock += 61_000;
    expect(throttle.recordFailure('10.0.0.1', 'a@x')).to.equal(false);
    expect(throttle.retryAfter('10.0.0.1', 'a@x')).to.equal(0);
  });

  it('clears an account after a successful login', () => {
    const throttle = createLoginThrottle(limits, now);
    throttle.recordFailure('10.0.0.1', 'a@x');
    throttle.recordFailure('10.0.0.1', 'a@x');
    throttle.recordSuccess('a@x');
    expect(throttle.recordFailure('10.0.0.1', 'a@x')).to.equal(false);
  });
});
