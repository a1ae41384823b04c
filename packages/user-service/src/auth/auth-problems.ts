// Turns a failed call to auth's internal API into the problem this service answers with.
import { ProblemError } from '@core-pod/http-service';
import { userProblem } from '../error-codes';
import { AuthResponseError } from './auth-client';

export function problemFromAuth(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof AuthResponseError) {
    if (err.status === 404) return userProblem('user_not_found');
    if (err.code === 'last_admin') return userProblem('last_admin');
    return userProblem('auth_unavailable', { detail: `The auth service answered ${err.status}.` });
  }
  return userProblem('auth_unavailable', { detail: 'The auth service did not answer; try again shortly.', headers: { 'Retry-After': '5' } });
}
