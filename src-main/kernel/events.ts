import { EventEmitter } from 'node:events';

/**
 * Changes other modules react to (caches in the access decision path, ECM/EMM caches).
 * Emitted after the transaction that made the change has committed.
 */
interface CasEventMap {
  /** `ids` null means "possibly all accounts" (bulk import, package deletion). */
  'accounts-changed': [ids: readonly number[] | null];
  /**
   * Trust in these accounts changed (password, token, role, disabled, expired, deleted): every
   * session they hold ends — admin, device and viewing — except `keepAdminSession` (the hash of
   * the admin session that changed its own password). Emitted before 'accounts-changed'.
   */
  'account-trust-changed': [change: { ids: readonly number[]; keepAdminSession?: string }];
  'packages-changed': [ids: readonly string[]];
  'channels-changed': [ids: readonly string[]];
}

export class CasEvents extends EventEmitter<CasEventMap> {}
