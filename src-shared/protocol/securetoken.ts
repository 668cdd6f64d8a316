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

const TOKEN_PATTERN = /^([0-9a-fA-F]{40})-([A-Za-z0-9]{1,64})-(\d{1,12})-(\d{1,12})$/;

/** Reads `hash-salt-end-start`; null for anything else (an account token, a typo). */
export function parseSecuretoken(token: string): SecuretokenParts | null {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  return { hash: match[1].toLowerCase(), salt: match[2], end: Number(match[3]), start: Number(match[4]) };
}
