import type { FormInstance, Rule } from 'antd/es/form';
import type { z } from 'zod';
import { ApiRequestError } from '../api/client';
import { errorText, issueText } from '../i18n/error-text';

/**
 * An antd form rule that checks a value with the shared zod schema, so the dashboard applies
 * the same rules as the server and says so at the field. `toValue` maps the input's value to
 * what the API receives (e.g. "" → null); `message`, when given, replaces the schema's words.
 */
export function zodRule(schema: z.ZodType, toValue: (value: unknown) => unknown = (v) => v, message?: string): Rule {
  return {
    validator: (_rule, value) => {
      const result = schema.safeParse(toValue(value));
      return result.success ? Promise.resolve() : Promise.reject(new Error(message ?? issueText(result.error.issues[0])));
    },
  };
}

/** Issues of a whole-object check, shown at their fields; returns the ones no field took. */
export function showIssues(form: FormInstance, issues: readonly z.core.$ZodIssue[], fields: readonly string[]): string[] {
  const leftover: string[] = [];
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '');
    if (fields.includes(name)) byField.set(name, [...(byField.get(name) ?? []), issueText(issue)]);
    else leftover.push(issueText(issue));
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  const first = [...byField.keys()][0];
  if (first) form.scrollToField(first, { block: 'center' });
  return leftover;
}

/**
 * Shows an API error at the form field it names (`error.field`); returns false when no field of
 * this form fits, so the caller shows it as a toast instead.
 */
export function showApiErrorAtField(form: FormInstance, error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof ApiRequestError) || !error.field) return false;
  const name = error.field.split('.')[0];
  if (!fields.includes(name)) return false;
  form.setFields([{ name, errors: [errorText(error)] }]);
  form.scrollToField(name, { block: 'center' });
  return true;
}

/** "" and undefined become null (optional text fields the API takes as null). */
export const emptyToNull = (value: unknown): unknown => (value === '' || value === undefined ? null : value);
