import type { CasContext } from '../kernel/context';
import { TOKEN_PREFIX_LENGTH, tokenPrefixOf } from '../crypto/tokens';
import { tokenAad } from '../crypto/sealing-aad';
import { accountsWithoutTokenPrefix, accountsWithTokenPrefix, updateAccountColumns, type AccountFilter } from './account-queries';

/**
 * A token filter longer than the stored prefix narrows by the stored prefix first and then opens
 * the few candidates' sealed tokens; past this many candidates (operator-typed tokens sharing
 * their first characters) the answer is cut off here.
 */
const MAX_TOKEN_CANDIDATES = 5000;

function openToken(ctx: CasContext, row: { token_hash: string; token_sealed: Buffer }): string {
  return ctx.vault.openText(row.token_sealed, tokenAad(row.token_hash));
}

/** The store filter for a token prefix as the operator typed it (any length, case-sensitive). */
export function tokenPrefixFilter(ctx: CasContext, typed: string): Pick<AccountFilter, 'tokenPrefix' | 'ids'> {
  if (typed.length <= TOKEN_PREFIX_LENGTH) return { tokenPrefix: typed };
  const ids = accountsWithTokenPrefix(ctx.db, tokenPrefixOf(typed), MAX_TOKEN_CANDIDATES)
    .filter((row) => openToken(ctx, row).startsWith(typed))
    .map((row) => row.id);
  return { tokenPrefix: tokenPrefixOf(typed), ids };
}

/**
 * Stores the token prefix of accounts created before migration 440 (the migration cannot open
 * sealed tokens); runs once at start-up, a chunk per transaction. Returns how many it filled.
 */
export function fillMissingTokenPrefixes(ctx: CasContext): number {
  let filled = 0;
  for (;;) {
    const rows = accountsWithoutTokenPrefix(ctx.db, 1000);
    if (rows.length === 0) return filled;
    ctx.db.transaction(() => {
      for (const row of rows) updateAccountColumns(ctx.db, row.id, { token_prefix: tokenPrefixOf(openToken(ctx, row)) });
    })();
    filled += rows.length;
  }
}
