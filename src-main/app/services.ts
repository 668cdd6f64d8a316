import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import { Diagnostics } from '../kernel/diagnostics';
import { AdminSessions } from '../admin-auth/admin-sessions';
import { AccountService } from '../accounts/account-service';
import { PackageService } from '../packages/package-service';
import { ChannelService } from '../channels/channel-service';
import { ApiKeyService } from '../api-keys/api-key-service';
import { deleteExpiredAdminSessions } from '../admin-auth/admin-session-queries';
import { AccessService } from '../access/access-service';
import { ViewerDirectory } from '../access/viewer-directory';
import { IpLists } from '../access/ip-lists';
import { ViewingSessions } from '../access/viewing-sessions';
import { SharingDetector } from '../access/sharing';
import { KeyTickets } from '../access/viewer-tickets';
import { UrlSigner } from '../access/url-signing/url-signer';
import { createKeyService, type KeyService } from '../keys/key-service';
import { OriginPlaylists } from '../hls/origin-playlists';
import { DeviceSessions } from '../devices/device-sessions';
import { DeviceAuthService } from '../devices/device-auth-service';
import { DeviceAuthorizer } from '../devices/device-authorizer';
import { CasSigningKey } from '../devices/ecm-emm/signing-key';
import { EcmService } from '../devices/ecm-emm/ecm-service';
import { EmmService } from '../devices/ecm-emm/emm-service';
import { StreamInfoService } from '../devices/stream-info/stream-info-service';
import { LogoService } from '../logos/logo-service';
import { BackupService } from '../backups/backup-service';

/**
 * The long-lived services of one running CAS, created once and shared by both listeners
 * (caches live here, not in route modules). Each route registrar gets only the few it uses.
 */
export interface CasServices {
  /** Counts of internal work (decisions, scrypt checks, ECM/EMM builds) for tests and benchmarks. */
  diagnostics: Diagnostics;
  /** Admin sign-in sessions. */
  sessions: AdminSessions;
  accounts: AccountService;
  packages: PackageService;
  channels: ChannelService;
  apiKeys: ApiKeyService;
  /** Content keys: control words, package keys, rotation (see src-main/keys/key-service.ts). */
  keys: KeyService;
  /** The viewer access decision (AccessDecider): credentials, account state, limits, the access log. */
  access: AccessService;
  /** Accounts and channels as the decision path reads them, in memory. */
  directory: ViewerDirectory;
  ipLists: IpLists;
  viewingSessions: ViewingSessions;
  sharing: SharingDetector;
  /** The tickets the CAS writes into URLs instead of any credential. */
  tickets: KeyTickets;
  /** Signs stream/segment URLs per channel scheme: Astra/Flussonic securetoken, nginx secure_link, token. */
  urlSigner: UrlSigner;
  deviceSessions: DeviceSessions;
  deviceAuth: DeviceAuthService;
  /** Lets signed-in devices' requests through (bearer, account state, connection limit). */
  deviceAuthorizer: DeviceAuthorizer;
  /** The CAS ed25519 key that signs ECMs and EMMs. */
  signingKey: CasSigningKey;
  ecm: EcmService;
  emm: EmmService;
  streamInfo: StreamInfoService;
  /** Origin playlists of `/hls/...`, shared between viewers for a moment. */
  originPlaylists: OriginPlaylists;
  logos: LogoService;
  /** Online backups, on demand and on a schedule (src-main/backups/). */
  backups: BackupService;
}

export function createServices(ctx: CasContext, background: BackgroundTasks): CasServices {
  background.every('admin-session-sweep', 3_600_000, () => {
    deleteExpiredAdminSessions(ctx.db, ctx.clock.now());
  });
  const diagnostics = new Diagnostics();
  const directory = new ViewerDirectory(ctx, diagnostics);
  const ipLists = new IpLists(ctx);
  const viewingSessions = new ViewingSessions(ctx.db, ctx.clock.now());
  const sharing = new SharingDetector(ctx);
  const tickets = new KeyTickets(ctx);
  const urlSigner = new UrlSigner(ctx, directory, tickets);
  const access = new AccessService(ctx, { directory, ipLists, sessions: viewingSessions, sharing, urlSigner, tickets, diagnostics }, background);
  const keys = createKeyService(ctx, background, diagnostics);
  const backups = new BackupService(ctx);
  backups.schedule(background);
  const deviceSessions = new DeviceSessions(ctx, diagnostics);
  background.every('device-sweep', 60_000, () => deviceSessions.sweep());
  const signingKey = new CasSigningKey(ctx);
  return {
    diagnostics,
    sessions: new AdminSessions(ctx),
    accounts: new AccountService(ctx),
    packages: new PackageService(ctx),
    channels: new ChannelService(ctx),
    apiKeys: new ApiKeyService(ctx),
    keys,
    access,
    directory,
    ipLists,
    viewingSessions,
    sharing,
    tickets,
    urlSigner,
    deviceSessions,
    deviceAuth: new DeviceAuthService(ctx, deviceSessions, access),
    deviceAuthorizer: new DeviceAuthorizer(deviceSessions, access, viewingSessions),
    signingKey,
    ecm: new EcmService(ctx, keys.controlWords, keys.packageEpochs, directory, signingKey, diagnostics),
    emm: new EmmService(keys.packageEpochs, signingKey, diagnostics, ctx.clock),
    streamInfo: new StreamInfoService(ctx, directory, urlSigner, keys.controlWords),
    originPlaylists: new OriginPlaylists(ctx, diagnostics),
    logos: new LogoService(ctx),
    backups,
  };
}
