import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import type { Vault } from '../crypto/vault';
import type { Clock } from './clock';
import { isoOrNull } from './clock';
import {
  settingsSchema,
  settingsSecretNames,
  type Settings,
  type SettingsPatch,
  type SettingsSecretName,
  type SettingsView,
} from '../../src-shared/schemas/settings';
import { secretAad } from '../crypto/sealing-aad';

interface SecretValue {
  current: string;
  /** The value before the last rotation, accepted during the grace period. */
  previous: string | null;
  rotatedAt: number;
}

type Listener = (settings: Settings, changed: ReadonlySet<string>) => void;

/**
 * The settings document and the write-only secrets. Reads come from memory; writes go to
 * SQLite in one transaction and then notify listeners (caches that depend on a setting).
 */
export class SettingsStore {
  #settings: Settings;
  readonly #secrets = new Map<string, SecretValue>();
  readonly #listeners = new Set<Listener>();

  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly clock: Clock,
  ) {
    this.#settings = this.#load();
    this.#loadSecrets();
  }

  get(): Settings {
    return this.#settings;
  }

  secret(name: SettingsSecretName): SecretValue | null {
    return this.#secrets.get(name) ?? null;
  }

  view(): SettingsView {
    const secrets: SettingsView['secrets'] = {};
    for (const name of settingsSecretNames as readonly string[]) {
      const value = this.#secrets.get(name);
      secrets[name] = { set: value !== undefined, rotatedAt: isoOrNull(value?.rotatedAt ?? null) };
    }
    return { ...this.#settings, secrets };
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies a validated patch inside the caller's transaction (so the audit row lands with it).
   * Returns the names of the fields that changed; secret values are never returned.
   */
  applyPatch(patch: SettingsPatch): string[] {
    const now = this.clock.now();
    const changed: string[] = [];
    const secretNames = new Set<string>(settingsSecretNames);
    const next: Record<string, unknown> = { ...this.#settings };
    const pendingSecrets: Array<[string, string]> = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (secretNames.has(key)) {
        if (typeof value !== 'string') continue;
        pendingSecrets.push([key, value]);
        changed.push(key);
      } else if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
        next[key] = value;
        changed.push(key);
      }
    }
    const settings = settingsSchema.parse(next);
    for (const key of changed) {
      if (secretNames.has(key)) continue;
      statement(
        this.db,
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ).run(key, JSON.stringify(settings[key as keyof Settings]), now);
    }
    for (const [name, value] of pendingSecrets) this.#writeSecret(name, value, now);
    this.#settings = settings;
    const changedSet = new Set(changed);
    if (changed.length > 0) {
      for (const listener of this.#listeners) listener(settings, changedSet);
    }
    return changed;
  }

  /** Sets a secret to a new value, keeping the old one as `previous` for the grace period. */
  setSecret(name: SettingsSecretName, value: string): void {
    this.#writeSecret(name, value, this.clock.now());
    const settings = this.#settings;
    for (const listener of this.#listeners) listener(settings, new Set([name]));
  }

  #writeSecret(name: string, value: string, now: number): void {
    const existing = this.#secrets.get(name);
    const current = this.vault.seal(value, secretAad('current', name));
    const previous = existing ? this.vault.seal(existing.current, secretAad('previous', name)) : null;
    statement(
      this.db,
      `INSERT INTO secrets (name, current_sealed, previous_sealed, rotated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET current_sealed = excluded.current_sealed,
         previous_sealed = excluded.previous_sealed, rotated_at = excluded.rotated_at`,
    ).run(name, current, previous, now);
    this.#secrets.set(name, { current: value, previous: existing?.current ?? null, rotatedAt: now });
  }

  #load(): Settings {
    const rows = statement(this.db, 'SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    const raw: Record<string, unknown> = {};
    const known = new Set(Object.keys(settingsSchema.shape));
    for (const row of rows) if (known.has(row.key)) raw[row.key] = JSON.parse(row.value);
    const parsed = settingsSchema.safeParse(raw);
    // A stored value an older release accepted but this one does not falls back to its default.
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) delete raw[String(issue.path[0])];
    return settingsSchema.parse(raw);
  }

  #loadSecrets(): void {
    const rows = statement(this.db, 'SELECT name, current_sealed, previous_sealed, rotated_at FROM secrets').all() as Array<{
      name: string;
      current_sealed: Buffer;
      previous_sealed: Buffer | null;
      rotated_at: number;
    }>;
    for (const row of rows) {
      this.#secrets.set(row.name, {
        current: this.vault.openText(row.current_sealed, secretAad('current', row.name)),
        previous: row.previous_sealed ? this.vault.openText(row.previous_sealed, secretAad('previous', row.name)) : null,
        rotatedAt: row.rotated_at,
      });
    }
  }
}
