//! What the HTTP layer tells, apart from the body: the `cf-ray` and `content-type`
//! headers, the delay asked for by `Retry-After` or `retry-after-ms`, a redirect
//! (never followed), and the mapping of reqwest's errors to the crate's. Envelope
//! decoding and the retry rules both build on it.
//!
//! Header text is read here and nowhere else, cut to a few dozen characters: a
//! header is the server's to fill, and what the crate keeps of it ends up in errors
//! and log lines. (The client's redactor then masks its credentials in it.)

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};

use crate::{
    error::{Error, HttpError},
    text::capped,
    types::operation::Operation,
};

/// The longest `cf-ray` kept; Cloudflare's are about 20 characters.
const MAX_RAY_CHARS: usize = 64;

/// The longest `content-type` kept.
const MAX_CONTENT_TYPE_CHARS: usize = 100;

/// The longest origin of a redirect's `Location` kept.
const MAX_ORIGIN_CHARS: usize = 100;

/// The text of header `name`, cut after `max_chars` characters; `None` when absent
/// or not visible ASCII.
fn header_text(
    headers: &HeaderMap,
    name: impl reqwest::header::AsHeaderName,
    max_chars: usize,
) -> Option<String> {
    let text = headers.get(name)?.to_str().ok()?;
    Some(capped(text.to_owned(), max_chars))
}

/// The `cf-ray` header, cut after 64 characters.
pub(crate) fn cf_ray(headers: &HeaderMap) -> Option<String> {
    header_text(headers, "cf-ray", MAX_RAY_CHARS)
}

/// The `content-type` header, cut after 100 characters.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    header_text(headers, CONTENT_TYPE, MAX_CONTENT_TYPE_CHARS)
}

/// A 3xx answer as an [`Error::Redirected`]; `None` for any other status.
///
/// The client never follows a redirect (Cloudflare's API never sends one, and the
/// credentials would go wherever it points). The error names where it pointed by
/// its origin only, `scheme://host[:port]`: never the path, query or user
/// information of `Location`, which may hold anything.
pub(crate) fn redirected(operation: Operation, status: u16, headers: &HeaderMap) -> Option<Error> {
    if !(300..400).contains(&status) {
        return None;
    }
    let location = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| reqwest::Url::parse(l.trim()).ok())
        .and_then(|url| {
            let host = url.host_str()?;
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            Some(capped(
                format!("{}://{host}{port}", url.scheme()),
                MAX_ORIGIN_CHARS,
            ))
        });
    Some(Error::Redirected {
        operation,
        status,
        location,
        cf_ray: cf_ray(headers),
    })
}

/// Reads `retry-after-ms` (milliseconds) or `Retry-After` (seconds). An HTTP date,
/// a negative or an unreadable value counts as absent.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    // `try_from_secs_f64` refuses a negative, infinite, NaN or too large value.
    let seconds = |name: &str, per_second: f64| -> Option<Duration> {
        let value: f64 = headers.get(name)?.to_str().ok()?.trim().parse().ok()?;
        Duration::try_from_secs_f64(value / per_second).ok()
    };
    seconds("retry-after-ms", 1000.0).or_else(|| seconds("retry-after", 1.0))
}

/// What a request was allowed: the bounds that a reqwest error may report crossed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// The time limit of the request.
    pub(crate) timeout: Duration,
    /// The largest body read.
    pub(crate) body_limit: usize,
}

/// Maps a transport-level reqwest error, keeping connect failures (surely not
/// processed) apart from failures after sending (ambiguous), timeouts and a body
/// over the cap. `status` and `headers` are those of the response, when it came.
pub(crate) fn transport_error(
    operation: Operation,
    error: reqwest::Error,
    status: Option<u16>,
    headers: &HeaderMap,
    bounds: Bounds,
) -> Error {
    if cf_bindings_generated::is_body_too_large(&error) {
        Error::BodyTooLarge {
            operation,
            status,
            limit: bounds.body_limit,
            cf_ray: cf_ray(headers),
        }
    } else if error.is_connect() {
        Error::Connect {
            operation,
            source: HttpError::new(error),
        }
    } else if error.is_timeout() {
        Error::timeout(operation, bounds.timeout)
    } else if error.is_builder() {
        Error::Other {
            operation,
            message: format!("cannot build the request: {error}"),
        }
    } else {
        Error::Transport {
            operation,
            status,
            source: HttpError::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_millis(250)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("-1"));
        assert_eq!(parse_retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("0"));
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static(" 1.5 "));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_millis(1500)));
        h.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(parse_retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("inf"));
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn cf_ray_is_read_and_cut_after_64_characters() {
        let mut h = HeaderMap::new();
        assert_eq!(cf_ray(&h), None);
        h.insert("cf-ray", HeaderValue::from_static("8c2f-TEST"));
        assert_eq!(cf_ray(&h).as_deref(), Some("8c2f-TEST"));
        let long = "r".repeat(10_000);
        h.insert("cf-ray", HeaderValue::from_str(&long).unwrap());
        assert_eq!(cf_ray(&h), Some(format!("{}…", "r".repeat(64))));
        let long = format!("text/html; {}", "x".repeat(10_000));
        h.insert(CONTENT_TYPE, HeaderValue::from_str(&long).unwrap());
        assert_eq!(content_type(&h).map(|t| t.chars().count()), Some(101));
    }

    #[test]
    fn a_redirect_names_the_origin_of_its_location_only() {
        let op = Operation::ListServices;
        let origin = |location: &str| {
            let mut h = HeaderMap::new();
            h.insert(LOCATION, HeaderValue::from_str(location).unwrap());
            match redirected(op, 307, &h) {
                Some(Error::Redirected { location, .. }) => location,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            origin("http://user:pw@127.0.0.1:8080/client/v4?token=hunter2#x").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin("https://api.example/a?b").as_deref(),
            Some("https://api.example")
        );
        // Relative, or not a URL: no origin to name.
        assert_eq!(origin("/client/v4?token=hunter2"), None);
        assert_eq!(origin("::"), None);
        assert!(redirected(op, 200, &HeaderMap::new()).is_none());
        assert!(redirected(op, 400, &HeaderMap::new()).is_none());
        for status in [300, 301, 302, 303, 304, 307, 308, 399] {
            assert!(
                redirected(op, status, &HeaderMap::new()).is_some(),
                "{status}"
            );
        }
    }
}
