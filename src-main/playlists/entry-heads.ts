import type { CasContext } from '../kernel/context';
import type { ViewerChannel } from '../access/viewer-directory';
import { m3uEntryHead, type M3uEntry } from '../../src-shared/protocol/m3u-playlist';

/**
 * The `#EXTINF` line of each channel under each package group, made once for every playlist
 * (it holds nothing of the viewer). Forgotten on `channels-changed` (name, logo) and
 * `packages-changed` (group titles), and whenever the public base URL of logo links differs.
 */
export class PlaylistEntryHeads {
  /** Per channel (the directory makes new channel objects when channels change): group → line. */
  #heads = new WeakMap<ViewerChannel, Map<string | null, string>>();
  #base: string | null = null;

  constructor(ctx: CasContext) {
    ctx.events.on('channels-changed', () => this.#forget());
    ctx.events.on('packages-changed', () => this.#forget());
  }

  /** The line for `channel` shown in `group`, made by `entry` when not held (`base`: the public base URL links use now). */
  headOf(base: string, channel: ViewerChannel, group: string | null, entry: () => Omit<M3uEntry, 'url'>): string {
    if (base !== this.#base) {
      this.#forget();
      this.#base = base;
    }
    let byGroup = this.#heads.get(channel);
    if (!byGroup) this.#heads.set(channel, (byGroup = new Map<string | null, string>()));
    let head = byGroup.get(group);
    if (head === undefined) byGroup.set(group, (head = m3uEntryHead(entry())));
    return head;
  }

  #forget(): void {
    this.#heads = new WeakMap();
  }
}
