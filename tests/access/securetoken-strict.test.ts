import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecuretoken, type SecuretokenPolicy } from '../../src-main/access/url-signing/securetoken';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';

const SECRET = 'strict-securetoken-secret-1';
const TTL = 10_800;
const SKEW = 300;
const VIEWER_IP = '10.20.30.40';

/** sha1(subject . ip . start . end . secret . salt [. user_id]), written out independently of the product code. */
function token(fields: { subject: string; ip?: string; start: number | string; end: number | string; salt?: string; userId?: string; secret?: string }): string {
  const salt = fields.salt ?? 'a5cd6c00';
  const input = `${fields.subject}${fields.ip ?? VIEWER_IP}${fields.start}${fields.end}${fields.secret ?? SECRET}${salt}${fields.userId ?? ''}`;
  return `${createHash('sha1').update(input).digest('hex')}-${salt}-${fields.end}-${fields.start}`;
}

/** Moves the last digit of `start` to the front of `end`: the concatenated hash input is unchanged. */
function shiftDigit(genuine: string): string {
  const [hash, salt, end, start] = genuine.split('-') as [string, string, string, string];
  return `${hash}-${salt}-${start.slice(-1)}${end}-${start.slice(0, -1)}`;
}

describe('verifySecuretoken (unit)', () => {
  const now = 1_795_989_946;
  const policy: SecuretokenPolicy = { subject: 'travel', ip: VIEWER_IP, secrets: [SECRET], nowSeconds: now, skewSeconds: SKEW, maxLifetimeSeconds: TTL + SKEW };
  const issued = { subject: 'travel', start: now - SKEW, end: now + TTL };

  it('accepts a token as the CAS issues it', () => {
    expect(verifySecuretoken(token(issued), policy)).toBe('valid');
  });

  it('refuses a digit moved from start to end, although the hash input is the same string', () => {
    const forged = shiftDigit(token(issued));
    expect(forged.split('-')[2]).toHaveLength(11);
    expect(verifySecuretoken(forged, policy)).toBe('invalid');
  });

  it('refuses a digit moved between the address and start', () => {
    const genuine = token({ ...issued, ip: '10.20.30.4' });
    const [hash, salt, end, start] = genuine.split('-') as [string, string, string, string];
    expect(verifySecuretoken(`${hash}-${salt}-${end}-${start.slice(1)}`, { ...policy, ip: `10.20.30.4${start[0]}` })).toBe('invalid');
  });

  it('refuses padded, signed or upper-case fields and salts of another shape', () => {
    const genuine = token(issued);
    const [hash, salt, end, start] = genuine.split('-') as [string, string, string, string];
    for (const variant of [
      `${hash}-${salt}-0${end}-${start}`,
      `${hash}-${salt}-${end}-+${start}`,
      `${hash.toUpperCase()}-${salt}-${end}-${start}`,
      token({ ...issued, salt: 'a5cd6c' }),
      token({ ...issued, salt: 'a5cd6c0042' }),
      token({ ...issued, salt: 'A5CD6C00' }),
      token({ ...issued, salt: 'zzzzzzzz' }),
    ]) {
      expect(verifySecuretoken(variant, policy), variant).toBe('invalid');
    }
  });

  it('refuses a lifetime longer than the CAS issues, a start in the future and an end before the start', () => {
    expect(verifySecuretoken(token({ ...issued, end: issued.end + 1 }), policy)).toBe('invalid');
    expect(verifySecuretoken(token({ subject: 'travel', start: now + SKEW + 1, end: now + SKEW + 60 }), policy)).toBe('invalid');
    expect(verifySecuretoken(token({ subject: 'travel', start: now, end: now - 1 }), policy)).toBe('invalid');
  });

  it('reports a passed end as expired', () => {
    expect(verifySecuretoken(token(issued), { ...policy, nowSeconds: issued.end + 1 })).toBe('expired');
  });
});

describe('signed tokens over HTTP', () => {
  let t: TestCas;
  let viewer: { id: number; username: string; token: string };
  let other: { id: number };

  const nowSeconds = () => Math.floor(t.clock.now() / 1000);
  const issuedWindow = () => ({ start: nowSeconds() - SKEW, end: nowSeconds() + TTL });

  const flussonic = (tokenText: string, userId?: string) => {
    const qs = `token=${tokenText}${userId === undefined ? '' : `&user_id=${userId}`}`;
    return t.client.get(`/auth/flussonic?name=sport&ip=${VIEWER_IP}&token=${tokenText}&session_id=s${Math.random()}&request_type=new_session&qs=${encodeURIComponent(qs)}`);
  };
  const nginx = (tokenText: string) =>
    t.client.get('/auth/nginx', { 'x-original-uri': `/tv/travel/index.m3u8?token=${tokenText}`, 'x-real-ip': VIEWER_IP });

  beforeAll(async () => {
    t = await startTestCas();
    await patchSettings(t, { securetokenSecret: SECRET, signedUrlTtlSeconds: TTL, signedUrlSkewSeconds: SKEW, sharingMaxAddresses: 0, defaultStreamBaseUrl: 'http://tv.example:8000' });
    await createChannel(t, { id: 'travel', name: 'Travel', packages: ['basic'], streamPath: '/tv/travel/index.m3u8', urlSigning: 'astra-id' });
    await createChannel(t, { id: 'sport', name: 'Sport', packages: ['basic'], urlSigning: 'flussonic' });
    await createChannel(t, { id: 'plain', name: 'Plain', packages: ['basic'], urlSigning: 'token' });
    await createChannel(t, { id: 'premium-sport', name: 'Premium sport', packages: ['premium'], urlSigning: 'flussonic' });
    viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    other = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
  });
  afterAll(async () => {
    await t.dispose();
  });

  /** The salt the CAS gives an Astra token it issues to an account: the account id in 8 hex digits. */
  const saltOf = (accountId: number) => accountId.toString(16).padStart(8, '0');

  it('accepts a genuine Astra token through /auth/astra and /auth/nginx as the account its salt names', async () => {
    const genuine = token({ subject: 'travel', ...issuedWindow(), salt: saltOf(viewer.id) });
    const answer = await astra(t.client, `token=${genuine}`, { ip: VIEWER_IP, channel: 'travel' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-session-name')).toBe(viewer.username);
    expect((await nginx(genuine)).headers.get('x-cas-account')).toBe(viewer.username);
  });

  it('a token naming no account (salt 00000000 for allow-list viewers, or a random salt from Astra\'s PHP recipe) is a signed URL', async () => {
    for (const salt of ['00000000', 'a5cd6c00']) {
      const anonymous = token({ subject: 'travel', ...issuedWindow(), salt });
      expect((await astra(t.client, `token=${anonymous}`, { ip: VIEWER_IP, channel: 'travel' })).headers.get('x-cas-reason')).toBe('signed_url');
    }
  });

  it('checks the account an Astra token names: a disabled account is refused as disabled, an account without the package as not entitled', async () => {
    const disabled = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ofDisabled = token({ subject: 'travel', ...issuedWindow(), salt: saltOf(disabled.id) });
    expect((await astra(t.client, `token=${ofDisabled}`, { ip: VIEWER_IP, channel: 'travel' })).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${disabled.id}`, { enabled: false });
    expect((await astra(t.client, `token=${ofDisabled}`, { ip: VIEWER_IP, channel: 'travel' })).headers.get('x-cas-reason')).toBe('disabled');
    const premiumOnly = await createViewer(t, { packages: ['premium'], maxConnections: 0 });
    const ofPremiumOnly = token({ subject: 'travel', ...issuedWindow(), salt: saltOf(premiumOnly.id) });
    expect((await astra(t.client, `token=${ofPremiumOnly}`, { ip: VIEWER_IP, channel: 'travel' })).headers.get('x-cas-reason')).toBe('not_entitled');
  });

  it('the playlist writes Astra tokens whose salt names the account', async () => {
    const playlist = await t.client.get(`/playlist.m3u8?token=${viewer.token}`, { 'x-forwarded-for': VIEWER_IP });
    const issued = /\/tv\/travel\/index\.m3u8\?token=([0-9a-f-]+)/.exec(playlist.body as string)?.[1] ?? '';
    expect(issued.split('-')[1]).toBe(saltOf(viewer.id));
  });

  it('refuses the digit-shift forgery that would live until the year 3900, through /auth/astra and /auth/nginx', async () => {
    const forged = shiftDigit(token({ subject: 'travel', ...issuedWindow() }));
    expect((await astra(t.client, `token=${forged}`, { ip: VIEWER_IP, channel: 'travel' })).status).toBe(403);
    expect((await nginx(forged)).status).toBe(401);
  });

  it('refuses an overlong lifetime and a future start through /auth/astra', async () => {
    const { start, end } = issuedWindow();
    const overlong = token({ subject: 'travel', start, end: end + 86_400 });
    const future = token({ subject: 'travel', start: nowSeconds() + SKEW + 60, end: nowSeconds() + SKEW + 120 });
    expect((await astra(t.client, `token=${overlong}`, { ip: VIEWER_IP, channel: 'travel' })).headers.get('x-cas-reason')).toBe('bad_credential');
    expect((await astra(t.client, `token=${future}`, { ip: VIEWER_IP, channel: 'travel' })).headers.get('x-cas-reason')).toBe('bad_credential');
  });

  it('refuses a securetoken for a channel whose scheme issues none', async () => {
    const forPlain = token({ subject: 'plain', ...issuedWindow() });
    expect((await astra(t.client, `token=${forPlain}`, { ip: VIEWER_IP, channel: 'plain' })).headers.get('x-cas-reason')).toBe('bad_credential');
  });

  it('accepts a genuine Flussonic token as its account, and refuses it with a missing or another user id', async () => {
    const genuine = token({ subject: 'sport', ...issuedWindow(), userId: String(viewer.id) });
    const ok = await flussonic(genuine, String(viewer.id));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-userid')).toBe(String(viewer.id));
    expect((await flussonic(genuine)).status).toBe(403);
    expect((await flussonic(genuine, String(other.id))).status).toBe(403);
    expect((await flussonic(genuine, `0${viewer.id}`)).status).toBe(403);
  });

  it('refuses a Flussonic token signed without a user id, which would skip every account check', async () => {
    const anonymous = token({ subject: 'sport', ...issuedWindow() });
    expect((await flussonic(anonymous)).headers.get('x-cas-reason')).toBe('bad_credential');
  });

  it('refuses a Flussonic token whose user id was moved into the salt, wholly or in part', async () => {
    const { start, end } = issuedWindow();
    const userId = String(viewer.id * 10 + 7);
    const issuedFor = token({ subject: 'sport', start, end, salt: 'a5cd6c00', userId });
    const [hash] = issuedFor.split('-');
    expect((await flussonic(`${hash}-a5cd6c00${userId}-${end}-${start}`)).status).toBe(403);
    expect((await flussonic(`${hash}-a5cd6c00${userId.slice(0, -1)}-${end}-${start}`, userId.slice(-1))).status).toBe(403);
  });

  it('puts the account a Flussonic token names through the normal account checks', async () => {
    const window = issuedWindow();
    const notEntitled = token({ subject: 'premium-sport', ...window, userId: String(viewer.id) });
    const denied = await t.client.get(
      `/auth/flussonic?name=premium-sport&ip=${VIEWER_IP}&token=${notEntitled}&qs=${encodeURIComponent(`user_id=${viewer.id}`)}`,
    );
    expect(denied.headers.get('x-cas-reason')).toBe('not_entitled');
    const disabled = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    expect((await t.admin.patch(`/api/admin/accounts/${disabled.id}`, { enabled: false })).status).toBe(200);
    const forDisabled = token({ subject: 'sport', ...window, userId: String(disabled.id) });
    expect((await flussonic(forDisabled, String(disabled.id))).headers.get('x-cas-reason')).toBe('disabled');
  });

  it('accepts the tokens the CAS itself issues in stream URLs', async () => {
    for (const [channel, check] of [
      ['travel', (url: URL) => astra(t.client, url.search.slice(1), { ip: VIEWER_IP, channel: 'travel' })],
      ['sport', (url: URL) => flussonic(url.searchParams.get('token')!, url.searchParams.get('user_id')!)],
    ] as const) {
      const answer = await t.admin.get(`/api/admin/access/stream-url?channel=${channel}&account=${viewer.id}&ip=${VIEWER_IP}`);
      expect(answer.status).toBe(200);
      expect((await check(new URL(answer.body.url))).status).toBe(200);
    }
  });
});
