import type { Context } from 'koa';
import type { Settings } from '../../src-shared/schemas/settings';
import { ForbiddenError } from '../../src-shared/errors';
import { parseIpAddress } from '../../src-shared/net/ip-ranges';
import { callerAddress, isStreamingServer } from '../access/caller-address';

/**
 * Only registered streaming servers may ask the auth backends (and so speak for a viewer's IP):
 * anyone else gets 403, so nobody can ask "may IP x watch?" on a viewer's behalf.
 */
export function assertStreamingServer(koa: Context, settings: Settings): string {
  const caller = callerAddress(koa);
  if (!isStreamingServer(caller, settings)) {
    throw new ForbiddenError('not_streaming_server', {}, 'Only registered streaming servers may ask the auth backends', 'not_streaming_server');
  }
  return caller;
}

/** A viewer address given in a header by a streaming server: a plain IPv4/IPv6 address, or null. */
export function headerAddress(value: string | undefined): string | null {
  if (!value) return null;
  const first = value.split(',')[0].trim();
  return parseIpAddress(first)?.toString() ?? null;
}
