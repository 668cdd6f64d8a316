// @vitest-environment jsdom
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorCatalogue, errorCodes } from '../../src-shared/error-codes';
import { usernameSchema } from '../../src-shared/schemas/accounts';
import { ipRangeSchema, slugSchema } from '../../src-shared/schemas/common';
import { ApiRequestError } from '../../src-renderer/src/shared/api/client';
import { en } from '../../src-renderer/src/shared/i18n/en';
import { de } from '../../src-renderer/src/shared/i18n/de';
import { errorText, issueText, problemText } from '../../src-renderer/src/shared/i18n/error-text';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))];
const firstIssue = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!.issues[0];

afterAll(() => setLanguage('en'));

describe('texts of the error catalogue', () => {
  it.each([
    ['en', en.errorCodes],
    ['de', de.errorCodes],
  ])('has a %s text for every code, and for no other, using only the params the code carries', (_language, texts) => {
    const table = texts as Record<string, string>;
    expect(Object.keys(table).sort()).toEqual([...errorCodes].sort());
    for (const code of errorCodes) {
      expect(table[code]?.trim(), code).toBeTruthy();
      const known: readonly string[] = errorCatalogue[code];
      for (const name of placeholders(table[code])) expect(known, `${code} uses {{${name}}}`).toContain(name);
    }
  });

  it('says a server error in German from its code and params, with words and lists translated', () => {
    setLanguage('de');
    const listed = new ApiRequestError(409, { code: 'ip_range_listed', params: { range: '10.0.0.0/8', list: 'deny' }, message: '10.0.0.0/8 is already on the deny list', field: 'range' });
    expect(errorText(listed)).toBe('10.0.0.0/8 steht schon auf der Liste „Sperre“.');
    const refused = new ApiRequestError(403, { code: 'access_refused', params: { reason: 'expired' }, message: 'Access refused: expired' });
    expect(errorText(refused)).toBe('Zugriff abgelehnt: Konto abgelaufen');
    expect(problemText({ code: 'csv_username_repeated', params: { line: 3 } })).toBe('Gleicher Benutzername wie in Zeile 3');
    expect(problemText({ code: 'from_a_newer_server', params: {} })).toBe('Das CAS hat das abgelehnt (from_a_newer_server).');
  });

  it('says the dashboard’s own schema checks in the same words as the server’s', () => {
    setLanguage('de');
    expect(issueText(firstIssue(usernameSchema, 'ab'))).toBe('Mindestens 3 Zeichen');
    expect(issueText(firstIssue(usernameSchema, 'a b c'))).toBe('Nur Buchstaben, Ziffern und . _ @ -');
    expect(issueText(firstIssue(slugSchema, 'Basic'))).toBe('Kleinbuchstaben, Ziffern, „-“ und „_“, beginnend mit Buchstabe oder Ziffer');
    expect(issueText(firstIssue(ipRangeSchema, '300.1.1.1'))).toBe('„300.1.1.1“ ist keine IP-Adresse und kein CIDR-Netz');
    expect(issueText(firstIssue(z.object({ a: z.string() }).strict(), { a: 'x', b: 1 }))).toBe('Unbekannte Felder: b');
    setLanguage('en');
    expect(issueText(firstIssue(usernameSchema, undefined))).toBe('Required');
  });
});
