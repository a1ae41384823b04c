// Credentials: registration, login (throttled, timing-equalised against a dummy hash, rehash when
// the configured cost changed) and password change. HTTP-free; routes translate input and output.
import crypto from 'node:crypto';
import type { AuditLog } from './audit-log';
import { authProblem } from './error-codes';
import type { LoginThrottle } from './login/login-throttle';
import { costOf, type PasswordHasher } from './passwords/hash-pool';
import { checkPassword, MAX_PASSWORD_BYTES, PASSWORD_PROBLEM_MESSAGES } from './passwords/password-policy';
import type { ClientContext, IssuedTokens, Sessions } from './sessions';
import type { Database, User } from './store/database';

export interface AccountsDeps {
  db: Database;
  hasher: PasswordHasher;
  bcryptCost: number;
  sessions: Sessions;
  throttle: LoginThrottle;
  audit: AuditLog;
  bootstrapAdminEmail: string | undefined;
  onRegistered(user: User): void;
  onBackgroundError(err: unknown): void;
}

export interface PublicUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  createdAt: string;
}

export function publicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function assertAcceptable(password: string, field: string): void {
  const problem = checkPassword(password);
  if (problem !== undefined) {
    throw authProblem('weak_password', { detail: `The ${field} ${PASSWORD_PROBLEM_MESSAGES[problem]}.`, errors: [{ field, message: PASSWORD_PROBLEM_MESSAGES[problem] }] });
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function createAccounts(deps: AccountsDeps) {
  const { db, hasher, bcryptCost, sessions, throttle, audit } = deps;
  // Unknown emails are compared against this hash so they cost as much time as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hasher.hash(crypto.randomBytes(16).toString('hex'), bcryptCost));

  /** Verifies a password against a stored hash; a password bcrypt would truncate never matches. */
  async function verify(password: string, hash: string): Promise<boolean> {
    const matches = await hasher.compare(password, hash);
    return matches && Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
  }

  function rehashInBackground(user: User, password: string): void {
    void (async () => {
      const passwordHash = await hasher.hash(password, bcryptCost);
      await db.user.update({ where: { id: user.id }, data: { passwordHash } });
      await audit.record('password_rehashed', { userId: user.id, detail: { from: costOf(user.passwordHash), to: bcryptCost } });
    })().catch(deps.onBackgroundError);
  }

  return {
    warmUp: () => dummy().then(() => undefined),

    async register(emailInput: string, password: string, client: ClientContext): Promise<{ user: User; tokens: IssuedTokens }> {
      const email = normaliseEmail(emailInput);
      assertAcceptable(password, 'password');
      const passwordHash = await hasher.hash(password, bcryptCost);
      let user: User;
      try {
        user = await db.user.create({
          data: { id: crypto.randomUUID(), email, passwordHash, role: email === deps.bootstrapAdminEmail ? 'admin' : 'user' },
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw authProblem('email_taken');
        throw err;
      }
      await audit.record('user_registered', { userId: user.id, email, ip: client.ip, detail: { role: user.role } });
      deps.onRegistered(user);
      return { user, tokens: await sessions.open(user, client) };
    },

    async login(emailInput: string, password: string, client: ClientContext): Promise<{ user: User; tokens: IssuedTokens }> {
      const email = normaliseEmail(emailInput);
      const retryAfter = throttle.retryAfter(client.ip, email);
      if (retryAfter > 0) {
        throw authProblem('too_many_attempts', { detail: `Try again in ${retryAfter} seconds.`, headers: { 'Retry-After': String(retryAfter) } });
      }
      const user = await db.user.findUnique({ where: { email } });
      const ok = await verify(password, user?.passwordHash ?? (await dummy()));
      if (user === null || !ok) {
        const lockedNow = throttle.recordFailure(client.ip, email);
        await audit.record('login_failed', { userId: user?.id, email, ip: client.ip, detail: { knownUser: user !== null } });
        if (lockedNow) await audit.record('login_locked_out', { userId: user?.id, email, ip: client.ip });
        // Same status and body whether the email is unknown or the password wrong.
        throw authProblem('invalid_credentials');
      }
      throttle.recordSuccess(email);
      if (user.disabled) {
        await audit.record('login_failed', { userId: user.id, email, ip: client.ip, detail: { disabled: true } });
        throw authProblem('account_disabled');
      }
      if (costOf(user.passwordHash) !== bcryptCost) rehashInBackground(user, password);
      await audit.record('login_succeeded', { userId: user.id, email, ip: client.ip });
      return { user, tokens: await sessions.open(user, client) };
    },

    async changePassword(userId: string, sessionId: string, current: string, next: string, client: ClientContext): Promise<number> {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (user === null) throw authProblem('invalid_token');
      const retryAfter = throttle.retryAfter(client.ip, user.email);
      if (retryAfter > 0) {
        throw authProblem('too_many_attempts', { detail: `Try again in ${retryAfter} seconds.`, headers: { 'Retry-After': String(retryAfter) } });
      }
      if (!(await verify(current, user.passwordHash))) {
        throttle.recordFailure(client.ip, user.email);
        await audit.record('password_change_failed', { userId, ip: client.ip });
        throw authProblem('current_password_incorrect');
      }
      assertAcceptable(next, 'newPassword');
      const passwordHash = await hasher.hash(next, bcryptCost);
      await db.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: new Date() } });
      const revoked = await sessions.revokeAll(userId, 'password_changed', sessionId);
      await audit.record('password_changed', { userId, ip: client.ip, detail: { sessionsRevoked: revoked } });
      return revoked;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
