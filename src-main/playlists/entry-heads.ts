import type { CasContext } from '../kernel/context';
import type { ViewerChannel } from '../access/viewer-directory';
import { m3uEntryHead, type M3uEntry } from '../../src-shared/protocol/m3u-playlist';

/**
 * The `#EXTINF` line of each channel under each package group, made once for every playlist
 * (it holds nothing of the viewer). Forgotten on `channels-changed` (name, logo) and
 * `packages-changed` (group titles), and whenever the public base URL of logo links differs.
 */
export class PlaylistEntryHeads {
  readonly #heads = new Map<string, string>();
  #base: string | null = null;

  constructor(ctx: CasContext) {
    ctx.events.on('channels-changed', () => this.#heads.clear());
    ctx.events.on('packages-changed', () => this.#heads.clear());
  }

  /** The line for `channel` shown in `group`, made by `entry` when not held (`base`: the public base URL links use now). */
  headOf(base: string, channel: ViewerChannel, group: string | null, entry: () => Omit<M3uEntry, 'url'>): string {
    if (base !== this.#base) {
      this.#heads.clear();
      this.#base = base;
    }
    const key = `${channel.id}\u0000${group ?? ''}`;
    let head = this.#heads.get(key);
    if (head === undefined) this.#heads.set(key, (head = m3uEntryHead(entry())));
    return head;
  }
}
