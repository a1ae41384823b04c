// The routes on their own: /readyz holds 503 until the first collection, while /health already
// answers with the report it has.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { evaluateHealth } from '../src/health-report';
import { createApp } from '../src/http-app';
import { createRestartWindow } from '../src/restart-window';

describe('http app', () => {
  it('answers /readyz 503 before the first collection has completed', async () => {
    const report = { ...evaluateHealth(null, loadConfig({}).thresholds, createRestartWindow(300)), status: 'pass' as const };
    const app = createApp(
      { report: () => report, ready: () => false, status: () => [], metrics: async () => ({ contentType: 'text/plain', body: '' }) },
      pino({ level: 'silent' }),
    );
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${url}/readyz`)).status).to.equal(503);
      expect((await fetch(`${url}/health`)).status).to.equal(200);
      expect((await fetch(`${url}/livez`)).status).to.equal(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
