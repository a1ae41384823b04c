// The enumerated list of problem codes the user service answers with (stable API: clients match
// on them). Each maps to one HTTP status and a human title.
import { ProblemError } from '@core-pod/http-service';

export const USER_ERRORS = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is invalid' },
  authentication_required: { status: 401, title: 'An access token is required' },
  invalid_token: { status: 401, title: 'The access token is invalid or expired' },
  session_revoked: { status: 401, title: 'The session has been revoked' },
  account_deleted: { status: 401, title: 'The account has been deleted' },
  account_disabled: { status: 403, title: 'The account is disabled' },
  admin_required: { status: 403, title: 'This action requires the admin role' },
  user_not_found: { status: 404, title: 'User not found' },
  last_admin: { status: 409, title: 'The last enabled admin cannot be demoted, disabled or deleted' },
  profile_deleted: { status: 409, title: 'The profile was deleted and cannot be re-created' },
  auth_unavailable: { status: 503, title: 'The auth service is unavailable' },
  database_unavailable: { status: 503, title: 'The database is unavailable' },
} as const;

export type UserErrorCode = keyof typeof USER_ERRORS;

export interface UserProblemOptions {
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  headers?: Record<string, string>;
}

export function userProblem(code: UserErrorCode, options: UserProblemOptions = {}): ProblemError {
  const { status, title } = USER_ERRORS[code];
  return new ProblemError({ status, code, title, ...options });
}
