/**
 * CSS as a browser reads it, for the SVG sanitiser: escapes (`\75rl(`, `\000075 `, `\@import`)
 * decoded and comments outside strings removed, so a keyword cannot hide behind either.
 * Removing a comment joins its neighbours, which a browser would not do: that can only make
 * more text look unsafe, never less.
 */
function decodeCss(css: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  let i = 0;
  while (i < css.length) {
    const c = css[i];
    if (c === '\\') {
      const hex = /^[0-9a-fA-F]{1,6}/.exec(css.slice(i + 1, i + 7));
      if (hex) {
        const code = Number.parseInt(hex[0], 16);
        const invalid = code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff);
        out += invalid ? '\uFFFD' : String.fromCodePoint(code);
        i += 1 + hex[0].length;
        // One whitespace after a hex escape belongs to the escape.
        if (css.startsWith('\r\n', i)) i += 2;
        else if (/[ \t\n\r\f]/.test(css[i] ?? '')) i += 1;
      } else if (css.startsWith('\r\n', i + 1)) {
        i += 3;
      } else {
        // An escaped newline continues a line; any other escaped character stands for itself.
        if (!/[\n\r\f]/.test(css[i + 1] ?? '')) out += css[i + 1] ?? '';
        i += 2;
      }
      continue;
    }
    if (quote) {
      if (c === quote || c === '\n' || c === '\r' || c === '\f') quote = null;
      out += c;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end === -1 ? css.length : end + 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** At-rules and functions that load or run something; `url()` is checked separately. */
const UNSAFE_CSS =
  /@import|@namespace|@font-face|@-moz-document|@document|expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|(?:^|[^a-z0-9_-])(?:-webkit-)?(?:image-set|image|cross-fade|element|src)\s*\(/;

/** CSS that may fetch or run something: any url() but a local `#id`, @import, expressions, scripts. */
export function cssIsUnsafe(css: string): boolean {
  const decoded = decodeCss(css).toLowerCase();
  if (UNSAFE_CSS.test(decoded)) return true;
  for (const match of decoded.matchAll(/url\s*\(\s*(['"]?)\s*([^'")]*)/g)) {
    if (!match[2].startsWith('#')) return true;
  }
  return false;
}
