import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from '../access/access-helpers';

/**
 * `/playlist.m3u8` signs every channel for the viewer with one viewer key and reuses each
 * channel's `#EXTINF` line: tickets are the documented v2 MAC (v1 tickets handed out before keep
 * working until they expire), a rotated ticket secret signs at once, and every change of a
 * line's inputs shows at the next request.
 */
let t: TestCas;

const playlistOf = async (token: string) => {
  const answer = await t.client.get(`/playlist.m3u8?token=${token}`);
  return { status: answer.status, text: String(answer.body) };
};
const infoLineOf = (text: string, channelId: string) => text.split('\n').find((l) => l.includes(`tvg-id="${channelId}"`));
const ticketOf = (text: string, channelId: string) => new RegExp(`/tv/${channelId}/index\\.m3u8\\?ticket=(s[^\\s]+)`).exec(text)?.[1];

/**
 * A stream ticket's MAC as documented, with node's own Hmac, Hash and Cipher: v2 is AES-128 of the
 * channel's block (SHA-256 of `cas-ticket-channel\0<channel>`, 16 bytes) under the viewer key
 * (HMAC-SHA256 of `cas-ticket-v2\0s\0<account>\0<address>\0<expiry>`, 16 bytes); v1 an HMAC of all claims.
 */
function referenceMac(secret: string, ticket: string, channelId: string, version: 'v1' | 'v2' = 'v2'): string {
  const [, account, expires] = /^s(\d+)\.(\d+)\./.exec(ticket)!;
  if (version === 'v1') {
    const claims = ['cas-ticket-v1', 's', channelId, account, '127.0.0.1', expires].join('\u0000');
    return createHmac('sha256', secret).update(claims).digest().subarray(0, 16).toString('base64url');
  }
  const viewerKey = createHmac('sha256', secret).update(['cas-ticket-v2', 's', account, '127.0.0.1', expires].join('\u0000')).digest().subarray(0, 16);
  const block = createHash('sha256').update(`cas-ticket-channel\u0000${channelId}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ecb', viewerKey, null).setAutoPadding(false);
  return cipher.update(block).toString('base64url');
}

beforeAll(async () => {
  t = await startTestCas();
  await patchSettings(t, { sharingMaxAddresses: 0 });
  await t.admin.post('/api/admin/packages', { id: 'films', name: 'Films' });
  await createChannel(t, { id: 'one', name: 'One', number: 1, packages: ['basic'], logo: '/logos/one.png' });
  await createChannel(t, { id: 'two', name: 'Two', number: 2, packages: ['films'] });
});
afterAll(async () => {
  await t.dispose();
});

describe('stream tickets of a playlist', () => {
  it('are the v2 MAC: AES-128 of the channel under an HMAC-SHA256 viewer key (long secrets too)', async () => {
    const viewer = await createViewer(t, { packages: ['basic', 'films'] });
    for (const secret of [t.cas.ctx.settings.secret('hlsTicketSecret')?.current, 'x'.repeat(100)]) {
      if (secret && secret !== t.cas.ctx.settings.secret('hlsTicketSecret')?.current) await patchSettings(t, { hlsTicketSecret: secret });
      const { text } = await playlistOf(viewer.token);
      const current = t.cas.ctx.settings.secret('hlsTicketSecret')!.current;
      for (const channel of ['one', 'two']) {
        const ticket = ticketOf(text, channel)!;
        expect(ticket.split('.')[2]).toBe(referenceMac(current, ticket, channel));
      }
    }
  });

  it('bind each ticket to its channel, address, account and expiry', async () => {
    const viewer = await createViewer(t, { packages: ['basic', 'films'] });
    const { text } = await playlistOf(viewer.token);
    const one = ticketOf(text, 'one')!;
    const two = ticketOf(text, 'two')!;
    const { tickets } = t.cas.services;
    expect(tickets.verify(one, 'one', '127.0.0.1', ['s'])).not.toBeNull();
    expect(tickets.verify(two, 'two', '127.0.0.1', ['s'])).not.toBeNull();
    // Same viewer key, other channel: the other channel's MAC is not this one.
    expect(tickets.verify(one, 'two', '127.0.0.1', ['s'])).toBeNull();
    expect(tickets.verify(one, 'one', '127.0.0.2', ['s'])).toBeNull();
    expect(tickets.verify(one, 'one', '127.0.0.1', ['k', 'p'])).toBeNull();
    const [head, expires, mac] = one.split('.');
    expect(tickets.verify(`s${viewer.id + 1}.${expires}.${mac}`, 'one', '127.0.0.1', ['s'])).toBeNull();
    expect(tickets.verify(`${head}.${Number(expires) + 60}.${mac}`, 'one', '127.0.0.1', ['s'])).toBeNull();
  });

  it('accept a v1 ticket handed out before the upgrade, for its channel only, until it expires', async () => {
    const viewer = await createViewer(t, { packages: ['basic', 'films'] });
    const current = t.cas.ctx.settings.secret('hlsTicketSecret')!.current;
    const expires = Math.floor(Date.now() / 1000) + 600;
    const v1 = (channel: string, at = expires) => `s${viewer.id}.${at}.${referenceMac(current, `s${viewer.id}.${at}.`, channel, 'v1')}`;
    const { tickets } = t.cas.services;
    expect(tickets.verify(v1('one'), 'one', '127.0.0.1', ['s'])).not.toBeNull();
    expect(tickets.verify(v1('one'), 'two', '127.0.0.1', ['s'])).toBeNull();
    expect(tickets.verify(v1('one', Math.floor(Date.now() / 1000) - 1), 'one', '127.0.0.1', ['s'])).toBeNull();
  });

  it('use a rotated secret at once; the previous one verifies only during the grace period', async () => {
    const viewer = await createViewer(t, { packages: ['basic'] });
    const before = ticketOf((await playlistOf(viewer.token)).text, 'one')!;
    await patchSettings(t, { hlsTicketSecret: 'a-rotated-ticket-secret-0123456789abcdef' });
    const after = ticketOf((await playlistOf(viewer.token)).text, 'one')!;
    expect(after.split('.')[2]).toBe(referenceMac('a-rotated-ticket-secret-0123456789abcdef', after, 'one'));
    const { tickets } = t.cas.services;
    expect(tickets.verify(before, 'one', '127.0.0.1', ['s'])).not.toBeNull();
    expect(tickets.verify(before, 'two', '127.0.0.1', ['s'])).toBeNull();
    await patchSettings(t, { signingSecretGraceMinutes: 0 });
    expect(tickets.verify(before, 'one', '127.0.0.1', ['s'])).toBeNull();
    expect(tickets.verify(after, 'one', '127.0.0.1', ['s'])).not.toBeNull();
  });
});

describe('the #EXTINF lines reused between playlists', () => {
  it('show a renamed channel, a renamed package and a new public base URL at the next request', async () => {
    const viewer = await createViewer(t, { packages: ['basic'] });
    expect(infoLineOf((await playlistOf(viewer.token)).text, 'one')).toContain('tvg-name="One"');
    expect((await t.admin.patch('/api/admin/channels/one', { name: 'One HD' })).status).toBe(200);
    expect(infoLineOf((await playlistOf(viewer.token)).text, 'one')).toBe(
      `#EXTINF:-1 tvg-id="one" tvg-name="One HD" tvg-logo="${t.cas.apiUrl}/logos/one.png" tvg-chno="1" group-title="Basic",One HD`,
    );
    expect((await t.admin.patch('/api/admin/packages/basic', { name: 'Starter' })).status).toBe(200);
    expect(infoLineOf((await playlistOf(viewer.token)).text, 'one')).toContain('group-title="Starter"');
    await patchSettings(t, { publicBaseUrl: 'https://tv.example' });
    expect(infoLineOf((await playlistOf(viewer.token)).text, 'one')).toContain('tvg-logo="https://tv.example/logos/one.png"');
    await patchSettings(t, { publicBaseUrl: null });
  });

  it('show a new stream path, a channel stream base URL and a new default base URL at the next request', async () => {
    const viewer = await createViewer(t, { packages: ['basic'] });
    const urlOf = async () => (await playlistOf(viewer.token)).text.split('\n').find((l) => l.includes('ticket=') && l.includes('/one/'));
    await patchSettings(t, { defaultStreamBaseUrl: 'http://edge-a.example:8080' });
    expect(await urlOf()).toMatch(/^http:\/\/edge-a\.example:8080\/tv\/one\/index\.m3u8\?ticket=s/);
    await patchSettings(t, { defaultStreamBaseUrl: 'http://edge-b.example' });
    expect(await urlOf()).toMatch(/^http:\/\/edge-b\.example\/tv\/one\/index\.m3u8\?ticket=s/);
    expect((await t.admin.patch('/api/admin/channels/one', { streamPath: '/live/one/index.m3u8' })).status).toBe(200);
    expect(await urlOf()).toMatch(/^http:\/\/edge-b\.example\/live\/one\/index\.m3u8\?ticket=s/);
    expect((await t.admin.patch('/api/admin/channels/one', { streamBaseUrl: 'http://edge-c.example', streamPath: '/tv/one/index.m3u8' })).status).toBe(200);
    expect(await urlOf()).toMatch(/^http:\/\/edge-c\.example\/tv\/one\/index\.m3u8\?ticket=s/);
    expect((await t.admin.patch('/api/admin/channels/one', { streamBaseUrl: null })).status).toBe(200);
  });

  it('drop a disabled channel, a package taken from the account, and refuse a disabled account, at once', async () => {
    const viewer = await createViewer(t, { packages: ['basic', 'films'] });
    const first = await playlistOf(viewer.token);
    expect(infoLineOf(first.text, 'one')).toBeDefined();
    expect(infoLineOf(first.text, 'two')).toBeDefined();
    expect((await t.admin.patch('/api/admin/channels/one', { enabled: false })).status).toBe(200);
    expect(infoLineOf((await playlistOf(viewer.token)).text, 'one')).toBeUndefined();
    expect((await t.admin.patch('/api/admin/channels/one', { enabled: true })).status).toBe(200);
    expect((await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { packages: ['basic'] })).status).toBe(200);
    const fewer = await playlistOf(viewer.token);
    expect(infoLineOf(fewer.text, 'one')).toBeDefined();
    expect(infoLineOf(fewer.text, 'two')).toBeUndefined();
    expect((await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { enabled: false })).status).toBe(200);
    expect((await playlistOf(viewer.token)).status).toBe(403);
  });
});
