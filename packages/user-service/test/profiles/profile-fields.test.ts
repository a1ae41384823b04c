// Bad input on every field of PATCH /me (and on the body itself) is a 400 problem naming the field,
// never a 5xx; the stored profile is unchanged afterwards.
import { expect } from 'chai';
import { startPod, type Account, type Pod } from '../support/pod';

const BAD: Array<[string, unknown, string]> = [
  ['displayName', '', 'empty'],
  ['displayName', '   ', 'blank'],
  ['displayName', 'x'.repeat(101), 'over 100 characters'],
  ['displayName', 'bad\u0000name', 'a control character'],
  ['displayName', null, 'null (it is required)'],
  ['displayName', 42, 'a number'],
  ['bio', 'x'.repeat(501), 'over 500 characters'],
  ['bio', 'ring \u0007 bell', 'a control character'],
  ['bio', { text: 'x' }, 'an object'],
  ['avatarUrl', 'http://example.com/a.png', 'http:'],
  ['avatarUrl', 'javascript:alert(1)', 'javascript:'],
  ['avatarUrl', 'data:image/png;base64,AAAA', 'data:'],
  ['avatarUrl', '/relative.png', 'relative'],
  ['avatarUrl', 'https://user:pw@example.com/a.png', 'with credentials'],
  ['avatarUrl', `https://example.com/${'a'.repeat(2040)}`, 'over 2048 characters'],
  ['locale', 'not a locale', 'not BCP 47'],
  ['locale', 'x'.repeat(36), 'over 35 characters'],
  ['locale', 7, 'a number'],
  ['timezone', 'Mars/Olympus_Mons', 'unknown zone'],
  ['timezone', '+01:00', 'an offset'],
  ['timezone', 'Europe/Paris/../../etc', 'a path'],
  ['timezone', '', 'empty'],
];

describe('PATCH /api/v1/users/me input validation', () => {
  let pod: Pod;
  let user: Account;
  const patch = (body: unknown, headers?: Record<string, string>) =>
    pod.api.patch('/api/v1/users/me', { token: user.token, ...(typeof body === 'string' ? { rawBody: body, headers: { 'content-type': 'application/json', ...headers } } : { body, headers }) });

  before(async () => {
    pod = await startPod();
    user = await pod.register('fields@example.com');
  });
  after(() => pod.close());

  for (const [field, value, why] of BAD) {
    it(`refuses ${field} ${why}`, async () => {
      const res = await patch({ [field]: value });
      expect(res.status, res.text).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.code).to.equal('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include(field);
    });
  }

  it('accepts the boundary values (100-character name, 500-character bio, UTC, canonical locale)', async () => {
    const res = await patch({ displayName: 'n'.repeat(100), bio: 'b'.repeat(500), timezone: 'UTC', locale: 'zh-hant-tw' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ timezone: 'UTC', locale: 'zh-Hant-TW' });
  });

  it('refuses unknown fields, including ones a user must not write (role, email, id)', async () => {
    for (const field of ['role', 'email', 'id', 'disabled', 'nickname']) {
      const res = await patch({ [field]: 'admin' });
      expect(res.status, field).to.equal(400);
      expect(res.body.errors[0].field).to.equal(field);
    }
  });

  it('refuses an empty patch, a non-object body, malformed JSON, another media type and an oversized body', async () => {
    expect((await patch({})).status).to.equal(400);
    expect((await patch([{ bio: 'x' }])).body.code).to.equal('validation_failed');
    // Strict JSON parsing: a bare string is not an accepted document.
    expect((await patch('"just a string"')).body.code).to.equal('malformed_json');
    expect((await patch('{"bio": ')).body.code).to.equal('malformed_json');
    const text = await pod.api.patch('/api/v1/users/me', { token: user.token, rawBody: 'bio=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).to.equal(415);
    const huge = await patch({ bio: 'x'.repeat(20_000) });
    expect(huge.status).to.equal(413);
  });

  it('leaves the profile unchanged after refused input', async () => {
    const before = (await pod.api.get('/api/v1/users/me', { token: user.token })).body;
    await patch({ displayName: 'Valid', avatarUrl: 'http://insecure.example' });
    expect((await pod.api.get('/api/v1/users/me', { token: user.token })).body).to.deep.equal(before);
  });

  it('refuses a bad register hook body and a missing internal token', async () => {
    const internal = { authorization: `Bearer ${pod.internalToken}` };
    expect((await pod.api.put('/internal/v1/profiles/x1', { body: { email: 'a@b.c' } })).status).to.equal(401);
    expect((await pod.api.put('/internal/v1/profiles/x1', { body: { email: 'a@b.c' }, headers: { authorization: 'Bearer wrong-token-of-some-length-000000000' } })).status).to.equal(401);
    const bad = await pod.api.put('/internal/v1/profiles/x1', { body: { role: 'root' }, headers: internal });
    expect(bad.status).to.equal(400);
    const badId = await pod.api.put(`/internal/v1/profiles/${'a'.repeat(129)}`, { body: { email: 'a@b.c' }, headers: internal });
    expect(badId.status).to.equal(400);
    expect(badId.body.errors[0].field).to.equal('id');
    const created = await pod.api.put('/internal/v1/profiles/x1', { body: { email: 'X1@Example.com', role: 'user', createdAt: new Date().toISOString() }, headers: internal });
    expect(created.status).to.equal(201);
    expect(created.body.email).to.equal('x1@example.com');
    const again = await pod.api.put('/internal/v1/profiles/x1', { body: { email: 'x1@example.com', role: 'admin' }, headers: internal });
    expect(again.status).to.equal(200);
    expect(again.body.role).to.equal('admin');
  });
});
