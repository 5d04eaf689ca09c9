//! What a failed response said: [`ApiMessage`], [`ApiError`], [`BodyError`],
//! [`DecodeError`].

use std::{fmt, time::Duration};

use crate::{
    operation::Operation,
    text::{human, one_line},
};

/// One item of an envelope's `errors` or `messages`.
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
}

impl fmt::Display for ApiMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, one_line(&self.message))?;
        if let Some(pointer) = &self.pointer {
            write!(f, " (at {pointer})")?;
        }
        Ok(())
    }
}

/// Cloudflare answered with its envelope and reported failure: a 4xx or 5xx with the
/// envelope, or a 2xx with `success: false`.
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
    /// The `cf-ray` header, which Cloudflare support asks for.
    pub cf_ray: Option<String>,
    /// The delay the server asked for (`Retry-After` or `retry-after-ms`).
    pub retry_after: Option<Duration>,
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
                for more in rest {
                    write!(f, "; error {more}")?;
                }
            }
        }
        write_tail(f, self.retry_after, self.cf_ray.as_deref())
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
    /// The `content-type` header, when present.
    pub content_type: Option<String>,
    /// What is wrong with the body.
    pub reason: String,
    /// The start of the body, on one line (at most 120 characters).
    pub excerpt: String,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
    /// The delay the server asked for (`Retry-After` or `retry-after-ms`).
    pub retry_after: Option<Duration>,
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
        write_tail(f, self.retry_after, self.cf_ray.as_deref())
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
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: HTTP {}: unexpected response: field `{}` {}",
            self.operation, self.status, self.field, self.reason
        )?;
        write_tail(f, None, self.cf_ray.as_deref())
    }
}

impl std::error::Error for ApiError {}
impl std::error::Error for BodyError {}
impl std::error::Error for DecodeError {}

fn write_tail(
    f: &mut fmt::Formatter<'_>,
    retry_after: Option<Duration>,
    cf_ray: Option<&str>,
) -> fmt::Result {
    if let Some(delay) = retry_after {
        write!(f, " (retry after {})", human(delay))?;
    }
    if let Some(ray) = cf_ray {
        write!(f, " (cf-ray {ray})")?;
    }
    Ok(())
}
