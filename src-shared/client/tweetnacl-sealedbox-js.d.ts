/** libsodium `crypto_box_seal` for tweetnacl (the package ships no typings). */
declare module 'tweetnacl-sealedbox-js' {
  /** Bytes a sealed box adds: the ephemeral public key (32) and the Poly1305 tag (16). */
  export const overheadLength: number;
  export function seal(message: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** null when the box does not open (wrong key or tampered). */
  export function open(sealed: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null;
  const sealedbox: { overheadLength: number; seal: typeof seal; open: typeof open };
  export default sealedbox;
}
