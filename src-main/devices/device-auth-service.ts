import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { isoOrNull } from '../kernel/clock';
import { accountByUsername, type AccountRow } from '../accounts/account-queries';
import type { AccessService, DeviceAdmission } from '../access/access-service';
import type { RefusalReason } from '../access/access-types';
import type { ViewerAccount } from '../access/viewer-directory';
import { tokenOf } from '../accounts/account-service';
import { ApiError, ForbiddenError, UnauthorizedError } from '../../src-shared/errors';
import { parseIpAddress } from '../../src-shared/net/ip-ranges';
import { base64ToBytes, bytesToBase64 } from '../../src-shared/protocol/device-encoding';
import { deviceAuthMessage, type DeviceAuthRequest } from '../../src-shared/protocol/device-auth';
import { consumeNonce } from './device-queries';
import { deviceCount, deviceOf, insertDevice, setDeviceBoxKey, touchDevice } from '../accounts/account-device-queries';
import type { DeviceSessions } from './device-sessions';
import { GroupCommit } from '../db/group-commit';

/** Used when the username is unknown, so that case costs the same HMAC as a wrong signature. */
const DUMMY_KEY = Buffer.alloc(32, 0x5a);

interface SignedInDevice {
  account: AccountRow;
  /** The account as the access decision sees it (packages, allowed IPs). */
  viewer: ViewerAccount;
  deviceId: number;
  hwid: string;
  /** The address it signed in from (stream URLs are signed for it). */
  ip: string;
  boxPublicKey: Uint8Array | null;
  session: { token: string; expiresAt: number };
}

interface DeviceSignInResult {
  session: { token: string; expiresAt: string; expiresIn: number };
  serverTime: number;
  device: { id: number; hwid: string; boxPublicKey: string | null };
  account: { username: string; expiresAt: string | null };
}

/** The viewer's address as text, IPv4-mapped IPv6 unwrapped. */
function normalizedIp(ip: string): string {
  return parseIpAddress(ip)?.toString() ?? ip;
}

const REFUSALS: Partial<Record<RefusalReason, string>> = {
  connection_limit: 'The account is at its connection limit',
  session_ended: 'This connection was ended; try again later',
  ip_denied: 'This address is on the deny list',
  disabled: 'The account is disabled',
  expired: 'The account has expired',
  ip_not_allowed: 'The account may not be used from this address',
  suspended: 'The account is suspended',
};

/** A refused device (403 `access_refused`), the reason in `reason` and in the params. */
export function accessRefusal(reason: RefusalReason): ForbiddenError<'access_refused'> {
  return new ForbiddenError('access_refused', { reason }, REFUSALS[reason] ?? `Refused (${reason})`, reason);
}

/**
 * Device sign-in by account token + HWID with an HMAC signature (reference manual 000):
 * signature, time window, nonce replay, account state and IP, then the HWID binding under the
 * account's device limit; answers a short-lived device session.
 */
type SignInOutcome = SignedInDevice | 'replay' | 'device_limit' | Extract<DeviceAdmission, { ok: false }>;

export class DeviceAuthService {
  readonly #commits: GroupCommit<SignInOutcome>;

  constructor(
    private readonly ctx: CasContext,
    private readonly sessions: DeviceSessions,
    private readonly access: AccessService,
  ) {
    this.#commits = new GroupCommit(ctx.db);
  }

  /** Signs a device in; every attempt is counted for `/metrics` by its result (ok or the refusal reason). */
  async signIn(input: DeviceAuthRequest, rawIp: string): Promise<SignedInDevice> {
    try {
      const signedIn = await this.#signIn(input, rawIp);
      this.ctx.metrics.deviceSignIns.inc({ result: 'ok' });
      return signedIn;
    } catch (error) {
      const refused: ApiError | null = error instanceof ApiError ? error : null;
      this.ctx.metrics.deviceSignIns.inc({ result: refused ? (refused.extra.reason ?? refused.code) : 'error' });
      throw error;
    }
  }

  async #signIn(input: DeviceAuthRequest, rawIp: string): Promise<SignedInDevice> {
    const { db, clock, settings } = this.ctx;
    const ip = normalizedIp(rawIp);
    const now = clock.now();
    const account = accountByUsername(db, input.username);
    const key = account ? Buffer.from(tokenOf(this.ctx, account), 'utf8') : DUMMY_KEY;
    const expected = createHmac('sha256', key).update(deviceAuthMessage(input.username, input.hwid, input.ts, input.nonce), 'utf8').digest();
    const given = Buffer.from(input.sig, 'hex');
    // Both are 32 bytes (the schema fixes the signature at 64 hex digits).
    const signatureOk = timingSafeEqual(expected, given);
    if (!account || !signatureOk) throw new UnauthorizedError('device_signature_wrong', {}, 'Unknown user or wrong signature', 'bad_credential');

    const windowSeconds = settings.get().deviceAuthWindowSeconds;
    const nowSeconds = Math.floor(now / 1000);
    if (Math.abs(nowSeconds - input.ts) > windowSeconds) {
      throw new ApiError(401, 'device_clock_skew', { windowSeconds, serverTime: nowSeconds }, `ts is more than ${windowSeconds} s away from the server time`, {
        reason: 'ts_out_of_window',
        field: 'ts',
        details: { serverTime: nowSeconds },
      });
    }
    // Kept until the timestamp itself has left the window: after that the ts check refuses it.
    const nonceExpiresAt = (Math.max(input.ts, nowSeconds) + windowSeconds + 1) * 1000;
    const replay = () => new UnauthorizedError('nonce_reused', {}, 'This nonce was already used', 'replay');

    // Deny list, enabled, expiry, suspension and the account's allowed IPs: the access decision's rules.
    const verdict = await this.access.authenticateViewer({ kind: 'account', accountId: account.id }, ip, 'device-auth');
    if (!verdict.ok) {
      // A refused request uses its nonce up too, so it cannot be replayed once the refusal is lifted.
      if (!consumeNonce(db, account.id, input.nonce, nonceExpiresAt)) throw replay();
      throw accessRefusal(verdict.reason);
    }

    const boxKey = input.devicePublicKey ? base64ToBytes(input.devicePublicKey) : null;
    // One transaction for the nonce, the HWID binding and the session, committed (one fsync)
    // together with the other sign-ins of this turn of the event loop.
    const outcome = await this.#commits.run((): SignInOutcome => {
      if (!consumeNonce(db, account.id, input.nonce, nonceExpiresAt)) return 'replay';
      let device = deviceOf(db, account.id, input.hwid);
      if (!device) {
        if (account.max_devices > 0 && deviceCount(db, account.id) >= account.max_devices) return 'device_limit';
        insertDevice(db, account.id, input.hwid, now, ip);
        device = deviceOf(db, account.id, input.hwid)!;
      } else {
        touchDevice(db, device.id, now, ip);
      }
      let boxPublicKey: Uint8Array | null = device.box_public_key;
      if (boxKey && !(boxPublicKey && Buffer.from(boxPublicKey).equals(Buffer.from(boxKey)))) {
        setDeviceBoxKey(db, device.id, boxKey, now);
        boxPublicKey = boxKey;
      }
      // The connection counts against the account's limit like a viewer's session (a refusal
      // still commits the nonce and the binding).
      const admitted = this.access.admitDevice(verdict.account, { deviceId: device.id, hwid: device.hwid, signInIp: ip }, ip, null);
      if (!admitted.ok) return admitted;
      const session = this.sessions.open(device.id, account.id, ip);
      return { account, viewer: verdict.account, deviceId: device.id, hwid: device.hwid, ip, boxPublicKey, session };
    });
    if (outcome === 'replay') throw replay();
    if (outcome === 'device_limit') {
      throw new ForbiddenError('device_limit', { max: account.max_devices }, `The account already has ${account.max_devices} device(s); unbind one to use this device`, 'device_limit');
    }
    if ('ok' in outcome) throw accessRefusal(outcome.reason);
    return outcome;
  }

  static describe(signedIn: SignedInDevice, now: number): DeviceSignInResult {
    return {
      session: {
        token: signedIn.session.token,
        expiresAt: new Date(signedIn.session.expiresAt).toISOString(),
        expiresIn: Math.floor((signedIn.session.expiresAt - now) / 1000),
      },
      serverTime: Math.floor(now / 1000),
      device: {
        id: signedIn.deviceId,
        hwid: signedIn.hwid,
        boxPublicKey: signedIn.boxPublicKey ? bytesToBase64(signedIn.boxPublicKey) : null,
      },
      account: { username: signedIn.account.username, expiresAt: isoOrNull(signedIn.account.expires_at) },
    };
  }
}

