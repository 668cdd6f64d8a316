import nacl from 'tweetnacl';
import sealedbox from 'tweetnacl-sealedbox-js';
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { base64ToBytes, bytesToBase64, bytesToHex, utf8Decode, utf8Encode } from '../protocol/device-encoding';
import { deviceAuthMessage, type DeviceAuthRequest } from '../protocol/device-auth';
import { ECM_FORMAT, EMM_FORMAT, envelopeSignedBytes, type EnvelopeFormat, type SignedEnvelope } from '../protocol/device-envelope';
import { ecmPayloadSchema, type EcmPayload } from '../protocol/ecm';
import { emmPayloadSchema, emmSecretSchema, type EmmPackageKey, type EmmPayload } from '../protocol/emm';

/**
 * The cryptography of the device protocol, pure (tweetnacl, its sealed-box add-on and
 * @noble/hashes): runs the same in Node and in browsers.
 */
export class DeviceProtocolError extends Error {}

/** The device's X25519 key pair for EMM sealed boxes (nacl.box keys). */
export interface DeviceKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateDeviceKeyPair(): DeviceKeyPair {
  return nacl.box.keyPair();
}

export function deviceKeyPairFromSecret(secretKey: Uint8Array): DeviceKeyPair {
  return nacl.box.keyPair.fromSecretKey(secretKey);
}

/** 24 random bytes as base64url (32 characters), a fresh sign-in nonce. */
export function randomNonce(): string {
  return bytesToBase64(nacl.randomBytes(24)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** hex(HMAC-SHA256(token, username \n hwid \n ts \n nonce)). */
export function deviceAuthSignature(token: string, username: string, hwid: string, ts: number, nonce: string): string {
  return bytesToHex(hmac(sha256, utf8Encode(token), utf8Encode(deviceAuthMessage(username, hwid, ts, nonce))));
}

/** A complete sign-in request body. */
export function signedAuthRequest(options: {
  username: string;
  token: string;
  hwid: string;
  ts: number;
  nonce?: string;
  devicePublicKey?: Uint8Array;
}): DeviceAuthRequest {
  const nonce = options.nonce ?? randomNonce();
  return {
    username: options.username,
    hwid: options.hwid,
    ts: options.ts,
    nonce,
    sig: deviceAuthSignature(options.token, options.username, options.hwid, options.ts, nonce),
    ...(options.devicePublicKey ? { devicePublicKey: bytesToBase64(options.devicePublicKey) } : {}),
  };
}

function decode(text: string, what: string): Uint8Array {
  const bytes = base64ToBytes(text);
  if (!bytes) throw new DeviceProtocolError(`${what} is not base64`);
  return bytes;
}

/** Verifies the envelope's ed25519 signature with the CAS public key; returns the payload JSON. */
export function openEnvelope(envelope: SignedEnvelope, format: EnvelopeFormat, casPublicKey: Uint8Array): unknown {
  if (envelope.format !== format) throw new DeviceProtocolError(`Expected a ${format} envelope, got ${envelope.format}`);
  const payload = decode(envelope.payload, 'payload');
  const signature = decode(envelope.signature, 'signature');
  if (signature.length !== nacl.sign.signatureLength || casPublicKey.length !== nacl.sign.publicKeyLength) {
    throw new DeviceProtocolError('Malformed signature or public key');
  }
  if (!nacl.sign.detached.verify(envelopeSignedBytes(format, payload), signature, casPublicKey)) {
    throw new DeviceProtocolError(`The ${format} signature does not verify with the CAS public key`);
  }
  return JSON.parse(utf8Decode(payload));
}

/** Verifies an EMM and opens its sealed box with the device's X25519 secret key. */
export function openEmm(
  envelope: SignedEnvelope,
  casPublicKey: Uint8Array,
  device: DeviceKeyPair,
): { payload: EmmPayload; keys: EmmPackageKey[] } {
  const payload = emmPayloadSchema.parse(openEnvelope(envelope, EMM_FORMAT, casPublicKey));
  const opened = sealedbox.open(decode(payload.sealed, 'sealed'), device.publicKey, device.secretKey);
  if (!opened) throw new DeviceProtocolError('The EMM is sealed to another device key');
  const secret = emmSecretSchema.parse(JSON.parse(utf8Decode(opened)));
  return { payload, keys: secret.keys };
}

/** Verifies an ECM and reads its payload. */
export function openEcm(envelope: SignedEnvelope, casPublicKey: Uint8Array): EcmPayload {
  return ecmPayloadSchema.parse(openEnvelope(envelope, ECM_FORMAT, casPublicKey));
}

/** Package keys a device holds, by (package, epoch). */
export class PackageKeyRing {
  readonly #keys = new Map<string, { key: Uint8Array; end: number }>();

  add(keys: readonly EmmPackageKey[]): void {
    for (const k of keys) {
      const key = decode(k.key, 'package key');
      if (key.length !== nacl.secretbox.keyLength) throw new DeviceProtocolError('A package key must be 32 bytes');
      this.#keys.set(`${k.package}:${k.epoch}`, { key, end: k.end });
    }
  }

  get(packageId: string, epoch: number): Uint8Array | undefined {
    return this.#keys.get(`${packageId}:${epoch}`)?.key;
  }

  /** Drops keys whose epoch ended before `nowSeconds - graceSeconds`. */
  prune(nowSeconds: number, graceSeconds = 3600): void {
    for (const [id, entry] of this.#keys) if (entry.end < nowSeconds - graceSeconds) this.#keys.delete(id);
  }

  get size(): number {
    return this.#keys.size;
  }
}

export interface ControlWord {
  channel: string;
  period: number;
  generation: number;
  /** Unix seconds. */
  start: number;
  end: number;
  /** The 16-byte AES-128 key. */
  key: Uint8Array;
  /** The 16-byte AES-CBC IV of the period. */
  iv: Uint8Array;
  /** Which package key opened it. */
  package: string;
  epoch: number;
}

/**
 * The control word of a period from an ECM (the period covering `atSeconds` unless `period` is
 * given), opened with any package key the ring holds; null when none of them opens it.
 */
export function controlWordFromEcm(
  ecm: EcmPayload,
  ring: PackageKeyRing,
  select: { period?: number; atSeconds?: number },
): ControlWord | null {
  const entry =
    select.period !== undefined
      ? ecm.periods.find((p) => p.period === select.period)
      : ecm.periods.find((p) => p.start <= select.atSeconds! && select.atSeconds! < p.end);
  if (!entry) return null;
  for (const k of entry.keys) {
    const packageKey = ring.get(k.package, k.epoch);
    if (!packageKey) continue;
    const word = nacl.secretbox.open(decode(k.box, 'box'), decode(k.nonce, 'nonce'), packageKey);
    if (!word) continue;
    const iv = new Uint8Array(16);
    for (let i = 0; i < 16; i++) iv[i] = parseInt(entry.iv.slice(i * 2, i * 2 + 2), 16);
    return {
      channel: ecm.channel,
      period: entry.period,
      generation: entry.generation,
      start: entry.start,
      end: entry.end,
      key: word,
      iv,
      package: k.package,
      epoch: k.epoch,
    };
  }
  return null;
}
