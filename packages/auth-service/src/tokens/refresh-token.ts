// Opaque refresh tokens: 256 random bits shown to the client once; only a SHA-256 digest is stored
// (the token is high-entropy, so a fast hash is enough and lookups stay indexable).
import crypto from 'node:crypto';

export function generateRefreshToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}
