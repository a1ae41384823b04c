// What each audience sees of a profile: the owner, any signed-in user (public fields), an admin.
import type { Profile } from '../store/database';

export const publicView = (p: Profile) => ({
  id: p.id,
  displayName: p.displayName,
  bio: p.bio,
  avatarUrl: p.avatarUrl,
  createdAt: p.createdAt.toISOString(),
});

export const ownerView = (p: Profile) => ({
  ...publicView(p),
  email: p.email,
  locale: p.locale,
  timezone: p.timezone,
  role: p.role,
  updatedAt: p.updatedAt.toISOString(),
});

export const adminView = (p: Profile) => ({ ...ownerView(p), disabled: p.disabled });
