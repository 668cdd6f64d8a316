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

export function formatM3u(entries: readonly M3uEntry[]): string {
  const lines = ['#EXTM3U'];
  for (const entry of entries) {
    const attrs = [`tvg-id="${attribute(entry.tvgId)}"`, `tvg-name="${attribute(entry.tvgName)}"`];
    if (entry.tvgLogo) attrs.push(`tvg-logo="${attribute(entry.tvgLogo)}"`);
    if (entry.tvgChno !== null) attrs.push(`tvg-chno="${entry.tvgChno}"`);
    if (entry.groupTitle) attrs.push(`group-title="${attribute(entry.groupTitle)}"`);
    lines.push(`#EXTINF:-1 ${attrs.join(' ')},${entry.title.replace(/[\r\n]+/g, ' ')}`);
    lines.push(entry.url.replace(/[\r\n]+/g, ''));
  }
  return `${lines.join('\n')}\n`;
}
