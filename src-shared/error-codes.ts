/**
 * Every `code` an error body of the CAS can carry, each with the names of the `params` its
 * sentence needs. The server throws only these codes (the error classes are typed against this
 * list); the dashboard has a text for each in every language (a unit test checks that), and any
 * other client can translate them the same way.
 */
export const errorCatalogue = {
  // Transport and access to the API.
  route_not_found: ['method', 'path'],
  bad_request: [],
  body_too_large: [],
  too_many_requests: [],
  internal: [],
  sign_in_required: [],
  read_only_role: [],
  credential_not_allowed: [],
  loopback_only: [],

  // Input that does not fit the API's schemas (one code per kind of zod issue, naming the field).
  required: ['field'],
  too_short: ['field', 'min'],
  too_long: ['field', 'max'],
  too_small: ['field', 'min'],
  too_small_exclusive: ['field', 'min'],
  too_big: ['field', 'max'],
  too_big_exclusive: ['field', 'max'],
  too_few: ['field', 'min'],
  too_many: ['field', 'max'],
  not_whole_number: ['field'],
  not_a_number: ['field'],
  invalid_type: ['field', 'expected'],
  invalid_format: ['field', 'format'],
  invalid_email: ['field'],
  invalid_url: ['field'],
  invalid_datetime: ['field'],
  invalid_slug: ['field'],
  invalid_username: ['field'],
  invalid_token_text: ['field'],
  invalid_base64: ['field'],
  invalid_listen_address: ['field'],
  invalid_value: ['field', 'options'],
  unrecognized_keys: ['field', 'keys'],
  not_multiple_of: ['field', 'step'],
  invalid_input: ['field'],
  invalid_expiry: ['field'],
  invalid_time_zone: ['field'],
  invalid_ip_range: ['field', 'range'],
  invalid_ip: ['field', 'ip'],
  invalid_stream_path: ['field'],
  invalid_logo_url: ['field'],
  invalid_hls_origin: ['field'],
  absolute_path_required: ['field'],
  unknown_watermark_placeholder: ['field', 'placeholder', 'known'],
  power_of_two_required: ['field'],
  scrypt_memory_too_large: ['field'],
  base64_length: ['field', 'min', 'max'],
  secret_sealed_only: ['field'],
  unsupported_config_version: ['field', 'version'],
  channels_only_for_packager_keys: ['field'],
  ecm_rotation_names_channel: ['field'],
  emm_rotation_names_package: ['field'],
  password_required_for_operator: ['field'],
  from_not_before_to: ['field'],

  // Accounts and operators.
  account_not_found: ['id'],
  device_not_found: ['id'],
  username_taken: ['username'],
  token_taken: [],
  unknown_package: ['id'],
  own_account: ['username'],
  last_admin: [],

  // Sign-in to the dashboard.
  wrong_credentials: [],
  account_disabled: [],
  account_expired: ['expiredAt'],
  locked_out: ['lockedUntil'],
  no_such_operator: [],
  admin_exists: [],
  first_admin_local_only: [],

  // Accounts CSV import (the file as a whole, then row by row).
  csv_unknown_columns: ['columns', 'known'],
  csv_username_column_missing: [],
  csv_too_many_rows: ['max'],
  csv_rows_invalid: ['count', 'line'],
  csv_no_valid_rows: [],
  csv_too_few_fields: [],
  csv_too_many_fields: [],
  csv_bad_quotes: [],
  csv_not_whole_number: ['field', 'value'],
  csv_not_true_or_false: ['field', 'value'],
  csv_username_repeated: ['line'],
  csv_token_repeated: ['line'],

  // Packages and channels.
  package_not_found: ['id'],
  package_exists: ['id'],
  package_in_use: ['id', 'count'],
  channel_not_found: ['id'],
  channel_exists: ['id'],
  unknown_channel: ['id'],
  channel_number_taken: ['number', 'channelId', 'channelName'],
  channel_has_no_hls_origin: ['channelId'],
  signing_secret_missing: ['name'],
  stream_base_url_missing: ['channelId'],
  hls_origin_has_credentials: ['field'],

  // The public base URL of links handed to devices.
  public_url_not_http: ['field'],
  public_url_has_credentials: ['field'],
  public_url_has_path: ['field'],
  public_url_wildcard: ['field'],
  public_url_loopback: ['field'],

  // DASH / ClearKey.
  clearkey_request_invalid: ['field'],
  clearkey_request_too_large: ['max'],
  clearkey_kids_unknown: ['channel'],

  // Logs.
  audit_entry_not_found: ['id'],
  log_file_not_found: ['name'],

  // Logos.
  logo_not_found: ['channelId'],
  logo_too_large: ['max'],
  logo_empty: [],
  logo_damaged: ['format'],
  logo_too_many_pixels: ['max'],
  logo_svg_not_utf8: [],
  logo_svg_rejected: [],
  logo_unsupported_type: [],

  // Access control, IP lists, sessions, sharing.
  ip_range_listed: ['range', 'list'],
  ip_rule_not_found: ['id'],
  session_not_found: ['id'],
  suspension_not_found: ['id'],
  sharing_flag_not_found: ['id'],
  too_many_refusals: [],
  access_refused: ['reason'],
  credential_missing: [],
  credential_wrong: [],
  too_many_wrong_credentials: [],
  ticket_invalid: [],
  not_streaming_server: [],
  original_uri_required: [],
  viewer_ip_required: [],

  // Devices (client API).
  device_session_not_found: ['id'],
  device_session_required: [],
  device_session_expired: [],
  device_unbound: [],
  device_signature_wrong: [],
  device_clock_skew: ['windowSeconds', 'serverTime'],
  nonce_reused: [],
  device_limit: ['max'],
  device_public_key_missing: [],

  // Keys, HLS delivery, packagers.
  key_not_found: [],
  playlist_not_found: [],
  file_not_found: [],
  segment_not_found: [],
  origin_unavailable: [],
  api_key_not_found: ['id'],
  api_key_channel_not_allowed: ['channel'],

  // Backups and configuration transfer.
  backup_not_found: ['name'],
  backup_not_sqlite: ['file'],
  backup_integrity_failed: ['file'],
  backup_from_newer_release: ['file', 'schema', 'known'],
  backup_not_cas_database: ['file'],
  backup_needs_other_master_key: ['file'],
  restart_unavailable: [],
  wrong_passphrase: [],
  config_sealed_part_unknown: [],
  config_file_changed: [],
  config_accounts_mismatch: [],
  config_secrets_flag_mismatch: [],
  config_id_repeated: ['field', 'id'],
  config_unknown_secret: ['name'],
} as const satisfies Record<string, readonly string[]>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The params an error with this code carries: each value a translated sentence needs. */
export type ErrorParams<C extends ErrorCode = ErrorCode> = C extends ErrorCode ? { [K in (typeof errorCatalogue)[C][number]]: string | number } : never;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}
