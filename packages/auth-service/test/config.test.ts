import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config';

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).to.include({ host: '127.0.0.1', port: 3001, production: false, databaseUrl: undefined });
    expect(config.jwt).to.include({ issuer: 'core-pod-auth', audience: 'core-pod', accessTokenTtlSeconds: 600 });
    expect(config.bcrypt.cost).to.equal(12);
    expect(config.trustedProxies).to.deep.equal(['127.0.0.1', '::1']);
    expect(config.usersInternalUrl).to.equal('http://127.0.0.1:3002');
  });

  it('refuses a bcrypt cost below 10, naming the variable', () => {
    expect(() => loadConfig({ AUTH_BCRYPT_COST: '8' })).to.throw(ConfigError, /AUTH_BCRYPT_COST/);
  });

  it('refuses an access-token lifetime over 15 minutes', () => {
    expect(() => loadConfig({ AUTH_ACCESS_TOKEN_TTL_SECONDS: '3600' })).to.throw(ConfigError, /AUTH_ACCESS_TOKEN_TTL_SECONDS/);
  });

  it('refuses malformed numbers, URLs and emails, naming each variable', () => {
    expect(() => loadConfig({ AUTH_PORT: 'eighty' })).to.throw(ConfigError, /AUTH_PORT/);
    expect(() => loadConfig({ USERS_INTERNAL_URL: 'not a url' })).to.throw(ConfigError, /USERS_INTERNAL_URL/);
    expect(() => loadConfig({ AUTH_BOOTSTRAP_ADMIN_EMAIL: 'nobody' })).to.throw(ConfigError, /AUTH_BOOTSTRAP_ADMIN_EMAIL/);
  });

  it('lower-cases the bootstrap admin email', () => {
    expect(loadConfig({ AUTH_BOOTSTRAP_ADMIN_EMAIL: 'Admin@Example.com' }).bootstrapAdminEmail).to.equal('admin@example.com');
  });
});
