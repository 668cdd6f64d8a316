import type { ExplainStepCode, ExplainStepParams } from '../../src-shared/schemas/access';

/** The English sentence of each explanation step, for scripts that read `detail`. */
const DETAILS: { [C in ExplainStepCode]: string } = {
  ip_denied: '{{ip}} is on the deny list ({{range}})',
  ip_not_denied: '{{ip}} is not on the deny list',
  ip_allow_listed: '{{ip}} is on the allow list ({{range}}): no authorization needed',
  ip_not_allow_listed: '{{ip}} is not on the allow list',
  no_credential: 'No credential (?token= or ?auth=login:password)',
  no_account: 'No account "{{account}}"',
  account_gone: 'The account no longer exists',
  already_authenticated: 'Account {{username}} (already authenticated)',
  unknown_token: 'Unknown token',
  token_of: 'Token of account {{username}}',
  password_recently_verified: 'Password of {{username}} (recently verified)',
  password_of: 'Password of {{username}}',
  wrong_password: 'Wrong username or password',
  too_many_failures: 'Too many wrong credentials from {{ip}} or for {{username}}',
  too_many_password_checks: 'Too many password checks at once; try again shortly',
  signed_unknown_channel: 'A signed token for an unknown channel',
  signed_expired: 'The signed token has expired',
  signed_invalid: 'The signed token is not one the CAS issued for this channel, address and user',
  signed_unknown_account: 'Signed for an unknown account {{userId}}',
  signed_token_of: 'A valid signed token issued to {{username}}',
  signed_token_anonymous: 'A valid signed token for this channel and address',
  ticket_invalid: 'The ticket is invalid, expired, or for another channel or address',
  ticket_of: 'A stream ticket issued to {{username}}',
  account_disabled: 'Account {{username}} is disabled',
  account_enabled: 'Account {{username}} is enabled',
  account_expired: 'Account expired at {{date}}',
  no_expiry: 'The account does not expire',
  valid_until: 'Valid until {{date}}',
  suspended: 'The account is suspended (see sharing flags)',
  not_suspended: 'The account is not suspended',
  ip_not_among_allowed: "{{ip}} is not among the account's allowed IPs ({{ranges}})",
  ip_within: '{{ip}} is within {{range}}',
  no_ip_restriction: 'The account has no IP restriction',
  channel_unknown: 'No channel "{{channel}}"',
  channel_disabled: 'Channel "{{channel}}" is disabled',
  channel_enabled: 'Channel "{{channel}}" exists and is enabled',
  not_entitled: 'None of the account\'s packages ({{packages}}) holds channel "{{channel}}" ({{channelPackages}})',
  entitled: 'Channel "{{channel}}" is in the account\'s package {{packages}}',
  no_connection_limit: 'No connection limit ({{active}} active)',
  connections_in_use: '{{active}} of {{max}} connections in use; over the limit the policy "{{policy}}" applies',
};

/** The English sentence of a step; an empty list param reads "none". */
export function explainStepDetail<C extends ExplainStepCode>(code: C, params: ExplainStepParams<C>): string {
  const values = params as Record<string, string | number>;
  return DETAILS[code].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] === '' ? 'none' : values[name]));
}
