import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import { AdminSessions } from '../admin-auth/admin-sessions';
import { AccountService } from '../accounts/account-service';
import { PackageService } from '../packages/package-service';
import { ChannelService } from '../channels/channel-service';
import { ApiKeyService } from '../api-keys/api-key-service';
import { statement } from '../db/statements';
import { AccessService } from '../access/access-service';
import type { UrlSigner } from '../access/url-signing/url-signer';
import { createKeyService, type KeyService } from '../keys/key-service';
import { DeviceServices } from '../devices/device-services';
import { BackupService } from '../backups/backup-service';

/**
 * The long-lived services of one running CAS, created once and shared by both listeners
 * (caches live here, not in route modules). Each capability adds its own.
 */
export interface CasServices {
  sessions: AdminSessions;
  accounts: AccountService;
  packages: PackageService;
  channels: ChannelService;
  apiKeys: ApiKeyService;
  /** Content keys: control words, package keys, rotation (see src-main/keys/key-service.ts). */
  keys: KeyService;
  /** Viewer access decisions (AccessDecider), IP lists, viewing sessions, access log (src-main/access/). */
  access: AccessService;
  /** Signs stream/segment URLs per channel scheme: Astra/Flussonic securetoken, nginx secure_link, token. */
  urlSigner: UrlSigner;
  /** Devices: HMAC sign-in, sessions, ECM/EMM (signing key, caches), stream info, logos (src-main/devices/). */
  devices: DeviceServices;
  /** Online backups, on demand and on a schedule (src-main/backups/). */
  backups: BackupService;
}

export function createServices(ctx: CasContext, background: BackgroundTasks): CasServices {
  background.every('admin-session-sweep', 3_600_000, () => {
    statement(ctx.db, 'DELETE FROM admin_sessions WHERE expires_at <= ?').run(ctx.clock.now());
  });
  const access = new AccessService(ctx, background);
  const keys = createKeyService(ctx, background);
  const backups = new BackupService(ctx);
  backups.schedule(background);
  return {
    access,
    urlSigner: access.urlSigner,
    sessions: new AdminSessions(ctx),
    accounts: new AccountService(ctx),
    packages: new PackageService(ctx),
    channels: new ChannelService(ctx),
    apiKeys: new ApiKeyService(ctx),
    keys,
    devices: new DeviceServices(ctx, background, keys, access),
    backups,
  };
}
