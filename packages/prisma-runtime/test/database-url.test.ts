import { expect } from 'chai';
import { resolve } from 'node:path';
import { providerOf, redactUrl, resolveDatabaseUrl } from '../src';

describe('database URLs', () => {
  it('defaults to a SQLite file in the data directory', () => {
    expect(resolveDatabaseUrl(undefined, './data', 'auth.db')).to.equal(`file:${resolve('data/auth.db')}`);
    expect(resolveDatabaseUrl('  ', '/srv/pod', 'auth.db')).to.equal('file:/srv/pod/auth.db');
  });

  it('keeps PostgreSQL URLs and tells the provider', () => {
    const url = 'postgresql://pod:secret@127.0.0.1:5432/auth';
    expect(resolveDatabaseUrl(url, './data', 'auth.db')).to.equal(url);
    expect(providerOf(url)).to.equal('postgresql');
    expect(providerOf('file:/x.db')).to.equal('sqlite');
  });

  it('rejects other schemes without echoing the password', () => {
    expect(() => resolveDatabaseUrl('mysql://u:hunter2@h/db', '.', 'a.db')).to.throw(/unsupported database URL scheme in "mysql:\/\/u:\*\*\*@h\/db"/);
    expect(redactUrl('postgresql://u:hunter2@h/db')).to.equal('postgresql://u:***@h/db');
  });
});
