// The OpenAPI 3.1 description of the public API under /api/v1/users (served at
// /api/v1/users/openapi.json); a test checks it against the routes the app really has.
import { USER_ERRORS } from '../error-codes';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

const nullableString = (maxLength: number, extra: object = {}) => ({ type: ['string', 'null'], maxLength, ...extra });
const userId = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 128 } };
const authErrors = { '401': problem('No, invalid, expired or revoked access token'), '403': problem('Account disabled') };
const adminErrors = { ...authErrors, '403': problem('Not an admin (checked against the database), or account disabled') };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Core Pod user service',
    version: '1.0.0',
    description: 'User profiles, roles and administration. Access tokens are issued by the auth service (ES256, verified here against its JWKS).',
  },
  servers: [{ url: '/api/v1/users' }],
  security: [{ bearer: [] }],
  paths: {
    '/health': {
      get: {
        summary: 'Health (draft-inadarei-api-health-check); warn when auth is unreachable, fail when the database is',
        security: [],
        responses: {
          '200': { description: 'pass or warn', content: { 'application/health+json': { schema: ref('Health') } } },
          '503': { description: 'fail', content: { 'application/health+json': { schema: ref('Health') } } },
        },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', security: [], responses: { '200': json({ type: 'object' }) } },
    },
    '/me': {
      get: { summary: "The caller's profile (created on first use)", responses: { '200': { description: 'Profile', ...json(ref('OwnProfile')) }, ...authErrors } },
      patch: {
        summary: "Edit the caller's profile; null clears an optional field",
        requestBody: { required: true, ...json(ref('ProfilePatch')) },
        responses: {
          '200': { description: 'Updated profile', ...json(ref('OwnProfile')) },
          '400': problem('validation_failed (errors lists each field) or malformed_json'),
          '415': problem('Body is not application/json'),
          ...authErrors,
        },
      },
      delete: {
        summary: 'Delete the account here and in auth (credentials and sessions)',
        responses: {
          '204': { description: 'Deleted on both sides' },
          '202': { description: 'Deleted here; auth did not answer, the deletion is retried until it completes', ...json({ type: 'object', properties: { status: { const: 'pending' }, detail: { type: 'string' } } }) },
          '409': problem('last_admin'),
          ...authErrors,
        },
      },
    },
    '/': {
      get: {
        summary: 'List profiles (admin)',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, description: 'Page size (maximum USERS_PAGE_SIZE_MAX)' },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page (same sort)' },
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 320 }, description: 'Case-insensitive prefix of the email or display name' },
          { name: 'sort', in: 'query', schema: { enum: ['createdAt', '-createdAt', 'email', '-email', 'displayName', '-displayName'], default: 'createdAt' } },
        ],
        responses: {
          '200': { description: 'One page', ...json({ type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: ref('AdminProfile') }, nextCursor: { type: ['string', 'null'] } } }) },
          '400': problem('validation_failed or invalid_cursor'),
          ...adminErrors,
        },
      },
    },
    '/{id}': {
      get: {
        summary: "A user's public profile",
        parameters: [userId],
        responses: { '200': { description: 'Public fields', ...json(ref('PublicProfile')) }, '404': problem('user_not_found (unknown, deleted or being deleted)'), ...authErrors },
      },
    },
    '/{id}/role': {
      patch: {
        summary: "Change a user's role (admin); auth first, then the mirror here",
        parameters: [userId],
        requestBody: { required: true, ...json({ type: 'object', additionalProperties: false, required: ['role'], properties: { role: { enum: ['user', 'admin'] } } }) },
        responses: {
          '200': { description: 'Updated', ...json(ref('AdminProfile')) },
          '400': problem('validation_failed'),
          '404': problem('user_not_found'),
          '409': problem('last_admin'),
          '503': problem('auth_unavailable'),
          ...adminErrors,
        },
      },
    },
    '/{id}/disable': {
      post: {
        summary: 'Disable a user (admin): auth revokes every session; its tokens are rejected here',
        parameters: [userId],
        responses: { '200': { description: 'Disabled', ...json(ref('AdminProfile')) }, '404': problem('user_not_found'), '409': problem('last_admin'), '503': problem('auth_unavailable'), ...adminErrors },
      },
    },
    '/{id}/enable': {
      post: {
        summary: 'Enable a disabled user (admin)',
        parameters: [userId],
        responses: { '200': { description: 'Enabled', ...json(ref('AdminProfile')) }, '404': problem('user_not_found'), '503': problem('auth_unavailable'), ...adminErrors },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, issued by auth)' } },
    schemas: {
      PublicProfile: {
        type: 'object',
        required: ['id', 'displayName', 'bio', 'avatarUrl', 'createdAt'],
        properties: {
          id: { type: 'string' },
          displayName: { type: 'string', minLength: 1, maxLength: 100 },
          bio: nullableString(500),
          avatarUrl: nullableString(2048, { format: 'uri', pattern: '^https:' }),
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      OwnProfile: {
        allOf: [
          ref('PublicProfile'),
          {
            type: 'object',
            required: ['email', 'locale', 'timezone', 'role', 'updatedAt'],
            properties: {
              email: { type: 'string' },
              locale: nullableString(35, { description: 'BCP 47 tag, canonicalised' }),
              timezone: nullableString(64, { description: 'IANA time zone' }),
              role: { enum: ['user', 'admin'] },
              updatedAt: { type: 'string', format: 'date-time' },
            },
          },
        ],
      },
      AdminProfile: { allOf: [ref('OwnProfile'), { type: 'object', required: ['disabled'], properties: { disabled: { type: 'boolean' } } }] },
      ProfilePatch: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          displayName: { type: 'string', minLength: 1, maxLength: 100 },
          bio: nullableString(500),
          avatarUrl: nullableString(2048, { format: 'uri', pattern: '^https:' }),
          locale: nullableString(35),
          timezone: nullableString(64),
        },
      },
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'code'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          code: { enum: [...Object.keys(USER_ERRORS), 'not_found', 'malformed_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'] },
          instance: { type: 'string' },
          requestId: { type: 'string' },
          errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
      Health: {
        type: 'object',
        required: ['status', 'checks'],
        properties: { status: { enum: ['pass', 'warn', 'fail'] }, checks: { type: 'object' } },
      },
    },
  },
} as const;
