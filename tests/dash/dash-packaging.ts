import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom';
import { completeSegment, initialIv } from './cenc-boxes';

const FFMPEG = '/usr/bin/ffmpeg';

/** One CENC key as the packager API gives it. */
export interface PackagerCencKey {
  keyId: string;
  kid: string;
  key: string;
}

/**
 * Packages `seconds` of a test stream (lavfi testsrc + sine, H.264/AAC, 1 s segments) into `dir`
 * with Debian's ffmpeg, encrypted with a CAS CENC key, and completes every segment's sample
 * auxiliary information (see cenc-boxes.ts). Returns the presentation's duration in seconds.
 */
export function packageCencStream(dir: string, key: PackagerCencKey, seconds: number): number {
  if (!existsSync(FFMPEG)) throw new Error('ffmpeg is missing: install the Debian package "ffmpeg" (apt-get install ffmpeg)');
  mkdirSync(dir, { recursive: true });
  execFileSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k',
    '-f', 'dash', '-seg_duration', '1', '-use_timeline', '1', '-use_template', '1',
    '-format_options', `encryption_scheme=cenc-aes-ctr:encryption_key=${key.key}:encryption_kid=${key.kid}`,
    join(dir, 'manifest.mpd'),
  ]);
  for (const [track, video] of [[0, true], [1, false]] as const) {
    const iv = initialIv(readFileSync(join(dir, `init-stream${track}.m4s`)));
    const segments = readdirSync(dir).filter((f) => f.startsWith(`chunk-stream${track}-`)).sort();
    let sample = 0;
    for (const file of segments) {
      const done = completeSegment(readFileSync(join(dir, file)), iv, sample, video);
      writeFileSync(join(dir, file), done.segment);
      sample += done.samples;
    }
  }
  return seconds;
}

function periodOf(dir: string, folder: string, id: string, start: number): Element {
  const doc = new DOMParser().parseFromString(readFileSync(join(dir, folder, 'manifest.mpd'), 'utf8'), 'application/xml');
  const period = doc.getElementsByTagNameNS('*', 'Period')[0];
  period.setAttribute('id', id);
  period.setAttribute('start', `PT${start}S`);
  for (const template of Array.from(period.getElementsByTagNameNS('*', 'SegmentTemplate'))) {
    for (const name of ['initialization', 'media']) template.setAttribute(name, `${folder}/${template.getAttribute(name)}`);
  }
  return period;
}

/**
 * A static multi-period MPD in `dir`: one Period per packaged folder, named after the key id of
 * the key it was encrypted with (how the CAS tells which KID a Period needs).
 */
export function writeMultiPeriodMpd(dir: string, name: string, periods: Array<{ folder: string; keyId: string; seconds: number }>): void {
  const doc = new DOMParser().parseFromString(readFileSync(join(dir, periods[0].folder, 'manifest.mpd'), 'utf8'), 'application/xml');
  const mpd = doc.documentElement!;
  for (const old of Array.from(mpd.getElementsByTagNameNS('*', 'Period'))) mpd.removeChild(old);
  let start = 0;
  for (const period of periods) {
    mpd.appendChild(doc.importNode(periodOf(dir, period.folder, period.keyId, start), true));
    start += period.seconds;
  }
  mpd.setAttribute('mediaPresentationDuration', `PT${start}S`);
  writeFileSync(join(dir, name), new XMLSerializer().serializeToString(doc));
}
