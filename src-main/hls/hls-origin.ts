import type { Context } from 'koa';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ApiError, NotFoundError } from '../../src-shared/errors';
import { fetchBelowOrigin, isBelowOrigin, OriginFetchError, type OriginFetchResult } from './origin-fetch';

/** Playlists larger than this are refused (a live playlist is a few kilobytes). */
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Media files the CAS itself serves from a folder origin (never key files or anything else). */
const MEDIA_TYPES: Record<string, string> = {
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ac3: 'audio/ac3',
  ec3: 'audio/eac3',
  mp3: 'audio/mpeg',
  vtt: 'text/vtt',
  webvtt: 'text/vtt',
};

class OriginUnavailableError extends ApiError {
  constructor(message: string) {
    super(502, 'origin_unavailable', {}, message);
  }
}

type OriginKind = 'http' | 'folder';

export function originKind(origin: string): OriginKind {
  return /^https?:\/\//i.test(origin) ? 'http' : 'folder';
}

/** The base URL of an HTTP origin, always ending in "/" so relative paths resolve inside it. */
export function httpOriginBase(origin: string): URL {
  const base = new URL(origin);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}

/** A file inside a folder origin; refuses anything that would leave the folder. */
function folderFile(folder: string, path: string): string {
  const root = resolve(folder);
  const file = resolve(root, path);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) throw new NotFoundError('file_not_found', {}, 'File not found');
  return file;
}

/**
 * The URL of `path` below an HTTP origin. The route already refused anything but a canonical
 * relative path; this refuses, again, any path the URL parser would not keep exactly as given.
 */
export function originUrl(base: URL, path: string): URL {
  const url = new URL(path, base);
  if (!isBelowOrigin(base, url) || url.pathname !== `${base.pathname}${path}`) throw new NotFoundError('playlist_not_found', {}, 'Playlist not found');
  return url;
}

/** Reads a playlist from the channel's origin (HTTP, bounded in size and time and kept below the origin; or a folder). */
export async function readOriginPlaylist(origin: string, path: string, timeoutMs: number): Promise<{ text: string; url: URL }> {
  if (originKind(origin) === 'http') {
    const base = httpOriginBase(origin);
    let answer: OriginFetchResult;
    try {
      answer = await fetchBelowOrigin(base, originUrl(base, path), { maxBytes: MAX_PLAYLIST_BYTES, timeoutMs });
    } catch (error) {
      if (error instanceof OriginFetchError) throw new OriginUnavailableError(`The channel origin could not be read (${error.reason})`);
      throw error;
    }
    if (answer.status === 404) throw new NotFoundError('playlist_not_found', {}, 'Playlist not found');
    if (answer.status < 200 || answer.status > 299) throw new OriginUnavailableError(`The channel origin answered ${answer.status}`);
    return { text: answer.body.toString('utf8'), url: answer.url };
  }
  const file = folderFile(origin, path);
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new NotFoundError('playlist_not_found', {}, 'Playlist not found');
    if (info.size > MAX_PLAYLIST_BYTES) throw new OriginUnavailableError('The origin playlist is too large');
    return { text: await readFile(file, 'utf8'), url: new URL(`file:///${path}`) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new NotFoundError('playlist_not_found', {}, 'Playlist not found');
    throw error;
  }
}

/**
 * Answers a media file of the channel's origin (`/hls/...` and `/dash/...` segments): only a folder
 * origin's media types are served here; segments of an HTTP origin come from the edge.
 */
export async function sendOriginSegment(koa: Context, origin: string, path: string): Promise<void> {
  if (originKind(origin) !== 'folder') throw new NotFoundError('segment_not_found', {}, 'Segment not found');
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const type = MEDIA_TYPES[extension];
  if (!type) throw new NotFoundError('file_not_found', {}, 'File not found');
  const file = folderFile(origin, path);
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new NotFoundError('file_not_found', {}, 'File not found');
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new NotFoundError('file_not_found', {}, 'File not found');
    throw error;
  }
  koa.type = type;
  koa.length = size;
  koa.body = createReadStream(file);
}
