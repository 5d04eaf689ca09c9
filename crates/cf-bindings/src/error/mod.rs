//! The crate's [`Error`] type and its parts: Cloudflare's error answers
//! ([`ApiError`], [`ApiMessage`]), bodies that could not be read ([`BodyError`],
//! [`DecodeError`]), refused input and configuration ([`InvalidInput`],
//! [`ConfigError`]), and the [`Operation`] each names.
//!
//! # How an answer becomes an error
//! Every JSON response is Cloudflare's envelope, `{"success", "errors", "messages",
//! "result"}`, decoded once, by the same rules for every operation:
//! - 2xx with `success: true` → the `result` (and the `messages`, logged at warn);
//! - 2xx with `success: false` → [`Error::Api`];
//! - 4xx/5xx with the envelope → [`Error::Api`], with every error item, the status,
//!   the `cf-ray` header and `Retry-After`;
//! - a body that is not the envelope (HTML from the edge, truncated or empty) →
//!   [`Error::UnexpectedBody`] with the status, `cf-ray` and a short excerpt;
//! - a success whose `result` does not fit → [`Error::Decode`] naming the field;
//! - a redirect (3xx), whatever its body → [`Error::Redirected`] (the client never
//!   follows one);
//! - transport failures → [`Error::Connect`], [`Error::Transport`] or
//!   [`Error::Timeout`].
//!
//! Every text taken from the server is cut to a bounded length, and the client's
//! credentials are masked in it.
//!
//! Every failure is an [`Error`] whose `Display` is one line a person can act on,
//! for example `create service binding: HTTP 400: Cloudflare error 1002: Prefix not
//! found (cf-ray 8c2f0000test-EMU)`. Helpers such as [`Error::status`],
//! [`Error::codes`], [`Error::is_not_found`] and [`Error::is_retryable`] answer the
//! usual questions without matching on variants.

mod api;
mod rules;

pub use crate::types::{InvalidInput, Operation};
pub use api::{ApiError, ApiMessage, BodyError, DecodeError};
pub(crate) use rules::{FailureKind, Kind, Next, next};

use std::time::Duration;

use crate::{
    text::{human, one_line},
    types::{BindingId, ProvisioningState, ServiceBinding},
};

/// The client could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration: {message}")]
pub struct ConfigError {
    variable: Option<&'static str>,
    message: String,
}

impl ConfigError {
    /// A configuration error, naming the environment variable at fault if any.
    pub(crate) fn new(variable: Option<&'static str>, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }

    /// The environment variable at fault, when the error is about one.
    pub fn variable(&self) -> Option<&'static str> {
        self.variable
    }

    /// What is wrong and how to fix it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An id, a CIDR or another argument was refused; no request was sent.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),

    /// The client is misconfigured (missing or half-set credentials, a bad base URL).
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// Cloudflare answered with its envelope and reported failure.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The response body is not Cloudflare's envelope (HTML from the edge, empty or
    /// truncated JSON).
    #[error("{0}")]
    UnexpectedBody(Box<BodyError>),

    /// The envelope reported success but its `result` does not fit.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The connection could not be made; the request was surely not processed.
    #[error("{operation}: could not connect: {source}")]
    Connect {
        /// The operation that failed.
        operation: Operation,
        /// The underlying error.
        source: HttpError,
    },

    /// The connection failed after the request may have been sent (reset, closed
    /// without an answer, body cut short): whether the server acted on it is unknown.
    #[error("{operation}: connection failed{}: {source}", status_note(*status))]
    Transport {
        /// The operation that failed.
        operation: Operation,
        /// The HTTP status, when the head of a response arrived before the failure.
        status: Option<u16>,
        /// The underlying error.
        source: HttpError,
    },

    /// No complete answer within the configured per-request timeout. When the
    /// request was retried, the message says how many attempts were made and over
    /// how long: `list service bindings: timed out after 3 attempts over 10.2s
    /// (each request limited to 3s)`.
    #[error("{operation}: timed out after {}", timed_out(*after, *attempts, *elapsed))]
    #[non_exhaustive]
    Timeout {
        /// The operation that timed out.
        operation: Operation,
        /// The timeout of one request, which expired.
        after: Duration,
        /// The attempts made, the last one included (1 when it was not retried).
        attempts: u32,
        /// The time from the first attempt to the end of the last, delays between
        /// them included.
        elapsed: Duration,
    },

    /// The server answered with a redirect (HTTP 3xx). Cloudflare's API never
    /// redirects, so the client does not follow one: the credentials would go
    /// wherever it points (reqwest keeps `X-Auth-Key` on a hop to another host).
    /// The server did not act on the request; it is not retried, and a create or
    /// delete answered so is not in doubt. A base URL that is wrong (`http://` for
    /// `https://`, a missing `/client/v4`) is the usual cause.
    #[error(
        "{operation}: HTTP {status}: {}, not followed (Cloudflare's API never redirects: check the base URL){}",
        location.as_ref().map_or_else(|| "a redirect".to_owned(), |l| format!("redirected to {l}")),
        cf_ray.as_ref().map(|r| format!(" (cf-ray {r})")).unwrap_or_default()
    )]
    Redirected {
        /// The operation that was redirected.
        operation: Operation,
        /// The HTTP status (3xx).
        status: u16,
        /// Where the `Location` header pointed, as an origin (`https://host:port`)
        /// cut after 100 characters: never its path, query or user information.
        /// `None` when it was absent, relative or not a URL.
        location: Option<String>,
        /// The `cf-ray` header (cut after 64 characters).
        cf_ray: Option<String>,
    },

    /// A failure inside the HTTP client that fits no other variant.
    #[error("{operation}: {message}")]
    Other {
        /// The operation that failed.
        operation: Operation,
        /// What happened.
        message: String,
    },

    /// No service has the requested name.
    #[error("no service named {name:?}; available: {}", available.join(", "))]
    ServiceNotFound {
        /// The name that was looked for.
        name: String,
        /// The names of the account's services.
        available: Vec<String>,
    },

    /// While waiting, the binding reported `magic_transit_route_missing`.
    #[error(
        "binding {} ({}) reports magic_transit_route_missing: it cannot become active until a Magic Transit route covers it",
        binding.id, binding.cidr
    )]
    RouteMissing {
        /// The binding as last seen.
        binding: Box<ServiceBinding>,
    },

    /// While waiting, the binding disappeared: the server answered 404 after it had
    /// shown the binding. A 404 on the first poll is returned as it is (a wrong id).
    #[error("binding {binding_id} no longer exists (it was deleted while waiting for it)")]
    BindingGone {
        /// The binding that was waited for.
        binding_id: BindingId,
    },

    /// The response body was larger than the client's cap
    /// ([`ClientBuilder::max_body_bytes`](crate::ClientBuilder::max_body_bytes)); reading
    /// stopped there. Never retried.
    #[error(
        "{operation}: HTTP {}: response body larger than {limit} bytes, not read further{}",
        status.map_or_else(|| "?".to_owned(), |s| s.to_string()),
        cf_ray.as_ref().map(|r| format!(" (cf-ray {r})")).unwrap_or_default()
    )]
    BodyTooLarge {
        /// The operation whose response was too large.
        operation: Operation,
        /// The HTTP status, when it arrived.
        status: Option<u16>,
        /// The cap, in bytes.
        limit: usize,
        /// The `cf-ray` header (cut after 64 characters).
        cf_ray: Option<String>,
    },

    /// A create or a delete may or may not have taken effect: the request may have
    /// been processed (a timeout, a connection lost after sending, a 5xx, a 2xx
    /// answer that could not be read), and the listing of the prefix's bindings that
    /// would have told failed too. Check the prefix's bindings before doing anything
    /// else; see [`Error::is_outcome_unknown`].
    #[error(
        "{operation}: outcome unknown: {}; the request may have been processed ({cause}){}",
        unknown_effect(*operation),
        check.as_ref().map(|c| format!(", and checking failed ({c})")).unwrap_or_default()
    )]
    OutcomeUnknown {
        /// The create or delete.
        operation: Operation,
        /// The failure of the request whose effect is unknown.
        cause: Box<Error>,
        /// The failure of the check that would have told (the reconciling list).
        check: Option<Box<Error>>,
    },

    /// The binding did not become active in time.
    #[error(
        "binding {binding_id} is still {} after waiting {}; provisioning takes four to six hours, wait longer or check again later",
        last_state, human(*waited)
    )]
    WaitTimeout {
        /// The binding that was waited for.
        binding_id: BindingId,
        /// The state last observed.
        last_state: ProvisioningState,
        /// How long it waited.
        waited: Duration,
    },
}

/// `3s`, or `3 attempts over 10.2s (each request limited to 3s)`.
fn timed_out(after: Duration, attempts: u32, elapsed: Duration) -> String {
    if attempts <= 1 {
        human(after)
    } else {
        format!(
            "{attempts} attempts over {} (each request limited to {})",
            human(elapsed),
            human(after)
        )
    }
}

fn unknown_effect(operation: Operation) -> &'static str {
    match operation {
        Operation::DeleteBinding => "the binding may or may not have been deleted",
        _ => "the binding may or may not have been created",
    }
}

fn status_note(status: Option<u16>) -> String {
    status
        .map(|s| format!(" after HTTP {s}"))
        .unwrap_or_default()
}

/// The error's message followed by its innermost cause, on one line.
/// A failure of the HTTP connection, as the HTTP client reported it: its `Display`
/// is the client's message with its deepest cause, on one line, and
/// [`source`](std::error::Error::source) walks the causes. The HTTP client's own
/// error type stays private, so that its major releases are not this crate's.
#[derive(Debug)]
pub struct HttpError(reqwest::Error);

impl HttpError {
    pub(crate) fn new(error: reqwest::Error) -> Self {
        Self(error)
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = self.0.to_string();
        let mut source = std::error::Error::source(&self.0);
        let mut last = None;
        while let Some(cause) = source {
            last = Some(cause.to_string());
            source = cause.source();
        }
        if let Some(cause) = last
            && !text.contains(&cause)
        {
            text.push_str(": ");
            text.push_str(&cause);
        }
        f.write_str(&one_line(&text))
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

impl Error {
    /// The HTTP status of the response the error came from, if one arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::UnexpectedBody(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::Transport { status, .. } => *status,
            Self::OutcomeUnknown { cause, .. } => cause.status(),
            Self::BodyTooLarge { status, .. } => *status,
            Self::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Cloudflare's error codes, in order (empty when there was no envelope).
    pub fn codes(&self) -> Vec<i64> {
        match self {
            Self::Api(e) => e.errors.iter().map(|m| m.code).collect(),
            _ => Vec::new(),
        }
    }

    /// The envelope's error items, when Cloudflare reported failure.
    pub fn api_errors(&self) -> &[ApiMessage] {
        match self {
            Self::Api(e) => &e.errors,
            _ => &[],
        }
    }

    /// The `cf-ray` header of the response, which Cloudflare support asks for.
    pub fn cf_ray(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.cf_ray.as_deref(),
            Self::UnexpectedBody(e) => e.cf_ray.as_deref(),
            Self::Decode(e) => e.cf_ray.as_deref(),
            Self::OutcomeUnknown { cause, .. } => cause.cf_ray(),
            Self::BodyTooLarge { cf_ray, .. } | Self::Redirected { cf_ray, .. } => {
                cf_ray.as_deref()
            }
            _ => None,
        }
    }

    /// The operation that failed, when the error came from one.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::Api(e) => Some(e.operation),
            Self::UnexpectedBody(e) => Some(e.operation),
            Self::Decode(e) => Some(e.operation),
            Self::Connect { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::Other { operation, .. }
            | Self::OutcomeUnknown { operation, .. }
            | Self::BodyTooLarge { operation, .. }
            | Self::Redirected { operation, .. } => Some(*operation),
            _ => None,
        }
    }

    /// Whether the thing asked for does not exist (HTTP 404), or disappeared while
    /// waiting for it.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || matches!(self, Self::BindingGone { .. })
    }

    /// Whether a create or a delete may or may not have taken effect
    /// ([`Error::OutcomeUnknown`]): list the prefix's bindings to find out before
    /// trying again.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// Whether the credentials were refused (HTTP 401 or 403).
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// Whether the server asked to slow down (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// The delay the server asked for with `Retry-After` (seconds) or
    /// `retry-after-ms`, uncapped.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after,
            Self::UnexpectedBody(e) => e.retry_after,
            _ => None,
        }
    }

    /// The error, its `Display` saying the delay the client waits when the server
    /// asked for more than `cap` ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
    /// [`retry_after`](Self::retry_after) still gives what the server asked.
    pub(crate) fn with_retry_cap(mut self, cap: Duration) -> Self {
        match &mut self {
            Self::Api(e) => e.retry_cap = Some(cap),
            Self::UnexpectedBody(e) => e.retry_cap = Some(cap),
            _ => {}
        }
        self
    }

    /// Whether Cloudflare refused the request itself: an HTTP 4xx other than 408
    /// (request timeout) and 429 (rate limit). Sending the same request again gets
    /// the same answer until something changes (the request, the credentials, the
    /// live bindings): a rule broken (`400` with the rule's code and message), a
    /// permission missing (`401`, `403`), something not found (`404`).
    pub fn is_rejected(&self) -> bool {
        !self.is_outcome_unknown()
            && self
                .status()
                .is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429)
    }

    /// A timeout of one attempt of `operation`, limited to `after`.
    pub(crate) fn timeout(operation: Operation, after: Duration) -> Self {
        Self::Timeout {
            operation,
            after,
            attempts: 1,
            elapsed: after,
        }
    }
}
