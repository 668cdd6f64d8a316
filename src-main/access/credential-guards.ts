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

/** Failure counters kept at most (the oldest go first), so rotating usernames or addresses cannot grow memory. */
const MAX_FAILURE_KEYS = 100_000;

/**
 * Wrong credentials counted per viewer address and per username in a fixed window; at the limit
 * further attempts are refused (`rate_limited`) without being checked, until the window passes.
 * A password attempt is counted before it is checked and forgiven when it proves right, so any
 * number of concurrent guesses cannot all pass the limit while their checks are running.
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
    if (entry && entry.since > now - windowMs) {
      entry.count++;
      return;
    }
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_FAILURE_KEYS) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { count: 1, since: now });
  }

  /** Takes back one attempt counted by `record` (it turned out right, or was never checked). */
  forgive(key: string): void {
    const entry = this.#entries.get(key);
    if (entry && entry.count > 0) entry.count--;
  }

  sweep(now: number, windowMs: number): void {
    for (const [key, entry] of this.#entries) if (entry.since <= now - windowMs) this.#entries.delete(key);
  }
}

/**
 * Password checks (scrypt) running at once, and waiting beyond those, before further ones are
 * refused. Few wait, so no answer is late: Astra lets a viewer in when its backend is slow.
 */
const PASSWORD_CHECKS_AT_ONCE = 2;
const PASSWORD_CHECKS_WAITING = 8;

/**
 * A small semaphore in front of scrypt: a few checks run at once, a bounded number wait, and
 * the rest are refused at once. A flood of passwords from rotating addresses and usernames then
 * costs a bounded share of the CPU and thread pool; tokens, tickets and `/healthz` stay fast.
 */
export class PasswordCheckQueue {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly atOnce = PASSWORD_CHECKS_AT_ONCE,
    private readonly maxWaiting = PASSWORD_CHECKS_WAITING,
  ) {}

  /** Runs `check` when a slot is free; null at once (nothing run) when too many already wait. */
  async run<T>(check: () => Promise<T>): Promise<T | null> {
    if (this.#running < this.atOnce) this.#running++;
    else if (this.#waiting.length >= this.maxWaiting) return null;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await check();
    } finally {
      // Hand the slot to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
