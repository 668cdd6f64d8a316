/**
 * Securetoken string layouts shared by Astra and Flussonic (pure: hashing happens in src-main).
 *
 * Astra ("Securetoken Authorization"): hash = sha1(channel_id . client_ip . start . end . securetoken . salt),
 * token = `hash-salt-end-start`, appended to the channel URL as `?token=`. Astra's newer documentation
 * hashes the channel path instead of the id.
 * Flussonic: hash = sha1(streamname + ip + starttime + endtime + secretkey + salt [+ user_id]),
 * token = `hash-salt-endtime-starttime` (the same layout); the optional user id enables its session limiter.
 */
export interface SecuretokenParts {
  /** 40 lower-case hex digits of SHA-1. */
  hash: string;
  salt: string;
  /** Unix seconds. */
  end: number;
  /** Unix seconds. */
  start: number;
}

export interface SecuretokenInput {
  /** Astra: channel id or channel path; Flussonic: stream name. */
  subject: string;
  ip: string;
  start: number;
  end: number;
  secret: string;
  salt: string;
  /** Flussonic's optional user id, appended last. */
  userId?: string;
}

/** The exact string that is SHA-1 hashed. */
export function securetokenHashInput(input: SecuretokenInput): string {
  return `${input.subject}${input.ip}${input.start}${input.end}${input.secret}${input.salt}${input.userId ?? ''}`;
}

/** `hash-salt-end-start`. */
export function formatSecuretoken(parts: SecuretokenParts): string {
  return `${parts.hash}-${parts.salt}-${parts.end}-${parts.start}`;
}

/**
 * Exactly the shape the CAS issues: 40 lower-case hex digits, a salt of 8 lower-case hex digits
 * (`bin2hex(random_bytes(4))`), end and start as 10-digit Unix seconds. The fields are hashed
 * without separators, so fixed widths are what keep digits from moving between them.
 */
const TOKEN_PATTERN = /^([0-9a-f]{40})-([0-9a-f]{8})-([1-9]\d{9})-([1-9]\d{9})$/;

/** Flussonic's user id as the CAS issues it: an account id in canonical decimal. */
export const SECURETOKEN_USER_ID_PATTERN = /^[1-9]\d{0,15}$/;

/** Reads `hash-salt-end-start` in the issued shape; null for anything else (an account token, a typo, a forgery). */
export function parseSecuretoken(token: string): SecuretokenParts | null {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  return { hash: match[1], salt: match[2], end: Number(match[3]), start: Number(match[4]) };
}
