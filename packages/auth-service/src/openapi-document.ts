// The OpenAPI 3.1 description of every route the service answers (public, internal, metrics),
// served at /api/v1/auth/openapi.json; a test checks it against the app's real routes.
import { AUTH_ERRORS } from './error-codes';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const body = (name: string) => ({ required: true, ...json(ref(name)) });
const bearer = [{ accessToken: [] }];
const internal = [{ internalToken: [] }];
const userId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const common = { 400: problem('Malformed JSON or invalid fields'), 413: problem('Body too large'), 415: problem('Body is not JSON') };
const authed = { 401: problem('Missing, invalid or revoked access token') };
const internalAuthed = { 401: problem('Missing or wrong internal token') };

const tokens = { type: 'object', required: ['accessToken', 'tokenType', 'expiresIn', 'refreshToken', 'sessionId'], properties: {
  accessToken: { type: 'string', description: 'ES256 JWT (claims iss, aud, sub, sid, role, email, iat, nbf, exp)' },
  tokenType: { const: 'Bearer' },
  expiresIn: { type: 'integer', description: 'access-token lifetime in seconds' },
  refreshToken: { type: 'string', description: 'opaque, single use; rotate with POST /refresh' },
  sessionId: { type: 'string' },
} };

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Core Pod auth-service', version: '0.1.0', description: 'Credentials, sessions, refresh-token rotation, ES256 access tokens and JWKS.' },
  servers: [{ url: '/' }],
  paths: {
    '/api/v1/auth/register': { post: { summary: 'Create an account and open a session', requestBody: body('Credentials'), responses: { 201: { description: 'Created', ...json(ref('LoginResult')) }, 409: problem('email_taken'), ...common } } },
    '/api/v1/auth/login': { post: { summary: 'Open a session', requestBody: body('Credentials'), responses: { 200: { description: 'Logged in', ...json(ref('LoginResult')) }, 401: problem('invalid_credentials (same for unknown email and wrong password)'), 403: problem('account_disabled'), 429: { ...problem('too_many_attempts'), headers: { 'Retry-After': { schema: { type: 'integer' } } } }, ...common } } },
    '/api/v1/auth/refresh': { post: { summary: 'Rotate a refresh token', requestBody: body('RefreshRequest'), responses: { 200: { description: 'New tokens', ...json(ref('Tokens')) }, 401: problem('invalid_refresh_token, or refresh_token_reused (the session is then revoked)'), 403: problem('account_disabled'), 409: problem('refresh_conflict: a concurrent request just rotated this token'), ...common } } },
    '/api/v1/auth/logout': { post: { summary: 'Revoke the current session', security: bearer, responses: { 204: { description: 'Revoked' }, ...authed } } },
    '/api/v1/auth/logout-all': { post: { summary: 'Revoke every session of the user', security: bearer, responses: { 204: { description: 'Revoked' }, ...authed } } },
    '/api/v1/auth/me': { get: { summary: 'The user the token belongs to', security: bearer, responses: { 200: { description: 'The user', ...json(ref('Me')) }, ...authed } } },
    '/api/v1/auth/password': { post: { summary: 'Change the password; revokes every other session', security: bearer, requestBody: body('PasswordChange'), responses: { 204: { description: 'Changed' }, 403: problem('current_password_incorrect'), 429: problem('too_many_attempts'), ...authed, ...common } } },
    '/api/v1/auth/sessions': { get: { summary: "The user's active sessions", security: bearer, responses: { 200: { description: 'Sessions', ...json({ type: 'object', properties: { sessions: { type: 'array', items: ref('Session') } } }) }, ...authed } } },
    '/api/v1/auth/sessions/{id}': { delete: { summary: 'Revoke one of your own sessions', security: bearer, parameters: [{ ...userId, description: 'session id' }], responses: { 204: { description: 'Revoked' }, 404: problem('session_not_found'), ...authed } } },
    '/api/v1/auth/.well-known/jwks.json': { get: { summary: 'Public keys verifying access tokens (current and previous)', responses: { 200: { description: 'JWK Set', ...json({ type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } }) } } } },
    '/api/v1/auth/health': { get: { summary: 'Service health (draft-inadarei-api-health-check)', responses: { 200: { description: 'pass', content: { 'application/health+json': { schema: { type: 'object' } } } }, 503: { description: 'fail (database unreachable)', content: { 'application/health+json': { schema: { type: 'object' } } } } } } },
    '/api/v1/auth/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
    '/metrics': { get: { summary: 'Prometheus metrics (loopback listener only)', responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/internal/v1/revocations': { get: { summary: 'Revoked sessions after a cursor', security: internal, parameters: [{ name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'cursor from the previous answer; omitted: current cursor plus revocations of the last token lifetime' }], responses: { 200: { description: 'Feed page', ...json(ref('RevocationPage')) }, 400: problem('validation_failed'), ...internalAuthed } } },
    '/internal/v1/users/{id}': {
      get: { summary: 'A user', security: internal, parameters: [userId], responses: { 200: { description: 'User', ...json(ref('InternalUser')) }, 404: problem('user_not_found'), ...internalAuthed } },
      delete: { summary: 'Delete credentials and sessions (idempotent)', security: internal, parameters: [userId], responses: { 204: { description: 'Deleted or already gone' }, 409: problem('last_admin'), ...internalAuthed } },
    },
    '/internal/v1/users/{id}/role': { put: { summary: 'Set the role', security: internal, parameters: [userId], requestBody: body('RoleChange'), responses: { 200: { description: 'User', ...json(ref('InternalUser')) }, 404: problem('user_not_found'), 409: problem('last_admin'), ...internalAuthed, ...common } } },
    '/internal/v1/users/{id}/disable': { post: { summary: 'Disable the user and revoke every session', security: internal, parameters: [userId], responses: { 200: { description: 'User', ...json(ref('InternalUser')) }, 404: problem('user_not_found'), 409: problem('last_admin'), ...internalAuthed } } },
    '/internal/v1/users/{id}/enable': { post: { summary: 'Enable the user', security: internal, parameters: [userId], responses: { 200: { description: 'User', ...json(ref('InternalUser')) }, 404: problem('user_not_found'), ...internalAuthed } } },
  },
  components: {
    securitySchemes: {
      accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      internalToken: { type: 'http', scheme: 'bearer', description: 'the pod internal token (POD_INTERNAL_TOKEN)' },
    },
    schemas: {
      Credentials: { type: 'object', additionalProperties: false, required: ['email', 'password'], properties: { email: { type: 'string', format: 'email', maxLength: 254 }, password: { type: 'string', minLength: 8, maxLength: 64, description: 'at most 72 UTF-8 bytes; common passwords refused' } } },
      RefreshRequest: { type: 'object', additionalProperties: false, required: ['refreshToken'], properties: { refreshToken: { type: 'string' } } },
      PasswordChange: { type: 'object', additionalProperties: false, required: ['currentPassword', 'newPassword'], properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string', minLength: 8, maxLength: 64 } } },
      RoleChange: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { enum: ['user', 'admin'] } } },
      User: { type: 'object', required: ['id', 'email', 'role', 'createdAt'], properties: { id: { type: 'string' }, email: { type: 'string' }, role: { enum: ['user', 'admin'] }, createdAt: { type: 'string', format: 'date-time' } } },
      Me: { allOf: [ref('User'), { type: 'object', properties: { sessionId: { type: 'string' } } }] },
      InternalUser: { allOf: [ref('User'), { type: 'object', properties: { disabled: { type: 'boolean' } } }] },
      Tokens: tokens,
      LoginResult: { allOf: [tokens, { type: 'object', properties: { user: ref('User') } }] },
      Session: { type: 'object', properties: { id: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: 'string', format: 'date-time' }, expiresAt: { type: 'string', format: 'date-time' }, userAgent: { type: ['string', 'null'] }, ip: { type: ['string', 'null'] }, current: { type: 'boolean' } } },
      RevocationPage: { type: 'object', required: ['cursor', 'revoked'], properties: { cursor: { type: 'integer' }, revoked: { type: 'array', items: { type: 'object', properties: { sessionId: { type: 'string' }, userId: { type: 'string' }, revokedAt: { type: 'string', format: 'date-time' }, reason: { type: 'string' } } } } } },
      Problem: { type: 'object', required: ['type', 'title', 'status', 'code'], properties: {
        type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' }, requestId: { type: 'string' },
        code: { enum: [...Object.keys(AUTH_ERRORS), 'malformed_json', 'payload_too_large', 'unsupported_media_type', 'internal_auth_required', 'not_found', 'internal_error'] },
        errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      } },
    },
  },
};
