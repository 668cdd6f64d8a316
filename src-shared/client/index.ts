/** The reference device client of IPTV CAS Studio (pure: Node 20+ and browsers). */
export { CasClient, CasClientError, type CasClientOptions, type FetchLike } from './cas-client';
export {
  controlWordFromEcm,
  deviceAuthSignature,
  deviceKeyPairFromSecret,
  DeviceProtocolError,
  generateDeviceKeyPair,
  openEcm,
  openEmm,
  openEnvelope,
  PackageKeyRing,
  randomNonce,
  signedAuthRequest,
  type ControlWord,
  type DeviceKeyPair,
} from './device-crypto';
export { decryptHlsSegment, ivFromSequenceNumber } from './hls-decrypt';
