import type shakaNamespace from 'shaka-player';

/** What the preview shows while a DASH channel plays: events in a row, the first playing frame, a failure. */
export interface DashPreviewEvents {
  manifest(): void;
  license(keys: number): void;
  playing(): void;
  failed(text: string): void;
}

/** The HTTP status behind a Shaka error (a refused license is 6007 wrapping the 1001 of the request). */
function httpStatusOf(error: shakaNamespace.util.Error): number | undefined {
  const data = error.data as unknown[];
  // BAD_HTTP_STATUS (1001) carries [uri, status, …].
  if (error.code === 1001 && typeof data[1] === 'number') return data[1];
  for (const item of data) {
    if (item && typeof item === 'object' && 'code' in item && 'data' in item) {
      const status = httpStatusOf(item as shakaNamespace.util.Error);
      if (status !== undefined) return status;
    }
  }
  return undefined;
}

/** `Shaka error 6007 (HTTP 403)`: what the operator needs to tell a refused license from a broken stream. */
export function describeShakaError(error: shakaNamespace.util.Error): string {
  const status = httpStatusOf(error);
  return `Shaka error ${error.code}${status === undefined ? '' : ` (HTTP ${status})`}`;
}

/**
 * Plays a DASH channel through the CAS with Shaka Player (loaded on first use, its own chunk):
 * the rewritten MPD names the ClearKey license URL, so Shaka needs no DRM configuration.
 * Returns the player, to destroy before the next one.
 */
export async function playDash(video: HTMLVideoElement, url: string, on: DashPreviewEvents): Promise<shakaNamespace.Player> {
  const { default: shaka } = await import('shaka-player');
  shaka.polyfill.installAll();
  const player = new shaka.Player();
  await player.attach(video);
  // load() resolves even when the license is refused: the error event says so.
  player.addEventListener('error', (event) => on.failed(describeShakaError((event as unknown as { detail: shakaNamespace.util.Error }).detail)));
  player.getNetworkingEngine()?.registerResponseFilter((type, response) => {
    if (type !== shaka.net.NetworkingEngine.RequestType.LICENSE) return;
    const license = JSON.parse(new TextDecoder().decode(response.data)) as { keys?: unknown[] };
    on.license(license.keys?.length ?? 0);
  });
  video.addEventListener('playing', () => on.playing(), { once: true });
  try {
    await player.load(url);
    on.manifest();
  } catch (error) {
    on.failed(describeShakaError(error as shakaNamespace.util.Error));
  }
  video.muted = true;
  void video.play().catch(() => undefined);
  return player;
}
