import type { refusalReasonValues } from '../../src-shared/schemas/access';

/**
 * The contract of the viewer access decision: "may this viewer watch this channel?".
 * Implemented by the access-control module (src-main/access/), used by every route that
 * serves or guards content: streaming-server backends, playlists, HLS keys, device stream info.
 */

/** What a viewer presented. */
export type ViewerCredential =
  | { kind: 'token'; token: string }
  | { kind: 'password'; username: string; password: string }
  /** An account already authenticated another way (device session, key ticket). */
  | { kind: 'account'; accountId: number }
  /** A stream ticket the CAS wrote into a URL (`?ticket=s…`): one account, one channel, one address, until it expires. */
  | { kind: 'ticket'; ticket: string }
  /**
   * A securetoken the CAS signed (`hash-salt-end-start`, Astra or Flussonic layout) for this channel
   * and viewer IP; `userId` (Flussonic `user_id`) names the account it was issued to.
   */
  | { kind: 'signed'; token: string; userId?: string };

/** Refusal reasons, carried by logs, the sessions view and backend responses. */
export { refusalReasonValues as refusalReasons } from '../../src-shared/schemas/access';
export type RefusalReason = (typeof refusalReasonValues)[number];

export interface ViewerRequest {
  credential: ViewerCredential | null;
  channelId: string;
  /** The viewer's address as the asking server saw it. */
  ip: string;
  userAgent?: string;
  /** The asking server's own session id (Astra X-Session-ID, Flussonic session_id), when it has one. */
  sessionKey?: string;
  /** Which door the request came through, for logs and statistics. */
  source: string;
  /** Bytes the server reports for this session so far, when it tells. */
  bytes?: number;
  /** When true, check entitlement only: do not open or touch a viewing session. */
  checkOnly?: boolean;
}

interface AllowedDecision {
  allow: true;
  /** null when the viewer's IP is on the allow list and no credential was needed. */
  account: { id: number; username: string; maxConnections: number } | null;
  /** The viewing session opened or refreshed (absent for checkOnly or allow-listed IPs). */
  sessionId?: number;
  /** True when the session was already live: the decision refreshed it rather than started it. */
  sessionContinued?: boolean;
  /**
   * Which rule let the viewer in: `allow_list`, `credential`, or `signed_url` (a valid securetoken
   * without an account; the edge could have checked it alone).
   */
  rule: 'allow_list' | 'credential' | 'signed_url';
}

export interface RefusedDecision {
  allow: false;
  reason: RefusalReason;
  account: { id: number; username: string } | null;
}

export type AccessDecision = AllowedDecision | RefusedDecision;

export interface AccessDecider {
  decide(request: ViewerRequest): Promise<AccessDecision>;
}
