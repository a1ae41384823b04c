import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@core-pod/http-service';
import { expect } from 'chai';
import { createProfileNotifier } from '../src/profile-notifier';
import type { User } from '../src/store/database';
import { waitFor } from '@core-pod/service-test-harness';

const user = { id: 'u-42', email: 'new@example.com', role: 'user', createdAt: new Date('2026-01-02T03:04:05Z') } as User;

describe('profile notifier', () => {
  it('PUTs the new profile to user-service with the internal token', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const listener = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      const notify = createProfileNotifier({ usersInternalUrl: `http://127.0.0.1:${port}`, internalToken: 'secret-internal-token', timeoutMs: 1000, logger: createLogger('auth', { level: 'silent' }) });
      notify(user);
      await waitFor(() => seen.length === 1, 5000, 'the PUT');
      expect(seen[0]).to.deep.include({ method: 'PUT', url: '/internal/v1/profiles/u-42', auth: 'Bearer secret-internal-token' });
      expect(JSON.parse(seen[0]!.body)).to.deep.equal({ email: 'new@example.com', role: 'user', createdAt: '2026-01-02T03:04:05.000Z' });
    } finally {
      listener.close();
    }
  });

  it('only logs a warning when user-service is not answering', async () => {
    const lines: string[] = [];
    const logger = createLogger('auth', { level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    createProfileNotifier({ usersInternalUrl: 'http://127.0.0.1:9', internalToken: 't', timeoutMs: 500, logger })(user);
    await waitFor(() => lines.some((l) => l.includes('could not tell user-service')), 5000, 'the warning');
    expect(lines.join('')).to.not.include('"t"');
  });
});
