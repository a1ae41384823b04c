import { expect } from 'chai';
import { pruneExpired } from '../../src/store/retention';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { client } from '@core-pod/service-test-harness';

const PASSWORD = 'correct horse battery';
const DAY = 24 * 3600;

describe('retention', () => {
  let server: AuthServer;
  before(async () => {
    server = await startAuthServer();
  });
  after(() => server.close());

  it('drops long-ended sessions, their refresh tokens and old revocations, and keeps live ones', async () => {
    const http = client(server.url);
    const ended = (await http.post('/api/v1/auth/register', { body: { email: 'ended@example.com', password: PASSWORD } })).body;
    await http.post('/api/v1/auth/refresh', { body: { refreshToken: ended.refreshToken } });
    await http.post('/api/v1/auth/logout', { token: ended.accessToken });
    const live = (await http.post('/api/v1/auth/register', { body: { email: 'live@example.com', password: PASSWORD } })).body;

    const soon = await pruneExpired(server.db, { keepSeconds: DAY, now: () => Date.now() });
    expect(soon).to.deep.equal({ sessions: 0, refreshTokens: 0, revocations: 0 });

    const later = await pruneExpired(server.db, { keepSeconds: DAY, now: () => Date.now() + 2 * DAY * 1000 });
    expect(later).to.deep.equal({ sessions: 1, refreshTokens: 2, revocations: 1 });
    expect(await server.db.session.findUnique({ where: { id: ended.sessionId } })).to.equal(null);
    expect((await http.get('/api/v1/auth/me', { token: live.accessToken })).status).to.equal(200);
    expect((await http.post('/api/v1/auth/refresh', { body: { refreshToken: live.refreshToken } })).status).to.equal(200);
  });
});
