import { describe, expect, it } from 'vitest';
import { type z } from 'zod';
import { settingsSchema } from '../../src-shared/schemas/settings';
import { describeField, ownCardFields, settingsGroups } from '../../src-renderer/src/features/settings/settings-form';
import { en } from '../../src-renderer/src/shared/i18n/en';
import { de } from '../../src-renderer/src/shared/i18n/de';

function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'string') out.set(path, child);
    else for (const [k, v] of leaves(child, path)) out.set(k, v);
  }
  return out;
}

describe('settings page', () => {
  it('has an input for every field of the settings document, including ones other capabilities add', () => {
    for (const [name, schema] of Object.entries(settingsSchema.shape)) {
      if (ownCardFields.has(name)) continue;
      expect(describeField(name, schema as z.ZodType).type.kind, name).not.toBe('other');
    }
  });

  it('puts every setting in exactly one group, or in its own card (the public address)', () => {
    const grouped = [...settingsGroups().flatMap((g) => g.fields), ...ownCardFields];
    expect(grouped.sort()).toEqual(Object.keys(settingsSchema.shape).sort());
  });

  it('words every value of an enum setting in both languages, keeping the stored value', () => {
    for (const [name, schema] of Object.entries(settingsSchema.shape)) {
      const type = describeField(name, schema as z.ZodType).type;
      if (type.kind !== 'enum') continue;
      expect(type.options.length, name).toBeGreaterThan(0);
      for (const value of type.options) {
        expect(en.settingsOptions, `${name}: ${value}`).toHaveProperty([name, value]);
        expect(de.settingsOptions, `${name}: ${value}`).toHaveProperty([name, value]);
      }
    }
    expect(describeField('overLimitPolicy', settingsSchema.shape.overLimitPolicy).type).toEqual({ kind: 'enum', options: ['refuse-newest', 'end-oldest', 'handover'] });
  });

  it('names every setting in both languages', () => {
    for (const name of Object.keys(settingsSchema.shape)) {
      expect(en.settingsFields, name).toHaveProperty(name);
      expect(de.settingsFields, name).toHaveProperty(name);
    }
  });
});

describe('texts', () => {
  it('has every English text in German too, none empty and placeholders kept', () => {
    const english = leaves(en);
    const german = leaves(de);
    expect([...german.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of english) {
      const translated = german.get(key)!;
      expect(translated.trim(), key).not.toBe('');
      const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(placeholders(translated), key).toEqual(placeholders(text));
    }
  });
});
