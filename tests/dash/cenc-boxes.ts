import { createDecipheriv } from 'node:crypto';

/**
 * Completes ffmpeg 5.1's CENC fragments for browsers (test helper). Debian's ffmpeg encrypts the
 * samples (`cenc-aes-ctr`) but writes no per-fragment sample auxiliary information, and Chromium
 * refuses such segments. Its encryptor is deterministic: the init segment's `senc` holds the IV of
 * sample 0, sample n of a track is encrypted with that IV + n (8-byte counter), audio samples whole,
 * and for H.264 each NAL unit is one subsample with its 4-byte length prefix and 1 header byte clear.
 * So each `traf` gets `senc`, `saiz` and `saio`; `trun` data offsets, `traf`/`moof` sizes and the
 * `sidx` reference grow by the bytes added.
 */

interface Box {
  type: string;
  start: number;
  size: number;
  /** Where the box's content begins (after the 8-byte header). */
  body: number;
}

function boxesIn(data: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let at = start; at + 8 <= end; ) {
    const size = data.readUInt32BE(at);
    if (size < 8) throw new Error(`Unsupported box size ${size} at ${at}`);
    out.push({ type: data.toString('latin1', at + 4, at + 8), start: at, size, body: at + 8 });
    at += size;
  }
  return out;
}

function find(data: Buffer, path: string[], start = 0, end = data.length): Box | undefined {
  const [first, ...rest] = path;
  const box = boxesIn(data, start, end).find((b) => b.type === first);
  if (!box || rest.length === 0) return box;
  return find(data, rest, box.body, box.start + box.size);
}

function fullBox(type: string, version: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32BE(12 + payload.length, 0);
  header.write(type, 4, 'latin1');
  header.writeUInt32BE((version << 24) | flags, 8);
  return Buffer.concat([header, payload]);
}

/** The IV of sample 0 of a track, from the `senc` ffmpeg leaves in the init segment's `stbl`. */
export function initialIv(init: Buffer): Buffer {
  const senc = find(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'senc']);
  if (!senc) throw new Error('No senc in the init segment: not a CENC stream of ffmpeg 5.1');
  return Buffer.from(init.subarray(senc.body + 8, senc.body + 16));
}

/** `iv + n` as an 8-byte big-endian counter. */
function ivPlus(iv: Buffer, n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE((iv.readBigUInt64BE(0) + BigInt(n)) & 0xffffffffffffffffn);
  return out;
}

interface TrunSamples {
  dataOffset: number;
  sizes: number[];
  /** Byte position of the data_offset field, to shift it. */
  dataOffsetAt: number;
}

function readTrun(data: Buffer, trun: Box, defaultSize: number): TrunSamples {
  const flags = data.readUInt32BE(trun.body) & 0xffffff;
  const count = data.readUInt32BE(trun.body + 4);
  let at = trun.body + 8;
  if (!(flags & 0x1)) throw new Error('trun without data_offset');
  const dataOffsetAt = at;
  const dataOffset = data.readInt32BE(at);
  at += 4;
  if (flags & 0x4) at += 4;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    if (flags & 0x100) at += 4;
    if (flags & 0x200) {
      sizes.push(data.readUInt32BE(at));
      at += 4;
    } else sizes.push(defaultSize);
    if (flags & 0x400) at += 4;
    if (flags & 0x800) at += 4;
  }
  return { dataOffset, sizes, dataOffsetAt };
}

/** H.264 subsamples of one sample: per NAL unit, the length prefix and header byte clear. */
function nalSubsamples(sample: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = 0; at + 4 <= sample.length; ) {
    const length = sample.readUInt32BE(at);
    out.push([5, length - 1]);
    at += 4 + length;
  }
  return out;
}

/**
 * One media segment of a track with `senc`/`saiz`/`saio` added; `firstSample` is the track-wide
 * number of its first sample (the segments before it, in order, hold that many).
 */
export function completeSegment(segment: Buffer, iv0: Buffer, firstSample: number, video: boolean): { segment: Buffer; samples: number } {
  const moof = find(segment, ['moof'])!;
  const traf = find(segment, ['traf'], moof.body, moof.start + moof.size)!;
  const tfhd = find(segment, ['tfhd'], traf.body, traf.start + traf.size)!;
  const trun = find(segment, ['trun'], traf.body, traf.start + traf.size)!;
  const tfhdFlags = segment.readUInt32BE(tfhd.body) & 0xffffff;
  let at = tfhd.body + 8;
  if (tfhdFlags & 0x1) at += 8;
  if (tfhdFlags & 0x2) at += 4;
  if (tfhdFlags & 0x8) at += 4;
  const defaultSize = tfhdFlags & 0x10 ? segment.readUInt32BE(at) : 0;
  if (!(tfhdFlags & 0x20000)) throw new Error('Expected default-base-is-moof');
  const { dataOffset, sizes, dataOffsetAt } = readTrun(segment, trun, defaultSize);

  const entries: Buffer[] = [];
  let sampleAt = moof.start + dataOffset;
  sizes.forEach((size, i) => {
    const iv = ivPlus(iv0, firstSample + i);
    if (!video) return void entries.push(iv);
    const subsamples = nalSubsamples(segment.subarray(sampleAt, sampleAt + size));
    const entry = Buffer.alloc(8 + 2 + 6 * subsamples.length);
    iv.copy(entry, 0);
    entry.writeUInt16BE(subsamples.length, 8);
    subsamples.forEach(([clear, encrypted], k) => {
      entry.writeUInt16BE(clear, 10 + 6 * k);
      entry.writeUInt32BE(encrypted, 12 + 6 * k);
    });
    entries.push(entry);
    sampleAt += size;
  });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  const senc = fullBox('senc', 0, video ? 0x2 : 0, Buffer.concat([count, ...entries]));
  const saizPayload = Buffer.alloc(5 + entries.length);
  saizPayload.writeUInt8(0, 0);
  saizPayload.writeUInt32BE(entries.length, 1);
  entries.forEach((e, i) => saizPayload.writeUInt8(e.length, 5 + i));
  const saiz = fullBox('saiz', 0, 0, saizPayload);
  const saioPayload = Buffer.alloc(8);
  saioPayload.writeUInt32BE(1, 0);
  const saioSize = 12 + 8;
  const insertAt = traf.start + traf.size;
  // The first IV, relative to the moof (default-base-is-moof): after saiz, saio and senc's header.
  saioPayload.writeUInt32BE(insertAt - moof.start + saiz.length + saioSize + 16, 4);
  const saio = fullBox('saio', 0, 0, saioPayload);
  const added = Buffer.concat([saiz, saio, senc]);

  const out = Buffer.concat([segment.subarray(0, insertAt), added, segment.subarray(insertAt)]);
  out.writeUInt32BE(traf.size + added.length, traf.start);
  out.writeUInt32BE(moof.size + added.length, moof.start);
  out.writeInt32BE(dataOffset + added.length, dataOffsetAt);
  const sidx = find(segment, ['sidx']);
  if (sidx && sidx.start < moof.start) {
    const version = segment.readUInt8(sidx.body);
    const referenceAt = sidx.body + 4 + 8 + (version === 0 ? 8 : 16) + 4;
    const reference = out.readUInt32BE(referenceAt);
    out.writeUInt32BE((reference & 0x80000000) | ((reference & 0x7fffffff) + added.length), referenceAt);
  }
  return { segment: out, samples: sizes.length };
}

/** Decrypts the first sample of a completed segment (test of the helper itself). */
export function firstSampleClear(segment: Buffer, key: Buffer, iv: Buffer, video: boolean): Buffer {
  const moof = find(segment, ['moof'])!;
  const traf = find(segment, ['traf'], moof.body, moof.start + moof.size)!;
  const trun = find(segment, ['trun'], traf.body, traf.start + traf.size)!;
  const { dataOffset, sizes } = readTrun(segment, trun, 0);
  const sample = Buffer.from(segment.subarray(moof.start + dataOffset, moof.start + dataOffset + sizes[0]));
  const decipher = createDecipheriv('aes-128-ctr', key, Buffer.concat([iv, Buffer.alloc(8)]));
  if (!video) return decipher.update(sample);
  for (let at = 0; at + 4 <= sample.length; ) {
    const length = sample.readUInt32BE(at);
    decipher.update(sample.subarray(at + 5, at + 4 + length)).copy(sample, at + 5);
    at += 4 + length;
  }
  return sample;
}
