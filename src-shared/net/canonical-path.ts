/**
 * The one form of a URL path that every server reads alike. Edges normalise paths before they
 * serve them (nginx decodes `%2e%2e` and `%2f`, removes `..` and merges `//`; other servers
 * strip `;` parameters or treat `\` as a separator), so a path that needs any normalisation can
 * name one channel to the CAS and another to the edge. Such a path is refused, never normalised:
 * the CAS cannot know which normalisation the edge applies.
 *
 * A path is canonical when it starts with "/", is at most 2048 characters, and each segment is
 * non-empty (a trailing "/" aside), is not "." or "..", and holds only RFC 3986 unreserved
 * characters, sub-delimiters other than ";", ":" and "@". So no percent-encoding at all (which
 * covers `%2e`, `%2f`, `%5c`, `%00`, overlong UTF-8 like `%c0%ae`, invalid and double encodings),
 * no backslash, no `;` parameter, no control, space or non-ASCII character.
 */
export type CanonicalPath = string & { readonly canonicalPath: unique symbol };

export type PathVerdict = { ok: true; path: CanonicalPath } | { ok: false; problem: string };

const MAX_PATH_LENGTH = 2048;
const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,=:@]+$/;

function segmentProblem(segment: string): string {
  if (segment === '') return 'an empty segment ("//")';
  if (segment === '.' || segment === '..') return `a "${segment}" segment`;
  if (segment.includes('%')) return 'percent-encoding';
  if (segment.includes('\\')) return 'a backslash';
  if (segment.includes(';')) return 'a ";" parameter';
  const bad = [...segment].find((c) => !SEGMENT.test(c)) ?? '';
  return `the character U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The path itself when canonical (see above), else what makes it ambiguous. */
export function canonicalPath(raw: string): PathVerdict {
  if (!raw.startsWith('/')) return { ok: false, problem: 'it does not start with "/"' };
  if (raw.length > MAX_PATH_LENGTH) return { ok: false, problem: `it is longer than ${MAX_PATH_LENGTH} characters` };
  const segments = raw.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '' && i === segments.length - 1) continue;
    if (segment === '.' || segment === '..' || !SEGMENT.test(segment)) return { ok: false, problem: `it contains ${segmentProblem(segment)}` };
  }
  return { ok: true, path: raw as CanonicalPath };
}

/** The path of a request target (`/a/b?query`): everything before the first "?". */
export function pathOfTarget(target: string): string {
  const queryAt = target.indexOf('?');
  return queryAt === -1 ? target : target.slice(0, queryAt);
}
