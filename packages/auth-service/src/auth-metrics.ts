// The auth service's own Prometheus metrics, served at /metrics next to the process defaults.
import { Counter, Registry } from 'prom-client';

export function createAuthMetrics() {
  const registry = new Registry();
  return {
    registry,
    logins: new Counter({ name: 'auth_logins_total', help: 'Login attempts by result (success or problem code)', labelNames: ['result'], registers: [registry] }),
    refreshes: new Counter({ name: 'auth_token_refreshes_total', help: 'Refresh attempts by result (success or problem code)', labelNames: ['result'], registers: [registry] }),
    registrations: new Counter({ name: 'auth_registrations_total', help: 'Accounts registered', registers: [registry] }),
  };
}

export type AuthMetrics = ReturnType<typeof createAuthMetrics>;
