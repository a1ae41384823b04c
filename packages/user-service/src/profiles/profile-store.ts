// Profiles in the database: idempotent creation (from auth's register hook or a user's first
// authenticated request), reads, the user's own edits and the role/disabled mirror of auth.
import type { Database, Profile, Role } from '../store/database';
import { userProblem } from '../error-codes';
import type { ProfilePatch } from './profile-fields';

export interface ProfileSeed {
  id: string;
  email: string;
  role: Role;
  createdAt?: Date;
}

/** Until the user picks one, the display name is the local part of the email address. */
function defaultDisplayName(email: string): string {
  const local = email.split('@')[0]?.trim() ?? '';
  return (local === '' ? 'user' : local).slice(0, 100);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2002';
}

export function createProfileStore(db: Database) {
  const find = (id: string) => db.profile.findUnique({ where: { id } });

  /**
   * Creates the profile unless it exists (primary key = user id, so concurrent callers end with
   * one row). A user whose account was deleted is never re-created.
   */
  async function ensure(seed: ProfileSeed): Promise<Profile> {
    const existing = await find(seed.id);
    if (existing !== null) return existing;
    if ((await db.accountDeletion.findUnique({ where: { userId: seed.id }, select: { userId: true } })) !== null) {
      throw userProblem('profile_deleted');
    }
    const displayName = defaultDisplayName(seed.email);
    try {
      return await db.profile.create({
        data: {
          id: seed.id,
          email: seed.email.toLowerCase(),
          role: seed.role,
          displayName,
          displayNameKey: displayName.toLowerCase(),
          ...(seed.createdAt ? { createdAt: seed.createdAt } : {}),
        },
      });
    } catch (err) {
      // Lost a race with a concurrent first request: the winner's row is the profile.
      if (!isUniqueViolation(err)) throw err;
      const winner = await find(seed.id);
      if (winner === null) throw err;
      return winner;
    }
  }

  return {
    find,
    ensure,

    /** auth's register hook: create, or refresh the mirrored email and role. */
    async upsertFromAuth(seed: ProfileSeed): Promise<Profile> {
      const profile = await ensure(seed);
      const email = seed.email.toLowerCase();
      if (profile.email === email && profile.role === seed.role) return profile;
      return db.profile.update({ where: { id: seed.id }, data: { email, role: seed.role } });
    },

    async update(id: string, patch: ProfilePatch): Promise<Profile> {
      const data: Record<string, unknown> = { ...patch };
      if (patch.displayName !== undefined) data.displayNameKey = patch.displayName.toLowerCase();
      return db.profile.update({ where: { id }, data });
    },

    /** The mirror of auth's answer after an admin change (auth is the source of truth). */
    async mirror(id: string, fields: { role?: Role; disabled?: boolean; email?: string }): Promise<Profile | null> {
      const result = await db.profile.updateMany({ where: { id }, data: fields });
      return result.count === 0 ? null : find(id);
    },

    countEnabledAdmins: () => db.profile.count({ where: { role: 'admin', disabled: false, state: 'active' } }),
  };
}

export type ProfileStore = ReturnType<typeof createProfileStore>;
