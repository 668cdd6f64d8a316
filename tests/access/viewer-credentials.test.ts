import { describe, expect, it } from 'vitest';
import { credentialFromAuthorization, credentialFromQuery } from '../../src-main/access/viewer-credentials';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const query = (text: string) => credentialFromQuery(new URLSearchParams(text));

describe('viewer credentials: one parser, one set of limits for headers and query', () => {
  it('reads a token and login:password the same way from the query and from the Authorization header', () => {
    const token = 'a'.repeat(43);
    expect(query(`token=${token}`)).toEqual({ kind: 'token', token });
    expect(credentialFromAuthorization(`Bearer ${token}`)).toEqual({ kind: 'token', token });
    expect(query('auth=viewer:secret-1')).toEqual({ kind: 'password', username: 'viewer', password: 'secret-1' });
    expect(credentialFromAuthorization(basic('viewer:secret-1'))).toEqual({ kind: 'password', username: 'viewer', password: 'secret-1' });
  });

  it('takes no oversized token, oversized username or password, nor an empty password, on either carrier', () => {
    const longToken = 'a'.repeat(257);
    expect(query(`token=${longToken}`)).toBeNull();
    expect(credentialFromAuthorization(`Bearer ${longToken}`)).toBeNull();
    for (const login of [`${'u'.repeat(65)}:secret-1`, `viewer:${'p'.repeat(257)}`, 'viewer:', ':secret-1']) {
      expect(query(`auth=${encodeURIComponent(login)}`)).toBeNull();
      expect(credentialFromAuthorization(basic(login))).toBeNull();
    }
  });
});
