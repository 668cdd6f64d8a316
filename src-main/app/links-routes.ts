import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { ViewerDirectory } from '../access/viewer-directory';
import { publicBaseUrlStatus } from '../kernel/public-base-url';
import { channelWarnings, linksHealthSchema, type LinksHealth } from '../../src-shared/schemas/links';

/** Channels whose handed-out links will not play now: their signing scheme's secret is not set. */
function brokenChannels(ctx: CasContext, directory: ViewerDirectory): LinksHealth['brokenChannels'] {
  const isSet = (name: Parameters<CasContext['settings']['secret']>[0]) => ctx.settings.secret(name) !== null;
  return directory.channels().flatMap((channel) => {
    const warnings = channelWarnings(channel.urlSigning, isSet);
    return warnings.length > 0 ? [{ id: channel.id, name: channel.name, packages: channel.packages, warnings }] : [];
  });
}

/** `GET /api/admin/links`: the base URL of every link handed to devices (and where it came from), and the broken channels. */
export function registerLinksRoutes(api: ApiRouter, ctx: CasContext, directory: ViewerDirectory): void {
  api.route(
    {
      method: 'get',
      path: '/api/admin/links',
      summary: 'Where handed-out links point (the publicBaseUrl setting or the address used instead, with LAN suggestions) and channels whose links will not play',
      tag: 'Settings',
      access: 'read',
      response: linksHealthSchema,
    },
    () => ({ publicBaseUrl: publicBaseUrlStatus(ctx), brokenChannels: brokenChannels(ctx, directory) }),
  );
}
