// Password rules (DESIGN §5.6, NIST 800-63B style): 8–64 characters, at most 72 UTF-8 bytes
// (bcrypt's input limit — rejected, never truncated), no composition rules, a small blocklist.

export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 64;
export const MAX_PASSWORD_BYTES = 72;

// The most common leaked passwords that satisfy the length rule (lower-cased comparison).
const BLOCKLIST = new Set([
  '12345678', '123456789', '1234567890', '0123456789', '87654321', '11111111', '00000000',
  '88888888', '12341234', '11223344', 'password', 'password1', 'password12', 'password123',
  'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwertyui', 'qwertyuiop', 'qwerty123', 'qwerty12',
  '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', 'zaq12wsx', 'asdfghjk', 'asdfghjkl', 'zxcvbnm1',
  'iloveyou', 'iloveyou1', 'sunshine', 'princess', 'football', 'baseball', 'welcome1',
  'welcome123', 'letmein1', 'letmein123', 'trustno1', 'superman', 'starwars', 'whatever',
  'dragon123', 'monkey123', 'abc12345', 'abcd1234', 'abcdefgh', 'admin123', 'administrator',
  'changeme', 'changeme123', 'computer', 'internet', 'michael1', 'jennifer', 'master123',
  'aa123456', 'a1234567', 'secret123', 'default1', 'corepod1', 'core-pod',
]);

export type PasswordProblem = 'too_short' | 'too_long' | 'too_many_bytes' | 'too_common';

/** Returns what is wrong with a candidate password, or undefined when it is acceptable. */
export function checkPassword(password: string): PasswordProblem | undefined {
  const chars = [...password].length;
  if (chars < MIN_PASSWORD_CHARS) return 'too_short';
  if (chars > MAX_PASSWORD_CHARS) return 'too_long';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return 'too_many_bytes';
  if (BLOCKLIST.has(password.toLowerCase())) return 'too_common';
  return undefined;
}

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `must be at least ${MIN_PASSWORD_CHARS} characters`,
  too_long: `must be at most ${MAX_PASSWORD_CHARS} characters`,
  too_many_bytes: `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`,
  too_common: 'is too common; choose another',
};
