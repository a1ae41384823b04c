// Who may call what: every endpoint × anonymous, user, other user, admin, disabled user, revoked
// session, expired token and forged token, against the real auth service issuing the tokens.
import { expect } from 'chai';
import { ADMIN_EMAIL, claimsFor, kidOf, newSigningKeyPem, startPod, type Account, type Pod } from '../support/pod';
import { waitFor } from '@core-pod/service-test-harness';

type Persona = 'anonymous' | 'user' | 'otherUser' | 'admin' | 'disabled' | 'revoked' | 'expired' | 'forged';

interface Row {
  method: 'get' | 'patch' | 'post' | 'delete';
  path: (target: Account) => string;
  body?: unknown;
  /** Expected status per persona that is let through; every other persona is rejected. */
  allowed: Partial<Record<Persona, number>>;
  /** Status for a valid, active caller who lacks the rights. */
  forbidden?: Persona[];
}

const ROWS: Row[] = [
  { method: 'get', path: () => '/api/v1/users/me', allowed: { user: 200, otherUser: 200, admin: 200 } },
  { method: 'patch', path: () => '/api/v1/users/me', body: { bio: 'matrix' }, allowed: { user: 200, otherUser: 200, admin: 200 } },
  // A successful DELETE /me is destructive: the deletion tests cover the allowed callers.
  { method: 'delete', path: () => '/api/v1/users/me', allowed: {} },
  { method: 'get', path: (t) => `/api/v1/users/${t.id}`, allowed: { user: 200, otherUser: 200, admin: 200 } },
  { method: 'get', path: () => '/api/v1/users', allowed: { admin: 200 }, forbidden: ['user', 'otherUser'] },
  { method: 'get', path: () => '/api/v1/users/', allowed: { admin: 200 }, forbidden: ['user', 'otherUser'] },
  { method: 'patch', path: (t) => `/api/v1/users/${t.id}/role`, body: { role: 'user' }, allowed: { admin: 200 }, forbidden: ['user', 'otherUser'] },
  { method: 'post', path: (t) => `/api/v1/users/${t.id}/disable`, allowed: { admin: 200 }, forbidden: ['user', 'otherUser'] },
  { method: 'post', path: (t) => `/api/v1/users/${t.id}/enable`, allowed: { admin: 200 }, forbidden: ['user', 'otherUser'] },
];

const EXPECTED_REJECTION: Record<Exclude<Persona, 'user' | 'otherUser' | 'admin'>, { status: number; code: string }> = {
  anonymous: { status: 401, code: 'authentication_required' },
  disabled: { status: 401, code: 'session_revoked' },
  revoked: { status: 401, code: 'session_revoked' },
  expired: { status: 401, code: 'invalid_token' },
  forged: { status: 401, code: 'invalid_token' },
};

describe('authorisation matrix (every endpoint × every kind of caller)', () => {
  let pod: Pod;
  let target: Account;
  const tokens = {} as Record<Persona, string | undefined>;

  before(async () => {
    pod = await startPod();
    const admin = await pod.register(ADMIN_EMAIL);
    const user = await pod.register('user@example.com');
    const other = await pod.register('other@example.com');
    const disabled = await pod.register('disabled@example.com');
    target = await pod.register('target@example.com');
    const revoked = await pod.login('user@example.com');
    const now = Math.floor(Date.now() / 1000);

    tokens.anonymous = undefined;
    tokens.user = user.token;
    tokens.otherUser = other.token;
    tokens.admin = admin.token;
    tokens.disabled = disabled.token;
    tokens.revoked = revoked.token;
    tokens.expired = pod.signWith(pod.signingKeyPem, claimsFor(user, { iat: now - 700, nbf: now - 700, exp: now - 100 }));
    // A key that is not auth's, presenting auth's kid.
    tokens.forged = pod.signWith(newSigningKeyPem(), claimsFor(user, { role: 'admin' }), { kid: kidOf(pod.signingKeyPem) });

    expect((await pod.api.post(`/api/v1/users/${disabled.id}/disable`, { token: admin.token })).status).to.equal(200);
    expect((await pod.authApi.post('/api/v1/auth/logout', { token: revoked.token })).status).to.be.oneOf([200, 204]);
    for (const token of [tokens.disabled, tokens.revoked]) {
      await waitFor(async () => (await pod.api.get('/api/v1/users/me', { token })).body?.code === 'session_revoked', 5000, 'the revocation to reach user-service');
    }
  });
  after(() => pod.close());

  for (const row of ROWS) {
    const label = `${row.method.toUpperCase()} ${row.path({ id: ':id' } as Account)}`;
    for (const persona of Object.keys({ ...EXPECTED_REJECTION, user: 0, otherUser: 0, admin: 0 }) as Persona[]) {
      const allowed = row.allowed[persona];
      const forbidden = row.forbidden?.includes(persona) ?? false;
      const expectation = allowed !== undefined ? `${allowed}` : forbidden ? '403 admin_required' : persona in EXPECTED_REJECTION ? `${EXPECTED_REJECTION[persona as keyof typeof EXPECTED_REJECTION].status}` : 'skipped';
      if (expectation === 'skipped') continue;
      it(`${label} as ${persona} → ${expectation}`, async () => {
        const token = tokens[persona];
        const res = await pod.api[row.method](row.path(target), { ...(token ? { token } : {}), ...(row.body ? { body: row.body } : {}) });
        if (allowed !== undefined) {
          expect(res.status, res.text).to.equal(allowed);
        } else if (forbidden) {
          expect(res.status, res.text).to.equal(403);
          expect(res.body.code).to.equal('admin_required');
        } else {
          const { status, code } = EXPECTED_REJECTION[persona as keyof typeof EXPECTED_REJECTION];
          expect(res.status, res.text).to.equal(status);
          expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
          expect(res.body.code).to.equal(code);
        }
      });
    }
  }
});
