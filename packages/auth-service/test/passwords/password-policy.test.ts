import { expect } from 'chai';
import { checkPassword } from '../../src/passwords/password-policy';

describe('password policy', () => {
  it('accepts 8 to 64 characters without composition rules', () => {
    expect(checkPassword('correct horse')).to.equal(undefined);
    expect(checkPassword('abcdefgq')).to.equal(undefined);
    expect(checkPassword('x'.repeat(64))).to.equal(undefined);
  });

  it('rejects fewer than 8 and more than 64 characters', () => {
    expect(checkPassword('short12')).to.equal('too_short');
    expect(checkPassword('x'.repeat(65))).to.equal('too_long');
  });

  it('counts characters, not UTF-16 units, for the length rule', () => {
    expect(checkPassword('🔑🔑🔑🔑🔑🔑🔑🔑')).to.equal(undefined);
  });

  it('rejects a password over 72 UTF-8 bytes even within 64 characters instead of truncating it', () => {
    const password = 'é'.repeat(37); // 37 characters, 74 bytes
    expect(checkPassword(password)).to.equal('too_many_bytes');
    expect(checkPassword('é'.repeat(36))).to.equal(undefined);
  });

  it('rejects common passwords whatever their case', () => {
    expect(checkPassword('password123')).to.equal('too_common');
    expect(checkPassword('PassWord123')).to.equal('too_common');
    expect(checkPassword('12345678')).to.equal('too_common');
  });
});
