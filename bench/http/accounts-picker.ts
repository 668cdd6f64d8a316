/**
 * Hands each route its own accounts, spread over the whole table and never shared between routes,
 * so one route's sessions never count against another route's connection limits.
 */
export class AccountPicker {
  readonly #used: Uint8Array;
  readonly #stride: number;

  constructor(readonly accounts: number) {
    this.#used = new Uint8Array(accounts);
    this.#stride = [7919, 7907, 7901].find((p) => accounts % p !== 0) ?? 1;
  }

  /** Up to `count` unused accounts matching `wanted`; fails when none is left. */
  claim(count: number, wanted: (account: number) => boolean, what: string): number[] {
    const out: number[] = [];
    for (let k = 0, i = 0; k < this.accounts && out.length < count; k++, i = (i + this.#stride) % this.accounts) {
      if (this.#used[i] || !wanted(i)) continue;
      this.#used[i] = 1;
      out.push(i);
    }
    if (out.length === 0) throw new Error(`no account left for ${what}: seed more accounts`);
    return out;
  }
}
