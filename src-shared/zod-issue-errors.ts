import type { z } from 'zod';
import { isErrorCode, type ErrorCode } from './error-codes';

/** An input problem as a code of the error catalogue with its params, naming the field. */
export interface IssueError {
  code: ErrorCode;
  params: Record<string, string | number>;
  /** Dotted path of the field, absent when the whole input is to blame. */
  field?: string;
  /** The schema's English words, for logs and scripts. */
  message: string;
}

/**
 * Regex checks of the shared schemas, by their message (zod keeps no other handle on a regex
 * check): each names what the field must look like.
 */
const regexCodes: Record<string, ErrorCode> = {
  'Lower-case letters, digits, "-" and "_", starting with a letter or digit': 'invalid_slug',
  'Letters, digits and . _ @ - only': 'invalid_username',
  'Letters, digits, "-" and "_" only': 'invalid_token_text',
  Base64: 'invalid_base64',
  'An IPv4 or IPv6 address (0.0.0.0 for every interface)': 'invalid_listen_address',
};

const formatCodes: Partial<Record<string, ErrorCode>> = {
  email: 'invalid_email',
  url: 'invalid_url',
  datetime: 'invalid_datetime',
};

function bound(value: number | bigint): number {
  return Number(value);
}

function codeOf(issue: z.core.$ZodIssue): { code: ErrorCode; params: Record<string, string | number> } {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return { code: 'required', params: {} };
      if (issue.expected === 'int') return { code: 'not_whole_number', params: {} };
      if (issue.expected === 'number') return { code: 'not_a_number', params: {} };
      return { code: 'invalid_type', params: { expected: issue.expected } };
    case 'too_small': {
      const min = bound(issue.minimum);
      if (issue.origin === 'string') return min === 1 ? { code: 'required', params: {} } : { code: 'too_short', params: { min } };
      if (issue.origin === 'array' || issue.origin === 'set') return { code: 'too_few', params: { min } };
      return { code: issue.inclusive === false ? 'too_small_exclusive' : 'too_small', params: { min } };
    }
    case 'too_big': {
      const max = bound(issue.maximum);
      if (issue.origin === 'string') return { code: 'too_long', params: { max } };
      if (issue.origin === 'array' || issue.origin === 'set') return { code: 'too_many', params: { max } };
      return { code: issue.inclusive === false ? 'too_big_exclusive' : 'too_big', params: { max } };
    }
    case 'invalid_format': {
      if (issue.format === 'regex') {
        const code = regexCodes[issue.message];
        if (code) return { code, params: {} };
      }
      const code = formatCodes[issue.format];
      return code ? { code, params: {} } : { code: 'invalid_format', params: { format: issue.format } };
    }
    case 'invalid_value':
      return { code: 'invalid_value', params: { options: issue.values.map(String).join(', ') } };
    case 'unrecognized_keys':
      return { code: 'unrecognized_keys', params: { keys: issue.keys.join(', ') } };
    case 'not_multiple_of':
      return { code: 'not_multiple_of', params: { step: issue.divisor } };
    case 'custom': {
      const { code, ...params } = (issue.params ?? {}) as Record<string, string | number>;
      if (typeof code === 'string' && isErrorCode(code)) return { code, params };
      return { code: 'invalid_input', params: {} };
    }
    default:
      return { code: 'invalid_input', params: {} };
  }
}

/**
 * The catalogue code of a zod issue: one code per kind of issue (`required`, `too_long`,
 * `invalid_value`, …) with the bounds as params; refinements name their code in `params.code`.
 * `params.field` names the field (or `where`, e.g. `body`, when the whole input is to blame).
 */
export function issueError(issue: z.core.$ZodIssue, where = 'body'): IssueError {
  const field = issue.path.length ? issue.path.map(String).join('.') : undefined;
  const { code, params } = codeOf(issue);
  return { code, params: { field: field ?? where, ...params }, ...(field === undefined ? {} : { field }), message: issue.message };
}

/** The `params` of a refinement naming its catalogue code (see issueError). */
export function issueCode(code: ErrorCode, params: Record<string, string | number> = {}): Record<string, string | number> {
  return { code, ...params };
}
