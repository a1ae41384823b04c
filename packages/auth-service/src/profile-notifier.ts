// Tells user-service about a new account (PUT /internal/v1/profiles/:id). Best effort with a short
// timeout: user-service also creates profiles lazily, so a failure is only logged.
import type { Logger } from '@core-pod/http-service';
import type { User } from './store/database';

export interface ProfileNotifierOptions {
  usersInternalUrl: string;
  internalToken: string;
  timeoutMs: number;
  logger: Logger;
}

export function createProfileNotifier(options: ProfileNotifierOptions): (user: User) => void {
  return (user) => {
    const url = `${options.usersInternalUrl}/internal/v1/profiles/${encodeURIComponent(user.id)}`;
    fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.internalToken}` },
      body: JSON.stringify({ email: user.email, role: user.role, createdAt: user.createdAt.toISOString() }),
      signal: AbortSignal.timeout(options.timeoutMs),
    })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) options.logger.warn({ userId: user.id, status: res.status }, 'user-service refused the new profile');
      })
      .catch((err: unknown) => {
        options.logger.warn({ userId: user.id, err: (err as Error).message }, 'could not tell user-service about the new profile');
      });
  };
}
