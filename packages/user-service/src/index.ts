// Public surface of the user service package: the app factory, the wiring, the config.
export { createApp, API_PREFIX, INTERNAL_PREFIX, type AppDeps } from './app';
export { startUserService, PACKAGE_DIR, type UserService, type UserServiceOptions } from './user-service';
export { loadConfig, ConfigError, type UsersConfig } from './config';
export { USER_ERRORS, type UserErrorCode } from './error-codes';
export { openApiDocument } from './openapi/openapi-document';
