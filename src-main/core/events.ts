import { EventEmitter } from 'node:events';

/**
 * Changes other modules react to (caches in the access decision path, ECM/EMM caches).
 * Emitted after the transaction that made the change has committed.
 */
export interface CasEventMap {
  /** `ids` null means "possibly all accounts" (bulk import, package deletion). */
  'accounts-changed': [ids: readonly number[] | null];
  'packages-changed': [ids: readonly string[]];
  'channels-changed': [ids: readonly string[]];
}

export class CasEvents extends EventEmitter<CasEventMap> {}
