import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Verified login:password pairs, remembered briefly so a player polling its playlist every few
 * seconds does not pay scrypt each time. Only a MAC of the password under a random per-process
 * key is kept (bound to the account and its stored hash, so a password change invalidates it).
 */
export class VerifiedPasswords {
  readonly #key = randomBytes(32);
  readonly #entries = new Map<number, { mac: Buffer; until: number }>();

  #mac(accountId: number, passwordHash: string, password: string): Buffer {
    return createHmac('sha256', this.#key).update(`${accountId}\u0000${passwordHash}\u0000`).update(password, 'utf8').digest();
  }

  matches(accountId: number, passwordHash: string, password: string, now: number): boolean {
    const entry = this.#entries.get(accountId);
    if (!entry || entry.until <= now) return false;
    return timingSafeEqual(entry.mac, this.#mac(accountId, passwordHash, password));
  }

  remember(accountId: number, passwordHash: string, password: string, now: number, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.set(accountId, { mac: this.#mac(accountId, passwordHash, password), until: now + ttlMs });
  }

  forget(accountId: number): void {
    this.#entries.delete(accountId);
  }

  clear(): void {
    this.#entries.clear();
  }

  sweep(now: number): void {
    for (const [id, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(id);
  }
}

/**
 * Wrong credentials counted per viewer address and per username in a fixed window; at the limit
 * further attempts are refused (`rate_limited`) without being checked, until the window passes.
 */
export class CredentialFailures {
  readonly #entries = new Map<string, { count: number; since: number }>();

  blocked(key: string, now: number, max: number, windowMs: number): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.since <= now - windowMs) {
      this.#entries.delete(key);
      return false;
    }
    return entry.count >= max;
  }

  record(key: string, now: number, windowMs: number): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.since <= now - windowMs) this.#entries.set(key, { count: 1, since: now });
    else entry.count++;
  }

  sweep(now: number, windowMs: number): void {
    for (const [key, entry] of this.#entries) if (entry.since <= now - windowMs) this.#entries.delete(key);
  }
}
