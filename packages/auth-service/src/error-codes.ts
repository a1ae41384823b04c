// The enumerated list of problem codes the auth service answers with (stable API: clients and
// user-service match on them). Each maps to one HTTP status and a human title.
import { ProblemError } from '@core-pod/http-service';

export const AUTH_ERRORS = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  weak_password: { status: 400, title: 'The password does not meet the policy' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  invalid_token: { status: 401, title: 'The access token is missing or invalid' },
  session_revoked: { status: 401, title: 'The session has been revoked' },
  invalid_refresh_token: { status: 401, title: 'The refresh token is invalid or expired' },
  refresh_token_reused: { status: 401, title: 'The refresh token was already used; the session is revoked' },
  current_password_incorrect: { status: 403, title: 'The current password is incorrect' },
  account_disabled: { status: 403, title: 'The account is disabled' },
  not_found: { status: 404, title: 'Not found' },
  session_not_found: { status: 404, title: 'Session not found' },
  user_not_found: { status: 404, title: 'User not found' },
  email_taken: { status: 409, title: 'An account with this email already exists' },
  refresh_conflict: { status: 409, title: 'The refresh token was just used by a concurrent request' },
  last_admin: { status: 409, title: 'The last enabled admin cannot be demoted, disabled or deleted' },
  too_many_attempts: { status: 429, title: 'Too many failed login attempts' },
  database_unavailable: { status: 503, title: 'The database is unavailable' },
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export interface AuthProblemOptions {
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  headers?: Record<string, string>;
}

export function authProblem(code: AuthErrorCode, options: AuthProblemOptions = {}): ProblemError {
  const { status, title } = AUTH_ERRORS[code];
  return new ProblemError({ status, code, title, ...options });
}
