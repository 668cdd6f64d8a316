import type { Db } from '../db/connection';
import { updateChannelColumns } from '../channels/channel-queries';
import {
  effectiveWatermark,
  renderWatermarkText,
  type ChannelWatermark,
  type RenderedWatermark,
  type WatermarkPlaceholder,
  type WatermarkSpec,
} from '../../src-shared/schemas/devices-watermarks';

/** The watermark columns of a channel row (migration 0300). */
export interface ChannelWatermarkColumns {
  watermark_enabled: 0 | 1 | null;
  watermark_template: string | null;
  watermark_position: string | null;
  watermark_opacity: number | null;
  watermark_size: number | null;
  watermark_move_seconds: number | null;
}

export function watermarkOfRow(row: ChannelWatermarkColumns): ChannelWatermark {
  return {
    enabled: row.watermark_enabled === null ? null : row.watermark_enabled === 1,
    template: row.watermark_template,
    position: row.watermark_position as ChannelWatermark['position'],
    opacity: row.watermark_opacity,
    size: row.watermark_size,
    moveSeconds: row.watermark_move_seconds,
  };
}

/** Writes the overrides a create or PATCH carried (absent fields stay, null inherits the default). */
export function saveChannelWatermark(db: Db, channelId: string, patch: Partial<ChannelWatermark> | undefined): void {
  if (!patch) return;
  const columns: Partial<ChannelWatermarkColumns> = {};
  if (patch.enabled !== undefined) columns.watermark_enabled = patch.enabled === null ? null : patch.enabled ? 1 : 0;
  if (patch.template !== undefined) columns.watermark_template = patch.template;
  if (patch.position !== undefined) columns.watermark_position = patch.position;
  if (patch.opacity !== undefined) columns.watermark_opacity = patch.opacity;
  if (patch.size !== undefined) columns.watermark_size = patch.size;
  if (patch.moveSeconds !== undefined) columns.watermark_move_seconds = patch.moveSeconds;
  updateChannelColumns(db, channelId, columns);
}

/** The watermark a viewer's player draws on a channel: the default with the channel's overrides, rendered. */
export function watermarkFor(
  defaults: WatermarkSpec,
  channel: ChannelWatermark,
  viewer: Partial<Record<WatermarkPlaceholder, string>>,
): RenderedWatermark | null {
  const spec = effectiveWatermark(defaults, channel);
  if (!spec.enabled || spec.template.trim() === '') return null;
  return {
    text: renderWatermarkText(spec.template, viewer),
    position: spec.position,
    opacity: spec.opacity,
    size: spec.size,
    moveSeconds: spec.moveSeconds,
  };
}
