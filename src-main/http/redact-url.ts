/**
 * Request paths and query strings for log lines, with anything that may be a credential taken
 * out. Viewers write these URLs, so a key name cannot be trusted to announce a secret
 * (`?token%00=`, `?to%6ben=`, `?token[]=`, `;token=`, repeated keys): values are judged by their
 * shape as well — long letter-and-digit runs (tokens, tickets, securetokens, signatures, hex
 * keys), `login:password` pairs, nested queries — and every value of a key that merely resembles a secret's.
 */

const REDACTED = '[redacted]';

/** Key names that hint at a credential, compared after dropping everything but letters. */
const SECRET_KEY_HINTS = ['token', 'auth', 'pass', 'secret', 'sig', 'md5', 'key', 'ticket', 'hash', 'session', 'sid'];

/** 16 or more base64/base64url/hex characters: possibly a token, ticket, signature or key. */
const CANDIDATE_RUN = /[A-Za-z0-9_+/=-]{16,}/g;

/** Random credentials mix character kinds; words and numbers rarely do at this length. */
function looksRandom(run: string): boolean {
  const kinds = [/[0-9]/, /[a-z]/, /[A-Z]/, /[_+/=]/].filter((kind) => kind.test(run)).length;
  return kinds >= 2 || run.length >= 32;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isSecretKey(rawKey: string): boolean {
  const letters = safeDecode(rawKey).toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_KEY_HINTS.some((hint) => letters.includes(hint));
}

/** Replaces every run that looks like a random credential. */
function withoutSecretRuns(text: string): string {
  return text.replace(CANDIDATE_RUN, (run) => (looksRandom(run) ? REDACTED : run));
}

function redactedValue(rawKey: string, rawValue: string): string {
  const value = safeDecode(rawValue);
  // `login:password` pairs and nested queries (Flussonic's `qs`) go whole.
  if (isSecretKey(rawKey) || value.includes(':') || value.includes('=')) return REDACTED;
  return withoutSecretRuns(value);
}

/**
 * The query string (without `?`) for a log line: pairs kept in order (repeated keys too), every
 * value that may be a credential replaced. `&` and `;` both separate pairs, as some servers read them.
 */
export function redactedQueryString(querystring: string): string | undefined {
  if (!querystring) return undefined;
  return querystring
    .split(/[&;]/)
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return redactedValue(pair, pair);
      const rawKey = pair.slice(0, equals);
      const key = withoutSecretRuns(safeDecode(rawKey));
      return `${key}=${redactedValue(rawKey, pair.slice(equals + 1))}`;
    })
    .join('&');
}

/** The path for a log line: `;` parameters of any segment and credential-shaped runs replaced. */
export function redactedPath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      const decoded = safeDecode(segment);
      const semicolon = decoded.indexOf(';');
      const kept = semicolon === -1 ? decoded : `${decoded.slice(0, semicolon)};${REDACTED}`;
      return withoutSecretRuns(kept);
    })
    .join('/');
}
