/**
 * The one catalogue of error codes. The HTTP API answers with `{ error: { code, message } }`
 * and the matching `http` status; sockets send `{ type: 'error', code, message }` and, for
 * fatal errors, close with the matching `close` code. docs/ERRORS.md mirrors this table.
 */
export const ERRORS = {
  bad_frame: { http: 400, close: 4400, fatal: true, message: 'The frame could not be decoded.' },
  unexpected_message: { http: 400, close: 4400, fatal: true, message: 'This message is not allowed in the current state of the connection.' },
  unsupported_version: { http: 426, close: 4426, fatal: true, message: 'The protocol version is not supported; reload the page to get the current SDK.' },
  frame_too_large: { http: 413, close: 4413, fatal: true, message: 'The frame is larger than the server accepts.' },
  hello_timeout: { http: 408, close: 4408, fatal: true, message: 'No hello message arrived in time.' },
  unauthorized: { http: 401, close: 4401, fatal: true, message: 'Log in first.' },
  invalid_credentials: { http: 401, close: 4401, fatal: false, message: 'The email or password is wrong.' },
  forbidden: { http: 403, close: 4403, fatal: true, message: 'You are not allowed to do this.' },
  permission_denied: { http: 403, close: 4403, fatal: false, message: 'Your role or this site does not allow this.' },
  csrf_failed: { http: 403, close: 4403, fatal: false, message: 'The request did not carry a valid CSRF token.' },
  origin_not_allowed: { http: 403, close: 4403, fatal: true, message: 'This site key may not be used from this origin.' },
  unknown_site_key: { http: 404, close: 4404, fatal: true, message: 'The site key is unknown.' },
  not_found: { http: 404, close: 4404, fatal: false, message: 'Not found.' },
  code_invalid: { http: 400, close: 4400, fatal: false, message: 'A session code is 6 digits.' },
  code_unknown: { http: 404, close: 4404, fatal: false, message: 'No session has this code.' },
  code_expired: { http: 410, close: 4410, fatal: false, message: 'This code has expired; ask the customer for a new one.' },
  code_used: { http: 409, close: 4409, fatal: false, message: 'This code has already been used; ask the customer for a new one.' },
  session_not_found: { http: 404, close: 4404, fatal: false, message: 'The session does not exist or has ended.' },
  session_ended: { http: 410, close: 4410, fatal: true, message: 'The session has ended.' },
  session_home_unreachable: { http: 503, close: 4503, fatal: false, message: 'The server that holds this session is not answering (it may have stopped); try again in a few seconds, once the customer has reconnected to another server.' },
  invalid_request: { http: 400, close: 4400, fatal: false, message: 'The request is not valid.' },
  conflict: { http: 409, close: 4409, fatal: false, message: 'That already exists.' },
  seat_limit_reached: { http: 409, close: 4409, fatal: false, message: 'All agent seats of your plan are in use; disable an agent or upgrade the plan.' },
  capacity_reached: { http: 503, close: 4503, fatal: false, message: 'No agent can join right now: the plan allows no more live sessions. Please try again later.' },
  account_locked: { http: 423, close: 4401, fatal: false, message: 'Too many failed logins; this account is locked for a few minutes.' },
  rate_limited: { http: 429, close: 4429, fatal: false, message: 'Too many attempts; wait a moment and try again.' },
  server_shutting_down: { http: 503, close: 1012, fatal: false, message: 'The server is restarting; reconnecting.' },
  server_busy: { http: 503, close: 1013, fatal: true, message: 'This server is at its connection limit; try again shortly.' },
  database_unavailable: { http: 503, close: 1013, fatal: false, message: 'The database is unavailable; try again shortly.' },
  shared_browser_limit: { http: 503, close: 4503, fatal: false, message: 'Every shared browser of this server is in use; try again when a shared-browser session ends.' },
  shared_browser_unavailable: { http: 503, close: 4503, fatal: false, message: 'Open a website is not available on this server (switched off, or Chromium is missing).' },
  url_not_allowed: { http: 403, close: 4403, fatal: false, message: 'This address may not be opened in a shared browser.' },
  asset_token_invalid: { http: 401, close: 4401, fatal: false, message: 'The asset proxy token is missing, invalid or expired; the console fetches a new one.' },
  asset_not_allowed: { http: 403, close: 4403, fatal: false, message: "The asset proxy fetches only the site's own hosts and the operator's allowed hosts, on public addresses." },
  asset_too_large: { http: 413, close: 4413, fatal: false, message: 'The asset is larger than the asset proxy accepts (ASSET_MAX_BYTES, ASSET_SESSION_BYTES).' },
  asset_type_refused: { http: 415, close: 4415, fatal: false, message: 'The asset proxy serves only images, fonts, stylesheets and media; never HTML or script.' },
  asset_unavailable: { http: 502, close: 4502, fatal: false, message: "The asset could not be fetched from the site's server." },
  message_empty: { http: 400, close: 4400, fatal: false, message: 'Write a message first.' },
  message_too_long: { http: 400, close: 4400, fatal: false, message: 'The message is too long (at most 4000 characters).' },
  email_invalid: { http: 400, close: 4400, fatal: false, message: 'The email address is not valid.' },
  snapshot_invalid: { http: 400, close: 4400, fatal: false, message: 'The page snapshot is not a gzip-compressed base64 string.' },
  snapshot_too_large: { http: 413, close: 4413, fatal: false, message: 'The page snapshot is larger than the server accepts; send the message without it.' },
  frame_parent_not_allowed: { http: 403, close: 4403, fatal: false, message: "The page that frames this one is not on an origin allowed for this site or its tenant; the frame's content is not shared." },
  internal: { http: 500, close: 1011, fatal: false, message: 'Something went wrong on the server.' },
  e2ee_required: { http: 426, close: 4426, fatal: true, message: 'This site requires end-to-end encryption and this client does not support it; update the SDK or reload the console.' },
  e2ee_not_enabled: { http: 400, close: 4400, fatal: true, message: 'End-to-end encrypted frames are not accepted in a session without end-to-end encryption.' },
  e2ee_plaintext_refused: { http: 400, close: 4400, fatal: true, message: 'This session is end-to-end encrypted: plaintext DOM frames, chat and control messages are refused.' },
  e2ee_bad_header: { http: 400, close: 4400, fatal: true, message: 'The header of the encrypted frame is not valid.' },
  e2ee_sender_mismatch: { http: 403, close: 4403, fatal: true, message: "The encrypted frame's sender is not this connection's member number." },
  e2ee_type_forbidden: { http: 403, close: 4403, fatal: true, message: 'This member may not send this type of encrypted frame.' },
  e2ee_not_controller: { http: 403, close: 4403, fatal: false, message: 'Only the agent in control may send control frames; the frame was dropped.' },
  e2ee_bad_recipient: { http: 404, close: 4404, fatal: false, message: 'The recipient of the encrypted frame is not in the session or may not receive this type; the frame was dropped.' },
  e2ee_stale_epoch: { http: 409, close: 4409, fatal: false, message: "The encrypted frame is not of the session's current epoch; it was dropped." },
  e2ee_seq_replay: { http: 409, close: 4400, fatal: true, message: 'The sequence number of the encrypted frame did not increase.' },
  e2ee_frame_too_large: { http: 413, close: 4413, fatal: true, message: 'This type of encrypted frame is larger than the server accepts.' },
  e2ee_rate_limited: { http: 429, close: 4429, fatal: false, message: 'Too many encrypted frames of this type; the frame was dropped.' },
  e2ee_feature_off: { http: 409, close: 4409, fatal: false, message: 'This feature is switched off because the session is end-to-end encrypted.' },
} as const satisfies Record<string, { http: number; close: number; fatal: boolean; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = /* @__PURE__ */ Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
