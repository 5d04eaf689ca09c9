//! Cloudflare's response envelope: the one place where response bodies become
//! `Result<T, Error>`.
//!
//! Every JSON response is `{"success", "errors", "messages", "result"}`. The rules:
//! - 2xx with `success: true` → the `result` (and the `messages`, logged at warn);
//! - 2xx with `success: false` → [`Error::Api`];
//! - 4xx/5xx with the envelope → [`Error::Api`], with every error item, the status,
//!   the `cf-ray` header and `Retry-After`;
//! - a body that is not the envelope (HTML from the edge, truncated or empty) →
//!   [`Error::UnexpectedBody`] with the status, `cf-ray` and a short excerpt;
//! - a success whose `result` does not fit → [`Error::Decode`] naming the field;
//! - a redirect (3xx), whatever its body → [`Error::Redirected`].
//!
//! Transport failures are mapped in `transport`; the results of generated calls are
//! sorted in `call`.

use reqwest::header::HeaderMap;

use crate::{
    error::Error,
    failure::{ApiError, ApiMessage, BodyError, DecodeError},
    operation::Operation,
    response::Response,
    shapes::{Envelope, LenientEnvelope, ValueEnvelope},
    text::one_line,
    transport::{cf_ray, content_type, parse_retry_after, redirected},
};

/// The longest body excerpt kept in a [`BodyError`].
const EXCERPT_CHARS: usize = 120;

fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text = one_line(&String::from_utf8_lossy(head));
    let mut kept: String = text.chars().take(EXCERPT_CHARS).collect();
    if kept.len() < text.len() || head.len() < body.len() {
        kept.push('…');
    }
    kept
}

pub(crate) fn api_error(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    errors: Vec<ApiMessage>,
    messages: Vec<ApiMessage>,
) -> Error {
    Error::Api(Box::new(ApiError {
        operation,
        status,
        errors,
        messages,
        cf_ray: cf_ray(headers),
        retry_after: parse_retry_after(headers),
        retry_cap: None,
    }))
}

/// Turns a decoded envelope into the result or an API error.
pub(crate) fn finish<E: Envelope>(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    envelope: E,
) -> Result<Response<E::Result>, Error> {
    let (success, errors, messages, result) = envelope.into_parts();
    let messages: Vec<ApiMessage> = messages.into_iter().map(ApiMessage::from).collect();
    if !success || !(200..300).contains(&status) {
        return Err(api_error(
            operation,
            status,
            headers,
            errors.into_iter().map(ApiMessage::from).collect(),
            messages,
        ));
    }
    let cf_ray = cf_ray(headers);
    Ok(Response {
        result,
        messages,
        status,
        cf_ray,
    })
}

/// Decodes a raw body as the envelope `E`, falling back to the lenient envelope and
/// then to a [`BodyError`] when it does not fit.
pub(crate) fn decode_bytes<E: Envelope>(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<E::Result>, Error> {
    if let Some(redirect) = redirected(operation, status, headers) {
        return Err(redirect);
    }
    let success_status = (200..300).contains(&status);
    if success_status && let Ok(envelope) = serde_json::from_slice::<E>(body) {
        return finish(operation, status, headers, envelope);
    }
    // Slow path, for failures only: decode again, tracking the path of the field
    // that does not fit.
    let typed_error = if success_status {
        let mut de = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize::<_, E>(&mut de).err()
    } else {
        None
    };
    match serde_json::from_slice::<LenientEnvelope>(body) {
        Ok(envelope) if !envelope.success || !success_status => Err(api_error(
            operation,
            status,
            headers,
            envelope
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(ApiMessage::from)
                .collect(),
            envelope
                .messages
                .unwrap_or_default()
                .into_iter()
                .map(ApiMessage::from)
                .collect(),
        )),
        Ok(_) => {
            // `success: true`, but the typed envelope did not decode: a field does not fit.
            let (field, reason) = match typed_error {
                Some(e) => {
                    let path = e.path().to_string();
                    let field = if path.is_empty() || path == "." {
                        "result".to_owned()
                    } else {
                        path
                    };
                    (field, one_line(&e.into_inner().to_string()))
                }
                None => ("result".to_owned(), "does not fit".to_owned()),
            };
            Err(Error::Decode(Box::new(DecodeError::new(
                operation,
                status,
                field,
                reason,
                cf_ray(headers),
            ))))
        }
        Err(e) => {
            let reason = if body.iter().all(u8::is_ascii_whitespace) {
                "empty body instead of Cloudflare's JSON envelope".to_owned()
            } else if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
                "JSON that is not Cloudflare's envelope".to_owned()
            } else {
                format!(
                    "body is not Cloudflare's JSON envelope ({})",
                    one_line(&e.to_string())
                )
            };
            Err(Error::UnexpectedBody(Box::new(BodyError {
                operation,
                status,
                content_type: content_type(headers),
                reason,
                excerpt: excerpt(body),
                cf_ray: cf_ray(headers),
                retry_after: parse_retry_after(headers),
                retry_cap: None,
            })))
        }
    }
}

/// Decodes any response of the API: `status`, `headers` and `body` as received. The
/// `result` is returned as untyped JSON.
///
/// This is the decoder the client applies to every response, exposed for testing and
/// for callers handling raw responses. It never panics, whatever the bytes.
///
/// Every JSON response is Cloudflare's envelope, `{"success", "errors", "messages",
/// "result"}`. The rules, the same for every operation of the client:
/// - 2xx with `success: true` → the `result` (and the `messages`, logged at warn);
/// - 2xx with `success: false` → [`Error::Api`];
/// - 4xx/5xx with the envelope → [`Error::Api`], with every error item, the status,
///   the `cf-ray` header and `Retry-After`;
/// - a body that is not the envelope (HTML from the edge, truncated or empty) →
///   [`Error::UnexpectedBody`] with the status, `cf-ray` and a short excerpt;
/// - a success whose `result` does not fit → [`Error::Decode`] naming the field;
/// - a redirect (3xx), whatever its body → [`Error::Redirected`] (the client never
///   follows one);
/// - (in the client) transport failures → [`Error::Connect`], [`Error::Transport`] or
///   [`Error::Timeout`].
///
/// Every text taken from the server is cut to a bounded length: `cf-ray` after 64
/// characters, `content-type` after 100, a message after 500, the excerpt after
/// 120. (Masking the client's credentials is the client's: this function has
/// none.)
///
/// # Errors
/// [`Error::Api`], [`Error::UnexpectedBody`], [`Error::Decode`] or
/// [`Error::Redirected`], per the rules above.
pub fn decode_envelope(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<serde_json::Value>, Error> {
    decode_bytes::<ValueEnvelope>(operation, status, headers, body)
}

/// A List Service Bindings body decoded as `list()` decodes it: the envelope, then each
/// binding converted to the wrapper's types. For the tests and the benchmarks.
#[cfg(any(test, feature = "bench"))]
pub(crate) fn decode_bindings(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<Vec<crate::model::ServiceBinding>>, Error> {
    use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as Wire;
    let operation = Operation::ListBindings;
    decode_bytes::<Wire>(operation, status, headers, body)?
        .convert(operation, crate::model::bindings_from_wire)
}

#[cfg(test)]
mod tests;
