import { z } from 'zod';
import { parseIpAddress } from '../net/ip-ranges';
import { issueCode } from '../zod-issue-errors';
import { urlSigningSchemeSchema, type UrlSigningScheme } from './access';
import { accessSecretNames } from './access-settings';

/**
 * Links the CAS hands to customers' devices (playlist, stream info, key URIs, logos) and the
 * channel problems that keep such links from playing.
 */

/** The host of a URL without IPv6 brackets, lower-case. */
function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Whether a URL host names only the machine it is typed on: `localhost` or a loopback address. */
export function isLoopbackUrlHost(hostname: string): boolean {
  const host = bareHost(hostname);
  return host === 'localhost' || host.endsWith('.localhost') || parseIpAddress(host)?.range() === 'loopback';
}

/** Whether a URL host is a wildcard listen address (`0.0.0.0`, `::`), which no device can reach. */
function isWildcardUrlHost(hostname: string): boolean {
  return parseIpAddress(bareHost(hostname))?.range() === 'unspecified';
}

/**
 * The public base URL of the client API, e.g. `http://192.168.1.20:8100`: http(s), a host (and
 * port), nothing after it but an optional `/`. Normalised to the origin (no trailing slash).
 * Loopback hosts pass here; the settings refuse them unless `publicBaseUrlAllowLoopback` is on.
 */
export const publicBaseUrlSchema = z
  .string()
  .trim()
  .max(512, 'At most 512 characters')
  .transform((text, check) => {
    const fail = (code: 'public_url_not_http' | 'public_url_has_credentials' | 'public_url_has_path' | 'public_url_wildcard', message: string) => {
      check.addIssue({ code: 'custom', message, params: issueCode(code) });
      return z.NEVER;
    };
    if (!/^https?:\/\/[^\s]+$/i.test(text)) return fail('public_url_not_http', 'An http:// or https:// address, e.g. http://192.168.1.20:8100');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail('public_url_not_http', 'An http:// or https:// address, e.g. http://192.168.1.20:8100');
    }
    if (url.username || url.password) return fail('public_url_has_credentials', 'No user name or password in the address');
    if (url.pathname !== '/' || url.search || url.hash) return fail('public_url_has_path', 'Only scheme, host and port: nothing after the port but "/"');
    if (isWildcardUrlHost(url.hostname)) return fail('public_url_wildcard', '0.0.0.0 and :: are listen addresses, not reachable ones: use this machine\'s LAN address or name');
    return url.origin;
  });

/** Settings of the links handed to devices (spread into `settingsSchema`). */
export const linksSettingsShape = {
  /** Base URL customers' devices reach the client API at; null uses an address of this machine (see docs). */
  publicBaseUrl: publicBaseUrlSchema.nullable().default(null),
  /** Accept a loopback `publicBaseUrl`: only devices on this machine will reach the links. */
  publicBaseUrlAllowLoopback: z.boolean().default(false),
};

/** Where the base URL of handed-out links came from. */
export const publicBaseUrlSources = ['setting', 'listener', 'lan-address', 'loopback'] as const;
export type PublicBaseUrlSource = (typeof publicBaseUrlSources)[number];

export const publicBaseUrlStatusSchema = z.object({
  /** The `publicBaseUrl` setting. */
  configured: z.string().nullable(),
  /** The base URL every handed-out link uses now. */
  effective: z.string(),
  source: z.enum(publicBaseUrlSources),
  /** The client listener's addresses on this machine's network interfaces (non-internal). */
  suggestions: z.array(z.object({ url: z.string(), interface: z.string() })),
});
export type PublicBaseUrlStatus = z.infer<typeof publicBaseUrlStatusSchema>;

/** The write-only settings a URL-signing scheme signs with. */
export type SigningSecretSetting = (typeof accessSecretNames)[number];

/** The secret setting a scheme needs, or null when the CAS signs without one (`token`: stream tickets). */
export function signingSecretOf(scheme: UrlSigningScheme): SigningSecretSetting | null {
  switch (scheme) {
    case 'astra-id':
    case 'astra-path':
    case 'flussonic':
      return 'securetokenSecret';
    case 'nginx-secure-link':
      return 'secureLinkSecret';
    case 'token':
      return null;
  }
}

/** A problem with a saved channel that does not stop the save; the GUI words it from `code` and `params`. */
export const channelWarningSchema = z.object({
  code: z.literal('signing_secret_missing'),
  params: z.object({ scheme: urlSigningSchemeSchema, setting: z.enum(accessSecretNames) }),
});
export type ChannelWarning = z.infer<typeof channelWarningSchema>;

/** Why a channel's signed links will not play: its scheme's secret is not set. */
export function channelWarnings(scheme: UrlSigningScheme, isSecretSet: (name: SigningSecretSetting) => boolean): ChannelWarning[] {
  const setting = signingSecretOf(scheme);
  return setting && !isSecretSet(setting) ? [{ code: 'signing_secret_missing', params: { scheme, setting } }] : [];
}

/** `GET /api/admin/links`: where handed-out links point, and the channels whose links will not play. */
export const linksHealthSchema = z.object({
  publicBaseUrl: publicBaseUrlStatusSchema,
  brokenChannels: z.array(
    z.object({ id: z.string(), name: z.string(), packages: z.array(z.string()), warnings: z.array(channelWarningSchema) }),
  ),
});
export type LinksHealth = z.infer<typeof linksHealthSchema>;
