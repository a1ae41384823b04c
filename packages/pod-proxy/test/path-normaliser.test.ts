import { expect } from 'chai';
import { normaliseTarget } from '../src/path-normaliser';

describe('path normaliser', () => {
  const cases: [string, string][] = [
    ['/api/v1/auth/login', '/api/v1/auth/login'],
    ['/api/v1/auth/login?x=/../y', '/api/v1/auth/login?x=/../y'],
    ['/api/v1/users/../auth/x', '/api/v1/auth/x'],
    ['/api/v1/users/.%2E/auth/x', '/api/v1/auth/x'],
    ['/a//b///c', '/a/b/c'],
    ['/a/./b/.', '/a/b/'],
    ['/a/b/..', '/a/'],
    ['/api/v1/users/%41dmin', '/api/v1/users/Admin'],
    ['/api/v1/users/caf%c3%a9', '/api/v1/users/caf%C3%A9'],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${input} into ${expected}`, () => {
      expect(normaliseTarget(input)).to.deep.include({ ok: true, url: expected });
    });
  }

  for (const input of ['/..', '/a/../..', '/a%2fb', '/a%5Cb', '/a\\b', '/a%zz', 'http://evil/x', '*', '/a%00']) {
    it(`refuses ${input}`, () => {
      expect(normaliseTarget(input).ok).to.equal(false);
    });
  }
});
