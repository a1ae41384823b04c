// Start order follows dependencies, then priority; bad graphs fail naming the services.
import { expect } from 'chai';
import { startOrder } from '../src/start-order';
import { defaultRestartPolicy, type ServiceDefinition } from '../src/pod-types';
import { corePodDefinition } from '../src/pod-definition';

function service(name: string, dependsOn: string[] = [], priority?: number): ServiceDefinition {
  return { name, script: '/x.js', dependsOn, priority, readinessUrl: 'http://127.0.0.1:1/', startTimeoutMs: 1, restart: defaultRestartPolicy, stopsignal: 'SIGTERM', stopTimeoutMs: 1, critical: true };
}

describe('start order', () => {
  it('puts every service after its dependencies and breaks ties by priority', () => {
    const order = startOrder([service('proxy', ['users', 'auth']), service('users', ['auth'], 100), service('health', [], 500), service('auth', [], 10)]);
    expect(order.map((s) => s.name)).to.deep.equal(['auth', 'users', 'health', 'proxy']);
  });

  it('rejects a dependency cycle naming the services in it', () => {
    expect(() => startOrder([service('a', ['b']), service('b', ['a']), service('c')])).to.throw('dependency cycle among services: a, b');
  });

  it('rejects a dependency on a service that does not exist', () => {
    expect(() => startOrder([service('a', ['ghost'])])).to.throw('service "a" depends on unknown service "ghost"');
  });

  it('orders the real pod auth, users, health, proxy with the contract readiness URLs', () => {
    const pod = corePodDefinition({ PROXY_ADMIN_PORT: '3999' });
    expect(startOrder(pod.services).map((s) => `${s.name} ${s.readinessUrl}`)).to.deep.equal([
      'auth http://127.0.0.1:3001/api/v1/auth/health',
      'users http://127.0.0.1:3002/api/v1/users/health',
      'health http://127.0.0.1:3003/livez',
      'proxy http://127.0.0.1:3999/livez',
    ]);
    expect(pod.services.filter((s) => s.migrateScript).map((s) => s.name)).to.deep.equal(['auth', 'users']);
  });
});
