/** Extended M3U playlists as IPTV players read them (`#EXTINF` with tvg-* attributes). Pure text formatting. */
export interface M3uEntry {
  tvgId: string;
  tvgName: string;
  tvgLogo: string | null;
  /** The channel number (`tvg-chno`), as players show and zap by it. */
  tvgChno: number | null;
  groupTitle: string | null;
  /** The title after the comma. */
  title: string;
  url: string;
}

/** Attribute values may not hold quotes or line breaks; titles may not hold line breaks. */
function attribute(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/"/g, "'");
}

/** The `#EXTINF` line of an entry (everything but its URL). */
export function m3uEntryHead(entry: Omit<M3uEntry, 'url'>): string {
  const attrs = [`tvg-id="${attribute(entry.tvgId)}"`, `tvg-name="${attribute(entry.tvgName)}"`];
  if (entry.tvgLogo) attrs.push(`tvg-logo="${attribute(entry.tvgLogo)}"`);
  if (entry.tvgChno !== null) attrs.push(`tvg-chno="${entry.tvgChno}"`);
  if (entry.groupTitle) attrs.push(`group-title="${attribute(entry.groupTitle)}"`);
  return `#EXTINF:-1 ${attrs.join(' ')},${entry.title.replace(/[\r\n]+/g, ' ')}`;
}

/** The playlist of entries whose `#EXTINF` lines are already made (see `m3uEntryHead`). */
export function formatM3u(entries: ReadonlyArray<{ head: string; url: string }>): string {
  const lines = ['#EXTM3U'];
  for (const { head, url } of entries) lines.push(head, url.includes('\n') || url.includes('\r') ? url.replace(/[\r\n]+/g, '') : url);
  return `${lines.join('\n')}\n`;
}
