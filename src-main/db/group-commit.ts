import type { Db } from './connection';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: units of work queued in the same turn of the event loop run in ONE write
 * transaction (one fsync under `synchronous = FULL`), each in its own savepoint, so one unit
 * that throws rolls back only itself. A unit's promise settles once the commit is durable.
 * Durability is unchanged; what changes is that N concurrent writers share one fsync.
 */
export class GroupCommit<T> {
  #queue: Array<Pending<T>> = [];

  constructor(private readonly db: Db) {}

  run(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#commit());
      this.#queue.push({ work, resolve, reject });
    });
  }

  #commit(): void {
    const batch = this.#queue;
    this.#queue = [];
    const outcomes: Array<{ ok: true; value: T } | { ok: false; error: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          for (const unit of batch) {
            try {
              // A nested better-sqlite3 transaction is a savepoint, rolled back alone when it throws.
              outcomes.push({ ok: true, value: this.db.transaction(unit.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}
