import { passphraseSchema, type UnlockResult } from '../../src-shared/desktop-bridge';
import type { PassphrasePrompt } from './keychain-master-key';
import type { UnlockPurpose } from './unlock-page';

/**
 * Connects the master-key provider's passphrase prompts to the unlock page: the provider asks
 * (`ask`), the page answers over IPC (`submit`) and learns whether the passphrase was right from
 * what the provider does next (asks again: wrong; `finish`: right).
 */
export class PassphraseGate {
  #pending: { purpose: UnlockPurpose; resolve(passphrase: string | null): void } | null = null;
  #verdict: ((result: UnlockResult) => void) | null = null;

  constructor(
    private readonly page: {
      /** Shows the unlock page for this purpose (once; later prompts reuse it). */
      show(purpose: UnlockPurpose): void;
      close(): void;
    },
  ) {}

  /** The provider's prompt. */
  readonly ask: PassphrasePrompt = ({ purpose, retry }) => {
    if (retry) this.#answer({ unlocked: false, message: 'Wrong passphrase. Try again.' });
    this.page.show(purpose);
    return new Promise((resolve) => {
      this.#pending = { purpose, resolve };
    });
  };

  /** A passphrase from the unlock page; resolves once the provider has tried it. */
  submit(passphrase: string): Promise<UnlockResult> {
    const pending = this.#pending;
    if (!pending) return Promise.resolve({ unlocked: false, message: 'Nothing is waiting for a passphrase.' });
    if (pending.purpose === 'choose') {
      const checked = passphraseSchema.safeParse(passphrase);
      if (!checked.success) return Promise.resolve({ unlocked: false, message: checked.error.issues[0]?.message ?? 'Too short' });
    }
    this.#pending = null;
    return new Promise((resolve) => {
      this.#verdict = resolve;
      pending.resolve(passphrase);
    });
  }

  /** The key is loaded (or loading failed for another reason): tell the page and close it. */
  finish(result: UnlockResult = { unlocked: true }): void {
    this.#answer(result);
    this.page.close();
  }

  /** The operator closed the unlock page: the provider's prompt answers null (cancelled). */
  cancel(): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(null);
  }

  #answer(result: UnlockResult): void {
    const verdict = this.#verdict;
    this.#verdict = null;
    verdict?.(result);
  }
}
