//! What a failed response said: [`ApiMessage`], [`ApiError`], [`BodyError`],
//! [`DecodeError`].
//!
//! Every text in them came from the server, and each is cut to a bounded length
//! where it is made (the body excerpt in `envelope`, the headers in `transport`,
//! the rest here), so one hostile answer cannot fill a terminal or a log.

use std::{fmt, time::Duration};

use crate::{
    text::{capped, human, one_line},
    types::operation::Operation,
};

/// The longest message text kept of an [`ApiMessage`].
const MAX_MESSAGE_CHARS: usize = 500;

/// The longest documentation link or pointer kept of an [`ApiMessage`].
const MAX_LINK_CHARS: usize = 200;

/// The most error items an [`ApiError`] shows in its `Display` (it keeps them all).
const SHOWN_ERRORS: usize = 5;

/// The longest field path kept of a [`DecodeError`].
const MAX_FIELD_CHARS: usize = 200;

/// The longest reason kept of a [`DecodeError`].
const MAX_REASON_CHARS: usize = 300;

/// One item of an envelope's `errors` or `messages`. As received from the server:
/// the message cut after 500 characters, the link and the pointer after 200 (and,
/// through a client, the client's own credentials masked).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ApiMessage {
    /// Cloudflare's code (may exceed 65535).
    pub code: i64,
    /// The human-readable message.
    pub message: String,
    /// A link to documentation about this code, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// The JSON pointer of the request field at fault (`source.pointer`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl ApiMessage {
    /// A message with a code and text only.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            documentation_url: None,
            pointer: None,
        }
    }

    /// A message as the server sent it, each text cut: the message after 500
    /// characters, the link and the pointer after 200.
    pub(crate) fn from_server(
        code: i64,
        message: String,
        documentation_url: Option<String>,
        pointer: Option<String>,
    ) -> Self {
        Self {
            code,
            message: capped(message, MAX_MESSAGE_CHARS),
            documentation_url: documentation_url.map(|u| capped(u, MAX_LINK_CHARS)),
            pointer: pointer.map(|p| capped(p, MAX_LINK_CHARS)),
        }
    }
}

impl fmt::Display for ApiMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, one_line(&self.message))?;
        if let Some(pointer) = &self.pointer {
            write!(f, " (at {})", one_line(pointer))?;
        }
        Ok(())
    }
}

/// Cloudflare answered with its envelope and reported failure: a 4xx or 5xx with the
/// envelope, or a 2xx with `success: false`.
///
/// Its `Display` shows the first five error items and counts the rest, and the
/// delay to wait as the client's retry policy caps it (`retry after 1m 0s: the
/// server asked for 2h 0m 0s, capped`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed.
    pub operation: Operation,
    /// The HTTP status.
    pub status: u16,
    /// The envelope's `errors`, in order.
    pub errors: Vec<ApiMessage>,
    /// The envelope's `messages`.
    pub messages: Vec<ApiMessage>,
    /// The `cf-ray` header, which Cloudflare support asks for (cut after 64
    /// characters).
    pub cf_ray: Option<String>,
    /// The delay the server asked for (`Retry-After` or `retry-after-ms`).
    pub retry_after: Option<Duration>,
    /// The longest `Retry-After` the client honours, when the error came through
    /// one: `Display` says what is waited, not only what was asked.
    pub(crate) retry_cap: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if (200..300).contains(&self.status) {
            f.write_str(" with success=false")?;
        }
        match self.errors.split_first() {
            None => f.write_str(": Cloudflare reported no error details")?,
            Some((first, rest)) => {
                write!(f, ": Cloudflare error {first}")?;
                for more in rest.iter().take(SHOWN_ERRORS - 1) {
                    write!(f, "; error {more}")?;
                }
                let hidden = self.errors.len().saturating_sub(SHOWN_ERRORS);
                if hidden > 0 {
                    write!(f, "; and {hidden} more errors")?;
                }
            }
        }
        write_tail(f, self.retry_after, self.retry_cap, self.cf_ray.as_deref())
    }
}

/// A response whose body is not Cloudflare's envelope: an HTML page from the edge, an
/// empty or truncated body, or JSON of another shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyError {
    /// The operation that failed.
    pub operation: Operation,
    /// The HTTP status.
    pub status: u16,
    /// The `content-type` header, when present (cut after 100 characters).
    pub content_type: Option<String>,
    /// What is wrong with the body.
    pub reason: String,
    /// The start of the body, on one line (at most 120 characters).
    pub excerpt: String,
    /// The `cf-ray` header (cut after 64 characters).
    pub cf_ray: Option<String>,
    /// The delay the server asked for (`Retry-After` or `retry-after-ms`).
    pub retry_after: Option<Duration>,
    /// The longest `Retry-After` the client honours (see [`ApiError`]).
    pub(crate) retry_cap: Option<Duration>,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: HTTP {}: {}",
            self.operation, self.status, self.reason
        )?;
        if let Some(ct) = &self.content_type {
            write!(f, " ({ct})")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, ": {:?}", self.excerpt)?;
        }
        write_tail(f, self.retry_after, self.retry_cap, self.cf_ray.as_deref())
    }
}

/// A successful envelope whose `result` does not fit: a missing id, an unparsable
/// CIDR, a value of the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose response did not fit.
    pub operation: Operation,
    /// The HTTP status.
    pub status: u16,
    /// The field at fault, as a path (`result[2].cidr`), or `result` when unknown.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
    /// The `cf-ray` header (cut after 64 characters).
    pub cf_ray: Option<String>,
}

impl DecodeError {
    /// A decode error, its field path cut after 200 characters and its reason
    /// after 300 (a reason may quote the value that did not fit).
    pub(crate) fn new(
        operation: Operation,
        status: u16,
        field: String,
        reason: String,
        cf_ray: Option<String>,
    ) -> Self {
        Self {
            operation,
            status,
            field: capped(field, MAX_FIELD_CHARS),
            reason: capped(reason, MAX_REASON_CHARS),
            cf_ray,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: HTTP {}: unexpected response: field `{}` {}",
            self.operation, self.status, self.field, self.reason
        )?;
        write_tail(f, None, None, self.cf_ray.as_deref())
    }
}

impl std::error::Error for ApiError {}
impl std::error::Error for BodyError {}
impl std::error::Error for DecodeError {}

/// The delay to wait, as the client waits it, and the `cf-ray`.
fn write_tail(
    f: &mut fmt::Formatter<'_>,
    retry_after: Option<Duration>,
    retry_cap: Option<Duration>,
    cf_ray: Option<&str>,
) -> fmt::Result {
    if let Some(asked) = retry_after {
        match retry_cap.filter(|cap| asked > *cap) {
            Some(cap) => write!(
                f,
                " (retry after {}: the server asked for {}, capped)",
                human(cap),
                human(asked)
            )?,
            None => write!(f, " (retry after {})", human(asked))?,
        }
    }
    if let Some(ray) = cf_ray {
        write!(f, " (cf-ray {ray})")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(
        errors: usize,
        retry_after: Option<Duration>,
        retry_cap: Option<Duration>,
    ) -> ApiError {
        ApiError {
            operation: Operation::ListServices,
            status: 429,
            errors: (0..errors)
                .map(|i| ApiMessage::new(971, format!("slow down {i}")))
                .collect(),
            messages: Vec::new(),
            cf_ray: None,
            retry_after,
            retry_cap,
        }
    }

    #[test]
    fn the_delay_shown_is_the_delay_waited() {
        let asked = Some(Duration::from_secs(1_000_000_000_000));
        let minute = Some(Duration::from_secs(60));
        assert_eq!(
            api_error(1, asked, minute).to_string(),
            "list services: HTTP 429: Cloudflare error 971: slow down 0 (retry after 1m 0s: the server asked for 277777777h 46m 40s, capped)"
        );
        // Under the cap, or with no cap known (`decode_envelope`): as asked.
        let short = Some(Duration::from_secs(2));
        assert!(
            api_error(1, short, minute)
                .to_string()
                .ends_with(" (retry after 2s)")
        );
        assert!(
            api_error(1, minute, minute)
                .to_string()
                .ends_with(" (retry after 1m 0s)")
        );
        assert!(
            api_error(1, asked, None)
                .to_string()
                .ends_with(" (retry after 277777777h 46m 40s)")
        );
    }

    #[test]
    fn many_errors_show_the_first_five_and_a_count() {
        let shown = api_error(100_000, None, None).to_string();
        assert_eq!(
            shown,
            "list services: HTTP 429: Cloudflare error 971: slow down 0; error 971: slow down 1; error 971: slow down 2; error 971: slow down 3; error 971: slow down 4; and 99995 more errors"
        );
        let five = api_error(5, None, None).to_string();
        assert!(five.ends_with("error 971: slow down 4"), "{five}");
    }

    #[test]
    fn server_texts_are_cut() {
        let long = "m".repeat(100_000);
        let message =
            ApiMessage::from_server(1, long.clone(), Some(long.clone()), Some(long.clone()));
        assert_eq!(message.message.chars().count(), 501);
        assert_eq!(
            message.documentation_url.map(|u| u.chars().count()),
            Some(201)
        );
        assert_eq!(message.pointer.map(|p| p.chars().count()), Some(201));
        let decode = DecodeError::new(Operation::GetBinding, 200, long.clone(), long, None);
        assert_eq!(decode.field.chars().count(), 201);
        assert_eq!(decode.reason.chars().count(), 301);
    }
}
