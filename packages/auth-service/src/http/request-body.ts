// Validates a JSON body against a zod schema; failures become one 400 validation_failed problem
// listing every bad field, so wrong types and missing fields never reach the handlers.
import type { Request } from 'express';
import { z } from 'zod';
import { authProblem } from '../error-codes';

export function parseBody<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  throw authProblem('validation_failed', { detail: 'The request body is invalid.', errors });
}

const email = z.string().trim().min(3).max(254);
// Length rules are checked by the password policy (weak_password); this only bounds the input.
const password = z.string().min(1).max(1024);
const refreshToken = z.string().min(1).max(512);

export const registerBody = z.strictObject({ email: email.pipe(z.email()), password });
export const loginBody = z.strictObject({ email, password });
export const refreshBody = z.strictObject({ refreshToken });
export const passwordChangeBody = z.strictObject({ currentPassword: password, newPassword: password });
export const roleBody = z.strictObject({ role: z.enum(['user', 'admin']) });
