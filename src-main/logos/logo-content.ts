import { ValidationError, type ErrorCode, type ErrorParams } from '../../src-shared/errors';
import { sanitizeSvg, SvgRejectedError } from './svg-sanitizer';

export type LogoType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest accepted width or height of a raster logo. */
const MAX_DIMENSION = 4096;

/** A file that is not an acceptable logo: a 400 naming the `logo` field. */
class LogoRejectedError<C extends ErrorCode> extends ValidationError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string) {
    super(code, params, `logo: ${message}`, 'logo');
  }
}

function pngSize(data: Buffer): { width: number; height: number } | null {
  // The IHDR chunk comes first: length(4) "IHDR"(4) width(4) height(4).
  if (data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function jpegSize(data: Buffer): { width: number; height: number } | null {
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return null;
    const marker = data[offset + 1];
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = data.readUInt16BE(offset + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return null;
}

function looksLikeSvg(data: Buffer): boolean {
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  // Optional XML declaration and comments, then the <svg> root.
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head);
}

/**
 * What an upload really is, by its bytes (the file name and the sender's Content-Type are not
 * trusted): PNG or JPEG by signature and a readable frame size, SVG by its root element, then
 * rebuilt by the sanitizer. Anything else is refused.
 */
export function acceptLogo(data: Buffer): { type: LogoType; data: Buffer } {
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_MAGIC)) {
    const size = pngSize(data);
    if (!size || size.width === 0 || size.height === 0) throw new LogoRejectedError('logo_damaged', { format: 'PNG' }, 'A damaged PNG file');
    if (size.width > MAX_DIMENSION || size.height > MAX_DIMENSION) {
      throw new LogoRejectedError('logo_too_many_pixels', { max: MAX_DIMENSION }, `Logos are at most ${MAX_DIMENSION}×${MAX_DIMENSION} pixels`);
    }
    return { type: 'image/png', data };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    const size = jpegSize(data);
    if (!size || size.width === 0 || size.height === 0) throw new LogoRejectedError('logo_damaged', { format: 'JPEG' }, 'A damaged JPEG file');
    if (size.width > MAX_DIMENSION || size.height > MAX_DIMENSION) {
      throw new LogoRejectedError('logo_too_many_pixels', { max: MAX_DIMENSION }, `Logos are at most ${MAX_DIMENSION}×${MAX_DIMENSION} pixels`);
    }
    return { type: 'image/jpeg', data };
  }
  if (looksLikeSvg(data)) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw new LogoRejectedError('logo_svg_not_utf8', {}, 'An SVG file must be UTF-8');
    }
    try {
      return { type: 'image/svg+xml', data: Buffer.from(sanitizeSvg(text), 'utf8') };
    } catch (error) {
      if (error instanceof SvgRejectedError) throw new LogoRejectedError('logo_svg_rejected', {}, error.message);
      throw error;
    }
  }
  throw new LogoRejectedError('logo_unsupported_type', {}, 'Only PNG, JPEG and SVG logos are accepted');
}
