// Admin routes over real HTTP: the listing (cursor pages, prefix search, sort), role changes that go
// through auth (which protects the last admin), and role checks against the database, not the token.
import { expect } from 'chai';
import { ADMIN_EMAIL, startPod, type Account, type Pod } from '../support/pod';
import { waitFor } from '@core-pod/service-test-harness';

describe('admin routes', () => {
  let pod: Pod;
  let admin: Account;
  const names = ['zoe', 'Yann', 'xavier', 'walt', 'vera', 'ursula', 'tom'];

  before(async () => {
    pod = await startPod();
    admin = await pod.register(ADMIN_EMAIL);
    for (const name of names) {
      const account = await pod.register(`${name.toLowerCase()}@example.com`);
      expect((await pod.api.patch('/api/v1/users/me', { token: account.token, body: { displayName: `${name} Person` } })).status).to.equal(200);
    }
  });
  after(() => pod.close());

  async function listAll(query: string, limit: number): Promise<string[]> {
    const emails: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/users?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await pod.api.get(path, { token: admin.token });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.items.length).to.be.at.most(limit);
      emails.push(...res.body.items.map((p: { email: string }) => p.email));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return emails;
  }

  it('pages through every profile exactly once, in the requested order', async () => {
    const byEmail = await listAll('sort=email', 3);
    expect(byEmail).to.have.length(names.length + 1);
    expect(byEmail).to.deep.equal([...byEmail].sort());
    const byEmailDesc = await listAll('sort=-email', 2);
    expect(byEmailDesc).to.deep.equal([...byEmail].reverse());
    const byName = await listAll('sort=displayName', 4);
    expect(byName.slice(0, 2)).to.deep.equal(['admin@example.com', 'tom@example.com']);
    const byCreation = await listAll('sort=-createdAt', 5);
    expect(new Set(byCreation).size).to.equal(names.length + 1);
  });

  it('searches by a case-insensitive prefix of the email or the display name', async () => {
    expect(await listAll('q=YA', 10)).to.deep.equal(['yann@example.com']);
    expect(await listAll('q=vera%20p', 10)).to.deep.equal(['vera@example.com']);
    expect(await listAll('q=%25', 10)).to.deep.equal([]);
    expect(await listAll('q=nobody', 10)).to.deep.equal([]);
  });

  it('refuses a page size above the limit, an unknown sort, unknown parameters and a forged cursor', async () => {
    for (const query of ['limit=1000', 'limit=0', 'limit=abc', 'sort=password', 'role=admin', 'q=']) {
      const res = await pod.api.get(`/api/v1/users?${query}`, { token: admin.token });
      expect(res.status, query).to.equal(400);
      expect(res.body.code).to.equal('validation_failed');
    }
    const res = await pod.api.get('/api/v1/users?cursor=not-a-cursor', { token: admin.token });
    expect(res.status).to.equal(400);
    expect(res.body.code).to.equal('invalid_cursor');
    const first = await pod.api.get('/api/v1/users?limit=1&sort=email', { token: admin.token });
    const mismatched = await pod.api.get(`/api/v1/users?sort=createdAt&cursor=${first.body.nextCursor}`, { token: admin.token });
    expect(mismatched.body.code).to.equal('invalid_cursor');
  });

  it('promotes and demotes through auth, and auth’s role follows', async () => {
    const zoe = await pod.login('zoe@example.com');
    const promoted = await pod.api.patch(`/api/v1/users/${zoe.id}/role`, { token: admin.token, body: { role: 'admin' } });
    expect(promoted.status, promoted.text).to.equal(200);
    expect(promoted.body.role).to.equal('admin');
    // Zoe's old token still says "user"; the database says admin, and auth confirms it.
    expect((await pod.api.get('/api/v1/users', { token: zoe.token })).status).to.equal(200);
    const fresh = await pod.login('zoe@example.com');
    expect((await pod.authApi.get('/api/v1/auth/me', { token: fresh.token })).body.role).to.equal('admin');
    const demoted = await pod.api.patch(`/api/v1/users/${zoe.id}/role`, { token: admin.token, body: { role: 'user' } });
    expect(demoted.body.role).to.equal('user');
    // Her admin token is still unexpired and says "admin": the role is re-checked and refused.
    const res = await pod.api.get('/api/v1/users', { token: fresh.token });
    expect(res.status).to.equal(403);
    expect(res.body.code).to.equal('admin_required');
  });

  it('refuses to demote or disable the last admin (409 last_admin from auth)', async () => {
    const demote = await pod.api.patch(`/api/v1/users/${admin.id}/role`, { token: admin.token, body: { role: 'user' } });
    expect(demote.status).to.equal(409);
    expect(demote.body.code).to.equal('last_admin');
    const disable = await pod.api.post(`/api/v1/users/${admin.id}/disable`, { token: admin.token });
    expect(disable.status).to.equal(409);
    expect((await pod.api.get('/api/v1/users/me', { token: admin.token })).body.role).to.equal('admin');
  });

  it('answers 404 for a user unknown to auth and 400 for a bad role body', async () => {
    const unknown = await pod.api.patch('/api/v1/users/no-such-user/role', { token: admin.token, body: { role: 'admin' } });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('user_not_found');
    expect((await pod.api.post('/api/v1/users/no-such-user/disable', { token: admin.token })).status).to.equal(404);
    const tom = await pod.login('tom@example.com');
    for (const body of [{}, { role: 'root' }, { role: 'admin', extra: 1 }, { role: ['admin'] }]) {
      const res = await pod.api.patch(`/api/v1/users/${tom.id}/role`, { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.code).to.equal('validation_failed');
    }
  });

  it('shows public fields only on GET /:id, and 404 for an unknown id', async () => {
    const walt = await pod.login('walt@example.com');
    const res = await pod.api.get(`/api/v1/users/${walt.id}`, { token: admin.token });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body).sort()).to.deep.equal(['avatarUrl', 'bio', 'createdAt', 'displayName', 'id']);
    const missing = await pod.api.get('/api/v1/users/00000000-0000-0000-0000-000000000000', { token: admin.token });
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('user_not_found');
  });

  it('has a profile for a freshly registered user before they ever call user-service (auth’s hook)', async () => {
    const quiet = await pod.register('quiet@example.com');
    await waitFor(async () => (await pod.api.get(`/api/v1/users/${quiet.id}`, { token: admin.token })).status === 200, 3000, 'the hook');
  });
});
