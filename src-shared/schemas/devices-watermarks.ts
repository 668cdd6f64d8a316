import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';

/**
 * Watermarks drawn by the player over a channel: a template rendered per viewer (so a leaked
 * recording names its source), where it sits, how visible it is and how often it moves.
 */
export const watermarkPlaceholders = ['username', 'hwid', 'account', 'device', 'channel', 'ip', 'date'] as const;
export type WatermarkPlaceholder = (typeof watermarkPlaceholders)[number];

export const watermarkPositions = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'center', 'random'] as const;
export const watermarkPositionSchema = z.enum(watermarkPositions);
export type WatermarkPosition = z.infer<typeof watermarkPositionSchema>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A template such as `{username} · {hwid}`; only the known placeholders are allowed. */
export const watermarkTemplateSchema = z
  .string()
  .max(200, 'At most 200 characters')
  .superRefine((text, ctx) => {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (!(watermarkPlaceholders as readonly string[]).includes(match[1])) {
        ctx.addIssue({
          code: 'custom',
          message: `Unknown placeholder {${match[1]}}; use ${watermarkPlaceholders.map((p) => `{${p}}`).join(', ')}`,
          params: issueCode('unknown_watermark_placeholder', { placeholder: `{${match[1]}}`, known: watermarkPlaceholders.map((p) => `{${p}}`).join(', ') }),
        });
        return;
      }
    }
  });

export const watermarkOpacitySchema = z.number().min(0.05, 'At least 0.05').max(1, 'At most 1');
/** Text height as a percentage of the picture height. */
export const watermarkSizeSchema = z.number().min(1, 'At least 1 %').max(20, 'At most 20 %');
/** Seconds between moves to a new place (`random` position); 0 keeps it still. */
export const watermarkMoveSecondsSchema = z.number().int('Whole seconds').min(0).max(86400);

/** The default watermark (a setting); channels override it field by field. */
export const watermarkSpecSchema = z.object({
  enabled: z.boolean().default(true),
  template: watermarkTemplateSchema.default('{username} · {hwid}'),
  position: watermarkPositionSchema.default('random'),
  opacity: watermarkOpacitySchema.default(0.25),
  size: watermarkSizeSchema.default(3),
  moveSeconds: watermarkMoveSecondsSchema.default(300),
});
export type WatermarkSpec = z.infer<typeof watermarkSpecSchema>;

/** A channel's overrides: every field null inherits the default watermark. */
export const channelWatermarkSchema = z.object({
  enabled: z.boolean().nullable(),
  template: watermarkTemplateSchema.nullable(),
  position: watermarkPositionSchema.nullable(),
  opacity: watermarkOpacitySchema.nullable(),
  size: watermarkSizeSchema.nullable(),
  moveSeconds: watermarkMoveSecondsSchema.nullable(),
});
export type ChannelWatermark = z.infer<typeof channelWatermarkSchema>;

/** What a PATCH of a channel may send: any subset of the overrides. */
export const channelWatermarkPatchSchema = channelWatermarkSchema.partial().strict();

export const inheritedWatermark: ChannelWatermark = {
  enabled: null,
  template: null,
  position: null,
  opacity: null,
  size: null,
  moveSeconds: null,
};

/** The watermark a viewer's player draws, with the text already rendered for that viewer. */
export const renderedWatermarkSchema = z.object({
  text: z.string(),
  position: watermarkPositionSchema,
  opacity: z.number(),
  size: z.number(),
  moveSeconds: z.number().int(),
});
export type RenderedWatermark = z.infer<typeof renderedWatermarkSchema>;

/** The channel's overrides applied over the default. */
export function effectiveWatermark(defaults: WatermarkSpec, channel: ChannelWatermark): WatermarkSpec {
  return {
    enabled: channel.enabled ?? defaults.enabled,
    template: channel.template ?? defaults.template,
    position: channel.position ?? defaults.position,
    opacity: channel.opacity ?? defaults.opacity,
    size: channel.size ?? defaults.size,
    moveSeconds: channel.moveSeconds ?? defaults.moveSeconds,
  };
}

/** Replaces each `{placeholder}` with the viewer's value (unknown ones are kept as written). */
export function renderWatermarkText(template: string, values: Partial<Record<WatermarkPlaceholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name as WatermarkPlaceholder] ?? whole);
}
