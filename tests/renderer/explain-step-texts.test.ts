// @vitest-environment jsdom
import { afterAll, describe, expect, it } from 'vitest';
import { allowRules, explainStepCatalogue, explainStepCodes } from '../../src-shared/schemas/access';
import { en } from '../../src-renderer/src/shared/i18n/en';
import { de } from '../../src-renderer/src/shared/i18n/de';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import { explainStepText } from '../../src-renderer/src/features/sessions/explain-step-text';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))];

afterAll(() => setLanguage('en'));

describe('texts of the access explanation', () => {
  it.each([
    ['en', en],
    ['de', de],
  ])('has a %s text for every step code and allow rule, using only the params the code carries', (_language, texts) => {
    const steps = texts.explainSteps as Record<string, string>;
    expect(Object.keys(steps).sort()).toEqual([...explainStepCodes].sort());
    for (const code of explainStepCodes) {
      expect(steps[code]?.trim(), code).toBeTruthy();
      const known: readonly string[] = explainStepCatalogue[code];
      for (const name of placeholders(steps[code])) expect(known, `${code} uses {{${name}}}`).toContain(name);
    }
    const rules = texts.allowRules as Record<string, string>;
    for (const rule of allowRules) expect(rules[rule]?.trim(), rule).toBeTruthy();
  });

  it('says a step in German from its code and params: dates in the app format, words and empty lists translated', () => {
    setLanguage('de');
    expect(explainStepText({ code: 'account_disabled', params: { username: 'anna' } })).toBe('Konto anna ist deaktiviert');
    expect(explainStepText({ code: 'not_entitled', params: { channel: 'one', packages: '', channelPackages: 'basic' } })).toBe(
      'Keines der Pakete des Kontos (keine) enthält den Sender „one“ (basic)',
    );
    expect(explainStepText({ code: 'connections_in_use', params: { active: 2, max: 2, policy: 'end-oldest' } })).toBe(
      `2 von 2 Verbindungen belegt; über dem Limit: ${de.settingsOptions.overLimitPolicy['end-oldest']}`,
    );
    const until = explainStepText({ code: 'valid_until', params: { date: '2030-12-31T23:59:59.000Z' } });
    expect(until).toMatch(/^Gültig bis .*2030/);
    expect(until).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });
});
