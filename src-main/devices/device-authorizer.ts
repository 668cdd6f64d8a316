import type { Context } from 'koa';
import type { AccessService } from '../access/access-service';
import { parseDeviceSessionKey, type ViewingSessions } from '../access/viewing-sessions';
import { callerAddress } from '../access/caller-address';
import type { ViewerAccount } from '../access/viewer-directory';
import { UnauthorizedError } from '../../src-shared/errors';
import { accessRefusal } from './device-auth-service';
import type { DeviceCaller, DeviceSessions } from './device-sessions';

/** A device request that passed both the session check and the access decision's account checks. */
interface AuthorizedDevice extends DeviceCaller {
  account: ViewerAccount;
  hwid: string;
  ip: string;
}

/**
 * Lets a signed-in device's request through: its bearer session, its account under the access
 * decision's rules, its connection under the account's limit. Created once in `createServices`.
 */
export class DeviceAuthorizer {
  constructor(
    private readonly sessions: DeviceSessions,
    private readonly access: AccessService,
    viewingSessions: ViewingSessions,
  ) {
    // A device connection ended by anything but silence (over the limit, an operator, the
    // account's state) ends its bearer sessions: no more ECMs or EMMs until it signs in again.
    viewingSessions.onEnd((session) => {
      const connection = session.endReason === 'idle' ? null : parseDeviceSessionKey(session.key);
      if (connection) this.sessions.endConnection(session.accountId, connection.deviceId, connection.signInIp);
    });
  }

  /**
   * The session bearer, then the account's state (deny list, enabled, expiry, suspension, IPs),
   * then the device's connection under the account's limit (`channelId`: the ECM asked for).
   */
  async authorize(koa: Context, source: string, channelId: string | null = null): Promise<AuthorizedDevice> {
    const caller = this.sessions.authenticate(koa);
    const ip = callerAddress(koa);
    const verdict = await this.access.authenticateViewer({ kind: 'account', accountId: caller.accountId }, ip, source);
    if (!verdict.ok) throw accessRefusal(verdict.reason);
    const { device } = caller;
    if (!device) throw new UnauthorizedError('device_unbound', {}, 'The device was unbound; sign in again', 'session_invalid');
    const admitted = this.access.admitDevice(verdict.account, { deviceId: caller.deviceId, hwid: device.hwid, signInIp: caller.signInIp }, ip, channelId);
    if (!admitted.ok) throw accessRefusal(admitted.reason);
    return { ...caller, account: verdict.account, hwid: device.hwid, ip };
  }
}
