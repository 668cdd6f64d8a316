import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import type { AccessService } from '../access/access-service';
import { parseDeviceSessionKey } from '../access/viewing-sessions';
import { callerAddress } from '../access/caller-address';
import type { ViewerAccount } from '../access/viewer-directory';
import type { KeyService } from '../keys/key-service';
import { ForbiddenError, UnauthorizedError } from '../../src-shared/errors';
import { CasSigningKey } from './ecm-emm/signing-key';
import { EcmService } from './ecm-emm/ecm-service';
import { EmmService } from './ecm-emm/emm-service';
import { StreamInfoService } from './stream-info/stream-info-service';
import { LogoService } from '../logos/logo-service';
import { DeviceAuthService, refusalMessage } from './device-auth-service';
import { DeviceSessions, type DeviceCaller } from './device-sessions';
import { deviceById, sweepDeviceSessions, sweepNonces } from './device-queries';

/** A device request that passed both the session check and the access decision's account checks. */
export interface AuthorizedDevice extends DeviceCaller {
  account: ViewerAccount;
  hwid: string;
  ip: string;
}

/**
 * Everything devices talk to: sign-in and sessions, the CAS signing key, ECM/EMM with their
 * caches, stream info and logos. Created once in `createServices`.
 */
export class DeviceServices {
  readonly sessions: DeviceSessions;
  readonly auth: DeviceAuthService;
  readonly signingKey: CasSigningKey;
  readonly ecm: EcmService;
  readonly emm: EmmService;
  readonly streamInfo: StreamInfoService;
  readonly logos: LogoService;

  constructor(
    private readonly ctx: CasContext,
    background: BackgroundTasks,
    readonly keys: KeyService,
    readonly access: AccessService,
  ) {
    this.sessions = new DeviceSessions(ctx);
    this.auth = new DeviceAuthService(ctx, this.sessions, access);
    this.signingKey = new CasSigningKey(ctx);
    this.ecm = new EcmService(ctx, keys.controlWords, keys.packageEpochs, access.directory, this.signingKey);
    this.emm = new EmmService(ctx, keys.packageEpochs, this.signingKey);
    this.streamInfo = new StreamInfoService(ctx, access, keys.controlWords);
    this.logos = new LogoService(ctx);
    background.every('device-sweep', 60_000, () => this.sweep());
    // A device connection ended by anything but silence (over the limit, an operator, the
    // account's state) ends its bearer sessions: no more ECMs or EMMs until it signs in again.
    access.sessions.onEnd((session) => {
      const connection = session.endReason === 'idle' ? null : parseDeviceSessionKey(session.key);
      if (connection) this.sessions.endConnection(session.accountId, connection.deviceId, connection.signInIp);
    });
  }

  /** Forgets nonces whose timestamps left the window and sessions that expired. */
  sweep(): { nonces: number; sessions: number } {
    const now = this.ctx.clock.now();
    return { nonces: sweepNonces(this.ctx.db, now), sessions: sweepDeviceSessions(this.ctx.db, now) };
  }

  /**
   * The session bearer, then the account's state (deny list, enabled, expiry, suspension, IPs),
   * then the device's connection under the account's limit (`channelId`: the ECM asked for).
   */
  async authorize(koa: Context, source: string, channelId: string | null = null): Promise<AuthorizedDevice> {
    const caller = this.sessions.authenticate(koa);
    const ip = callerAddress(koa);
    const verdict = await this.access.authenticateViewer({ kind: 'account', accountId: caller.accountId }, ip, source);
    if (!verdict.ok) throw new ForbiddenError(refusalMessage(verdict.reason), verdict.reason);
    const device = deviceById(this.ctx.db, caller.deviceId);
    if (!device) throw new UnauthorizedError('The device was unbound; sign in again', 'session_invalid');
    const admitted = this.access.admitDevice(verdict.account, { deviceId: device.id, hwid: device.hwid, signInIp: caller.signInIp }, ip, channelId);
    if (!admitted.ok) throw new ForbiddenError(refusalMessage(admitted.reason), admitted.reason);
    return { ...caller, account: verdict.account, hwid: device.hwid, ip };
  }
}
