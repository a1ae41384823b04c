// DELETE /me across both services: the profile is tombstoned and an outbox row written in one
// transaction, then auth is asked to delete the credentials; until it confirms, the outbox row is
// retried with exponential backoff (also after a restart), so neither side keeps an orphan.
import type { Logger } from 'pino';
import { AuthResponseError, type AuthClient } from '../auth/auth-client';
import { userProblem } from '../error-codes';
import { periodicTask } from '../periodic-task';
import type { Database } from '../store/database';

export interface AccountDeletionOptions {
  db: Database;
  auth: Pick<AuthClient, 'deleteUser'>;
  logger: Logger;
  retry: { baseDelayMs: number; maxDelayMs: number };
  now?: () => number;
}

export type DeletionOutcome = 'completed' | 'pending';

export function createAccountDeletion({ db, auth, logger, retry, now = Date.now }: AccountDeletionOptions) {
  let sweeping: Promise<void> | undefined;

  const backoff = (attempts: number) => {
    const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(attempts - 1, 20));
    // Jitter so many pending deletions do not hit a recovering auth in lockstep.
    return Math.round(delay * (0.75 + Math.random() * 0.5));
  };

  async function complete(userId: string): Promise<void> {
    await db.$transaction([
      db.profile.deleteMany({ where: { id: userId } }),
      db.accountDeletion.update({ where: { userId }, data: { completedAt: new Date(now()), lastError: null } }),
    ]);
    logger.info({ userId }, 'account deletion completed');
  }

  /** auth refuses to delete the last enabled admin: the deletion is undone rather than retried forever. */
  async function undo(userId: string): Promise<void> {
    await db.$transaction([
      db.accountDeletion.delete({ where: { userId } }),
      db.profile.updateMany({ where: { id: userId }, data: { state: 'active' } }),
    ]);
    logger.warn({ userId }, 'account deletion undone: auth refused (last admin)');
  }

  /** One try at auth's side; true when the deletion is complete. */
  async function attempt(userId: string): Promise<boolean> {
    try {
      await auth.deleteUser(userId);
    } catch (err) {
      if (err instanceof AuthResponseError && err.code === 'last_admin') {
        await undo(userId);
        throw userProblem('last_admin');
      }
      const row = await db.accountDeletion.update({
        where: { userId },
        data: { attempts: { increment: 1 }, lastError: (err as Error).message.slice(0, 500) },
      });
      const delay = backoff(row.attempts);
      await db.accountDeletion.update({ where: { userId }, data: { nextAttemptAt: new Date(now() + delay) } });
      logger.warn({ userId, attempts: row.attempts, retryInMs: delay, err: (err as Error).message }, 'account deletion pending: auth did not confirm');
      return false;
    }
    await complete(userId);
    return true;
  }

  /** Retries every due deletion once. */
  function sweep(): Promise<void> {
    sweeping ??= (async () => {
      try {
        const due = await db.accountDeletion.findMany({
          where: { completedAt: null, nextAttemptAt: { lte: new Date(now()) } },
          orderBy: { nextAttemptAt: 'asc' },
          take: 50,
        });
        for (const { userId } of due) await attempt(userId).catch(() => undefined);
      } catch (err) {
        logger.error({ err }, 'account deletion sweep failed');
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  }

  const loop = periodicTask(sweep, { delayMs: () => Math.min(retry.baseDelayMs, 1000), immediately: true });

  return {
    /** Tombstones the profile and deletes the account in auth now, or later when auth fails. */
    async request(userId: string): Promise<DeletionOutcome> {
      const profile = await db.profile.findUnique({ where: { id: userId } });
      if (profile === null || profile.state !== 'active') throw userProblem('user_not_found');
      if (profile.role === 'admin' && !profile.disabled) {
        const admins = await db.profile.count({ where: { role: 'admin', disabled: false, state: 'active' } });
        if (admins <= 1) throw userProblem('last_admin');
      }
      // The first retry is not due before the immediate attempt below has had its chance.
      const firstRetryAt = new Date(now() + retry.baseDelayMs);
      await db.$transaction([
        db.profile.update({ where: { id: userId }, data: { state: 'deleting' } }),
        db.accountDeletion.upsert({
          where: { userId },
          create: { userId, nextAttemptAt: firstRetryAt },
          update: { nextAttemptAt: firstRetryAt, completedAt: null },
        }),
      ]);
      return (await attempt(userId)) ? 'completed' : 'pending';
    },
    sweep,
    start: loop.start,
    stop: loop.stop,
    pendingCount: () => db.accountDeletion.count({ where: { completedAt: null } }),
  };
}

export type AccountDeletion = ReturnType<typeof createAccountDeletion>;
