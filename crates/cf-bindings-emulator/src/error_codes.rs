//! The error codes the emulator answers with, one per rule or failure.
//!
//! Each item names its code's HTTP status. Codes marked "Cloudflare's" are the codes
//! the real API is known to use for the same failure; the others are the emulator's
//! own. Every failure answer's envelope carries one of them in `errors[].code`.

/// No route for the URI (Cloudflare's). HTTP 404.
pub const NO_ROUTE: u64 = 7003;
/// Method not allowed for this route. HTTP 405.
pub const METHOD_NOT_ALLOWED: u64 = 7001;
/// No credentials at all (Cloudflare's). HTTP 401.
pub const MISSING_CREDENTIALS: u64 = 9106;
/// `Authorization` header present but not `Bearer <token>` (Cloudflare's). HTTP 400.
pub const INVALID_AUTHORIZATION_FORMAT: u64 = 6111;
/// Unknown API token (Cloudflare's). HTTP 403.
pub const INVALID_TOKEN: u64 = 10000;
/// Unknown `X-Auth-Email` / `X-Auth-Key` pair (Cloudflare's). HTTP 403.
pub const INVALID_EMAIL_OR_KEY: u64 = 9103;
/// Malformed JSON in the request body (Cloudflare's). HTTP 400.
pub const MALFORMED_JSON: u64 = 6007;

/// The account does not exist. HTTP 404.
pub const ACCOUNT_NOT_FOUND: u64 = 1001;
/// The prefix does not exist in this account. HTTP 404.
pub const PREFIX_NOT_FOUND: u64 = 1002;
/// The binding does not exist in this prefix. HTTP 404.
pub const BINDING_NOT_FOUND: u64 = 1003;

/// The request body is JSON but not an object. HTTP 400.
pub const BODY_NOT_OBJECT: u64 = 1010;
/// A required field is missing (the message and `source.pointer` name it). HTTP 400.
pub const MISSING_FIELD: u64 = 1011;
/// A field has the wrong JSON type (the message and `source.pointer` name it). HTTP 400.
pub const WRONG_FIELD_TYPE: u64 = 1012;
/// The request body could not be read or is larger than the limit. HTTP 413.
pub const BODY_TOO_LARGE: u64 = 1013;
/// The request body is sent with a `Content-Type` that is not JSON. HTTP 400.
pub const NOT_JSON_CONTENT_TYPE: u64 = 1014;
/// The request body's object has the same key twice (named). HTTP 400.
pub const DUPLICATE_KEY: u64 = 1015;
/// The request line or headers have bytes HTTP does not allow. HTTP 400.
pub const MALFORMED_REQUEST: u64 = 1016;
/// The request URI is too long. HTTP 414.
pub const URI_TOO_LONG: u64 = 1017;
/// The request headers are too large. HTTP 431.
pub const HEADERS_TOO_LARGE: u64 = 1018;
/// The request's `Host` is not a loopback address, `localhost`, the address the
/// emulator listens on or an allowed host (a guard against DNS rebinding). HTTP 421.
pub const HOST_NOT_ALLOWED: u64 = 1019;

/// `cidr` is not a CIDR (`address/length`). HTTP 400.
pub const INVALID_CIDR: u64 = 1020;
/// `cidr` has host bits set (e.g. `203.0.113.1/24`). HTTP 400.
pub const CIDR_HOST_BITS: u64 = 1021;
/// `service_id` names no service. HTTP 400.
pub const UNKNOWN_SERVICE: u64 = 1022;

/// The prefix has no binding yet and `cidr` is not exactly the prefix's CIDR. HTTP 400.
pub const FIRST_BINDING_MUST_MATCH_PREFIX: u64 = 1030;
/// `cidr` does not lie inside the prefix (or is of the other address family). HTTP 400.
pub const CIDR_OUTSIDE_PREFIX: u64 = 1031;
/// A binding with exactly this CIDR already exists in the prefix. HTTP 400.
pub const DUPLICATE_BINDING: u64 = 1032;
/// `cidr` overlaps (contains or lies inside) another more-specific binding. HTTP 400.
pub const OVERLAPPING_BINDING: u64 = 1033;
/// `cidr` would put addresses under both CDN and Spectrum. HTTP 400.
pub const CDN_SPECTRUM_CONFLICT: u64 = 1034;
/// The base binding cannot be deleted while more-specific bindings exist. HTTP 400.
pub const BASE_BINDING_IN_USE: u64 = 1035;

/// The state could not be read or saved; nothing was changed. HTTP 500.
pub const STORAGE_FAILURE: u64 = 1050;

/// The fault script sent to `/__emulator/faults` is invalid. HTTP 400.
pub const INVALID_FAULT_SCRIPT: u64 = 1090;
/// The fault script would make the queues hold more than
/// [`MAX_QUEUED_FAULTS`](crate::MAX_QUEUED_FAULTS) faults; nothing was queued. HTTP 400.
pub const TOO_MANY_FAULTS: u64 = 1091;
/// A request that changes the faults (`POST /__emulator/faults` or
/// `/__emulator/chaos`) is not sent as `application/json` (a web page may send
/// `text/plain` to any address without asking first); nothing changed. HTTP 415.
pub const FAULT_SCRIPT_NOT_JSON: u64 = 1092;
/// The chaos settings sent to `/__emulator/chaos` are invalid; nothing changed. HTTP 400.
pub const INVALID_CHAOS_SETTINGS: u64 = 1093;
/// Default code of an injected `200` with `success: false`.
pub const INJECTED_FAILURE: u64 = 1099;
/// Injected rate limit (Cloudflare's). HTTP 429.
pub const RATE_LIMITED: u64 = 971;
