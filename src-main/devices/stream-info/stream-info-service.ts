import type { CasContext } from '../../kernel/context';
import { publicUrl } from '../../kernel/public-base-url';
import type { UrlSigner } from '../../access/url-signing/url-signer';
import { entitled, type ViewerAccount, type ViewerChannel, type ViewerDirectory } from '../../access/viewer-directory';
import { keyIdOf, type ControlWords } from '../../keys/control-words';
import {
  DEVICE_EMM_PATH,
  deviceEcmPath,
  type StreamChannel,
  type StreamInfo,
} from '../../../src-shared/protocol/device-auth';
import { allChannelRows } from '../../channels/channel-queries';
import { watermarkFor, watermarkOfRow } from '../../watermarks/watermark-service';
import type { ChannelWatermark } from '../../../src-shared/schemas/devices-watermarks';

/** The device a stream-info answer is made for. */
interface StreamViewerDevice {
  account: ViewerAccount;
  deviceId: number;
  hwid: string;
  /** The device's address (stream URLs are signed for it). */
  ip: string;
}

/**
 * What a signed-in device needs to play: each channel it is entitled to (per the access
 * decision's rules), with its logo, the stream URL signed for this device with the channel's
 * scheme, the HLS key URL, where its ECM is, and the watermark rendered for this viewer.
 */
export class StreamInfoService {
  #watermarks: Map<string, ChannelWatermark> | null = null;

  constructor(
    private readonly ctx: CasContext,
    private readonly directory: ViewerDirectory,
    private readonly urlSigner: UrlSigner,
    private readonly controlWords: ControlWords,
  ) {
    ctx.events.on('channels-changed', () => (this.#watermarks = null));
  }

  forDevice(device: StreamViewerDevice): StreamInfo {
    const absolute = (pathOrUrl: string) => publicUrl(this.ctx, pathOrUrl);
    const now = this.ctx.clock.now();
    const defaults = this.ctx.settings.get().defaultWatermark;
    const date = new Date(now).toISOString().slice(0, 10);
    const channels: StreamChannel[] = [];
    for (const channel of this.directory.channels()) {
      if (!entitled(device.account, channel)) continue;
      const watermark = this.#watermarkOf(channel.id);
      if (!watermark) continue;
      const period = this.controlWords.currentPeriod(channel.id, now);
      // The newest generation's key id (gen 0 until one exists).
      const keyId = keyIdOf(period.period, this.controlWords.newestGeneration(channel.id, period.period) ?? 0);
      channels.push({
        id: channel.id,
        name: channel.name,
        number: channel.number,
        logo: channel.logo ? absolute(channel.logo) : null,
        streamUrl: this.#streamUrl(channel, device),
        keyUrl: absolute(`/keys/${encodeURIComponent(channel.id)}/${keyId}`),
        ecmUrl: absolute(deviceEcmPath(channel.id)),
        cryptoPeriodSeconds: period.periodSeconds,
        packages: channel.packages.filter((p) => device.account.packages.has(p)),
        watermark: watermarkFor(defaults, watermark, {
          username: device.account.username,
          hwid: device.hwid,
          account: String(device.account.id),
          device: String(device.deviceId),
          channel: channel.id,
          ip: device.ip,
          date,
        }),
      });
    }
    return { generatedAt: Math.floor(now / 1000), emmUrl: absolute(DEVICE_EMM_PATH), channels };
  }

  /** Null when no stream base URL is configured for the channel (nor a default): nothing to sign. */
  #streamUrl(channel: ViewerChannel, device: StreamViewerDevice): string | null {
    if (this.urlSigner.streamBaseUrl(channel) === null) return null;
    return this.urlSigner.streamUrlFor(channel, { ip: device.ip, accountId: device.account.id });
  }

  /** Each channel's watermark columns, read once (forgotten on `channels-changed`). */
  #watermarkOf(channelId: string): ChannelWatermark | undefined {
    this.#watermarks ??= new Map(allChannelRows(this.ctx.db).map((row) => [row.id, watermarkOfRow(row)]));
    return this.#watermarks.get(channelId);
  }
}
