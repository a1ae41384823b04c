import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, envBool, envInt, envList, envPort, envUrl } from '../src';

describe('logger redaction', () => {
  it('never writes passwords, tokens or the Authorization header', async () => {
    let out = '';
    const destination = new Writable({ write(c, _e, done) { out += String(c); done(); } });
    const logger = createLogger('test', { destination });
    logger.info({ body: { password: 'hunter22', refreshToken: 'rt-secret' }, req: { headers: { authorization: 'Bearer abc.def' } } }, 'x');
    expect(out).to.contain('[redacted]').and.not.to.match(/hunter22|rt-secret|abc\.def/);
  });
});

describe('environment config readers', () => {
  it('parse values and fall back to defaults', () => {
    expect(envPort({ P: '3001' }, 'P', 1)).to.equal(3001);
    expect(envInt({}, 'N', 5)).to.equal(5);
    expect(envBool({ B: 'yes' }, 'B', false)).to.equal(true);
    expect(envList({ L: 'a, b,,c' }, 'L', [])).to.deep.equal(['a', 'b', 'c']);
    expect(envUrl({ U: 'http://127.0.0.1:3002/' }, 'U', '')).to.equal('http://127.0.0.1:3002');
  });

  it('fail with the variable name on a bad value', () => {
    expect(() => envPort({ AUTH_PORT: '70000' }, 'AUTH_PORT', 1)).to.throw(/AUTH_PORT: must be <= 65535/);
    expect(() => envInt({ X: '1.5' }, 'X', 1)).to.throw(/X: expected an integer/);
    expect(() => envBool({ B: 'maybe' }, 'B', true)).to.throw(/B: expected true or false/);
    expect(() => envUrl({ U: 'ftp://x' }, 'U', '')).to.throw(/U: expected an http\(s\) URL/);
  });
});
