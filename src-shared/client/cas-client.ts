import { isApiErrorBody } from '../errors';
import { base64ToBytes } from '../protocol/device-encoding';
import {
  DEVICE_AUTH_PATH,
  DEVICE_EMM_PATH,
  DEVICE_STREAM_INFO_PATH,
  deviceAuthResponseSchema,
  deviceEcmPath,
  streamInfoSchema,
  type DeviceAuthResponse,
  type StreamInfo,
} from '../protocol/device-auth';
import { signedEnvelopeSchema } from '../protocol/device-envelope';
import type { EcmPayload } from '../protocol/ecm';
import type { EmmPayload } from '../protocol/emm';
import {
  controlWordFromEcm,
  DeviceProtocolError,
  openEcm,
  openEmm,
  PackageKeyRing,
  signedAuthRequest,
  type ControlWord,
  type DeviceKeyPair,
} from './device-crypto';

/** The subset of `fetch` the client uses (Node 18+ and browsers have it). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface CasClientOptions {
  /** The client listener, e.g. `http://cas.example.com:8100`. */
  baseUrl: string;
  username: string;
  /** The account token: the HMAC key of the sign-in (never sent). */
  token: string;
  hwid: string;
  /** The device's X25519 key pair; its public half is registered at sign-in for EMMs. */
  deviceKeys: DeviceKeyPair;
  /**
   * The CAS ed25519 public key (32 bytes) to trust. Pin it when you can; without it the key the
   * first sign-in answer names is trusted from then on (trust on first use).
   */
  casPublicKey?: Uint8Array;
  fetch?: FetchLike;
  /** Milliseconds since the epoch (tests pass a controllable clock). */
  now?: () => number;
}

/** A refusal or failure answered by the CAS, with its code and reason (`replay`, `device_limit`, ...). */
export class CasClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly reason?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CasClientError';
  }
}

/**
 * The reference device client: signs in with token + HWID (HMAC), keeps its session, fetches and
 * verifies EMMs (package keys, opened with the device secret key) and ECMs (control words,
 * opened with the package keys), and so derives the content key of any entitled channel.
 */
export class CasClient {
  readonly ring = new PackageKeyRing();
  #session: { token: string; expiresAt: number } | null = null;
  #casPublicKey: Uint8Array | null;
  /** Server time minus local time, learned from a `ts_out_of_window` refusal (ms). */
  #skewMs = 0;
  readonly #fetch: FetchLike;
  readonly #now: () => number;

  constructor(private readonly options: CasClientOptions) {
    this.#casPublicKey = options.casPublicKey ?? null;
    this.#fetch = options.fetch ?? ((url, init) => (globalThis as unknown as { fetch: FetchLike }).fetch(url, init));
    this.#now = options.now ?? (() => Date.now());
  }

  get casPublicKey(): Uint8Array | null {
    return this.#casPublicKey;
  }

  get session(): { token: string; expiresAt: number } | null {
    return this.#session;
  }

  /** Signs in (retrying once with the server's time if the local clock is off). */
  async auth(): Promise<DeviceAuthResponse> {
    try {
      return await this.#auth();
    } catch (error) {
      if (error instanceof CasClientError && error.reason === 'ts_out_of_window' && typeof error.details?.serverTime === 'number') {
        this.#skewMs = error.details.serverTime * 1000 - this.#now();
        return this.#auth();
      }
      throw error;
    }
  }

  async #auth(): Promise<DeviceAuthResponse> {
    const { username, token, hwid, deviceKeys } = this.options;
    const body = signedAuthRequest({
      username,
      token,
      hwid,
      ts: Math.floor((this.#now() + this.#skewMs) / 1000),
      devicePublicKey: deviceKeys.publicKey,
    });
    const answer = deviceAuthResponseSchema.parse(await this.#request('POST', DEVICE_AUTH_PATH, body, false));
    const announced = base64ToBytes(answer.casPublicKey);
    if (!announced || announced.length !== 32) throw new DeviceProtocolError('The CAS public key is malformed');
    if (this.#casPublicKey && !sameBytes(this.#casPublicKey, announced)) {
      throw new DeviceProtocolError('The CAS announced a different signing key than the pinned one');
    }
    this.#casPublicKey = announced;
    this.#session = { token: answer.session.token, expiresAt: Date.parse(answer.session.expiresAt) };
    return answer;
  }

  async streamInfo(): Promise<StreamInfo> {
    return streamInfoSchema.parse(await this.#request('GET', DEVICE_STREAM_INFO_PATH));
  }

  /** Fetches the EMM, verifies it, opens it and adds its package keys to the ring. */
  async refreshEmm(): Promise<EmmPayload> {
    const envelope = signedEnvelopeSchema.parse(await this.#request('GET', DEVICE_EMM_PATH));
    const { payload, keys } = openEmm(envelope, this.#trustedKey(), this.options.deviceKeys);
    this.ring.add(keys);
    this.ring.prune(Math.floor(this.#now() / 1000));
    return payload;
  }

  /** Fetches and verifies a channel's ECM. */
  async ecm(channelId: string): Promise<EcmPayload> {
    const envelope = signedEnvelopeSchema.parse(await this.#request('GET', deviceEcmPath(channelId)));
    return openEcm(envelope, this.#trustedKey());
  }

  /**
   * The control word (AES-128 key and IV) of a channel's period — the current one unless named —
   * through the ECM and the package keys of the EMM alone. Fetches a fresh EMM when the ring
   * holds no key that opens the ECM.
   */
  async controlWord(channelId: string, select: { period?: number } = {}): Promise<ControlWord> {
    if (!this.#session) await this.auth();
    const ecm = await this.ecm(channelId);
    const which = { period: select.period, atSeconds: Math.floor((this.#now() + this.#skewMs) / 1000) };
    let word = controlWordFromEcm(ecm, this.ring, which);
    if (!word) {
      await this.refreshEmm();
      word = controlWordFromEcm(ecm, this.ring, which);
    }
    if (!word) throw new DeviceProtocolError(`No package key of this device opens the ECM of "${channelId}"`);
    return word;
  }

  #trustedKey(): Uint8Array {
    if (!this.#casPublicKey) throw new DeviceProtocolError('Sign in first (or pin the CAS public key)');
    return this.#casPublicKey;
  }

  async #request(method: string, path: string, body?: unknown, withSession = true): Promise<unknown> {
    try {
      return await this.#send(method, path, body, withSession);
    } catch (error) {
      // An expired or revoked session: sign in again once, then retry (a long-running player).
      if (withSession && error instanceof CasClientError && error.reason === 'session_invalid') {
        await this.auth();
        return this.#send(method, path, body, withSession);
      }
      throw error;
    }
  }

  async #send(method: string, path: string, body: unknown, withSession: boolean): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (withSession) {
      if (!this.#session) throw new DeviceProtocolError('Sign in first');
      headers.authorization = `Bearer ${this.#session.token}`;
    }
    const response = await this.#fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const parsed = await response.json().catch(() => null);
    if (response.status >= 400) {
      if (isApiErrorBody(parsed)) {
        const e = parsed.error;
        throw new CasClientError(e.message, response.status, e.code, e.reason, e.details);
      }
      throw new CasClientError(`HTTP ${response.status}`, response.status, 'http');
    }
    return parsed;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
