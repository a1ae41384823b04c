// What a user may write to their profile, with its limits: display name 1–100, bio ≤ 500, https
// avatar URL ≤ 2048, BCP 47 locale, IANA time zone. Bad input becomes a field-by-field 400.
import { z } from 'zod';
import { userProblem } from '../error-codes';

// Control characters would corrupt logs and UIs; the bio keeps line breaks and tabs.
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const displayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((v) => !CONTROL.test(v), 'must not contain control characters');

const bio = z
  .string()
  .max(500, 'must be at most 500 characters')
  .refine((v) => !CONTROL_EXCEPT_NEWLINES.test(v), 'must not contain control characters');

const avatarUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute https: URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must use https:' });
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    return url.href;
  });

const locale = z
  .string()
  .max(35, 'must be at most 35 characters')
  .transform((value, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(value);
      if (canonical !== undefined) return canonical;
    } catch {
      // falls through to the issue below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en-GB' });
    return z.NEVER;
  });

const timezone = z
  .string()
  .max(64, 'must be at most 64 characters')
  .transform((value, ctx) => {
    // Named IANA zones only (no "+01:00" offsets); Intl gives the canonical spelling.
    if (TIME_ZONE_NAME.test(value)) {
      try {
        return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
      } catch {
        // falls through to the issue below
      }
    }
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris' });
    return z.NEVER;
  });

/** PATCH /me: every field optional; null clears an optional field. */
export const profilePatch = z
  .strictObject({
    displayName: displayName.optional(),
    bio: bio.nullable().optional(),
    avatarUrl: avatarUrl.nullable().optional(),
    locale: locale.nullable().optional(),
    timezone: timezone.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one field');

export type ProfilePatch = z.output<typeof profilePatch>;

export const rolePatch = z.strictObject({ role: z.enum(['user', 'admin']) });

/** auth's register hook: PUT /internal/v1/profiles/:id. */
export const profileSeed = z.object({
  email: z.string().min(3).max(320),
  role: z.enum(['user', 'admin']).default('user'),
  createdAt: z.iso.datetime({ offset: true }).optional(),
});

/** Parses a body against a schema or throws a validation_failed problem listing each field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('.') || '(body)',
    message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
  }));
  throw userProblem('validation_failed', { detail: 'One or more fields are invalid.', errors });
}
