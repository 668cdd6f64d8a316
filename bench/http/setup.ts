/**
 * Prepares, over HTTP against the running CAS, what players and devices hold before they send the
 * measured requests: signed-in devices (session bearers, registered box keys) and key tickets from
 * rewritten `/hls` playlists. Each route gets its own accounts (AccountPicker).
 */
import { generateDeviceKeyPair, signedAuthRequest } from '../../src-shared/client';
import { AccountPicker } from './accounts-picker';
import type { BenchDevice, RouteData } from './routes';
import { basicChannel, channelId, isBasicOnlyAccount, isFullAccount, usernameOf } from './seed';

export interface SetupSizes {
  /** Viewers per route (distinct accounts, each sending from its own address). */
  viewers: number;
  devices: number;
  keyViewers: number;
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function signIn(casUrl: string, account: number, token: string): Promise<BenchDevice> {
  const hwid = `BENCH-STB-${account}`;
  const body = signedAuthRequest({ username: usernameOf(account), token, hwid, ts: Math.floor(Date.now() / 1000), devicePublicKey: generateDeviceKeyPair().publicKey });
  const response = await fetch(`${casUrl}/api/v1/client/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`device sign-in of ${usernameOf(account)}: ${response.status} ${await response.text()}`);
  const answer = (await response.json()) as { session: { token: string } };
  return { account, token, hwid, session: answer.session.token };
}

async function keyUriOf(casUrl: string, account: number, token: string): Promise<string> {
  const response = await fetch(`${casUrl}/hls/${channelId(basicChannel(account))}/index.m3u8?token=${token}`);
  const text = await response.text();
  const uri = /#EXT-X-KEY:.*URI="(\/keys\/[^"]+)"/.exec(text)?.[1];
  if (response.status !== 200 || !uri) throw new Error(`/hls gave no key URI for ${usernameOf(account)}: ${response.status} ${text.slice(0, 300)}`);
  return uri;
}

export async function prepareRouteData(casUrl: string, tokens: readonly string[], sizes: SetupSizes): Promise<RouteData> {
  const picker = new AccountPicker(tokens.length);
  const any = () => true;
  const signedIn = async (what: string) => {
    const devices: BenchDevice[] = [];
    await inParallel(picker.claim(sizes.devices, isFullAccount, what), 4, async (a) => void devices.push(await signIn(casUrl, a, tokens[a])));
    return devices;
  };
  const devices = await signedIn('devices');
  const signInDevices = await signedIn('device sign-ins');
  const keyUris: string[] = [];
  await inParallel(picker.claim(sizes.keyViewers, any, 'key tickets'), 8, async (a) => void keyUris.push(await keyUriOf(casUrl, a, tokens[a])));
  return {
    tokens,
    devices,
    signInDevices,
    keyUris,
    viewers: {
      playlist: picker.claim(sizes.viewers, isFullAccount, 'playlists'),
      nginxRefused: picker.claim(sizes.viewers, isBasicOnlyAccount, '/auth/nginx refusals'),
      astraRefused: picker.claim(sizes.viewers, isBasicOnlyAccount, '/auth/astra refusals'),
      flussonicRefused: picker.claim(sizes.viewers, isBasicOnlyAccount, '/auth/flussonic refusals'),
      nginxAllowed: picker.claim(sizes.viewers, any, '/auth/nginx'),
      astraAllowed: picker.claim(sizes.viewers, any, '/auth/astra'),
      flussonicAllowed: picker.claim(sizes.viewers, any, '/auth/flussonic'),
      hls: picker.claim(sizes.viewers, any, '/hls'),
    },
  };
}
