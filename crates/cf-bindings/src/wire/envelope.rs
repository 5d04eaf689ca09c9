//! Cloudflare's response envelope: the one place where response bodies become
//! `Result<T, Error>`.
//!
//! The rules are written once, in the [`error`](crate::error) module's
//! documentation; they are the same for every operation of the client.
//!
//! Transport failures are mapped in `transport`; the results of generated calls are
//! sorted in `call`.

use reqwest::header::HeaderMap;

use crate::{
    error::Error,
    error::{ApiError, ApiMessage, BodyError, DecodeError},
    text::one_line,
    types::operation::Operation,
    wire::response::Response,
    wire::shapes::{Envelope, LenientEnvelope, api_message},
    wire::transport::{cf_ray, content_type, parse_retry_after, redirected},
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
    let messages: Vec<ApiMessage> = messages.into_iter().map(api_message).collect();
    if !success || !(200..300).contains(&status) {
        return Err(api_error(
            operation,
            status,
            headers,
            errors.into_iter().map(api_message).collect(),
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

/// Any body decoded by the envelope rules, its `result` kept as JSON. Every text
/// taken from the server is cut to a bounded length: `cf-ray` after 64 characters,
/// `content-type` after 100, a message after 500, the excerpt after 120. (Masking
/// the client's credentials is the client's: this function has none.)
#[cfg(test)]
pub(crate) fn decode_envelope(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<serde_json::Value>, Error> {
    decode_bytes::<crate::wire::shapes::ValueEnvelope>(operation, status, headers, body)
}

/// A List Service Bindings body decoded as `list()` decodes it: the envelope, then each
/// binding converted to the wrapper's types. For the tests and the benchmarks.
#[cfg(any(test, feature = "bench"))]
pub(crate) fn decode_bindings(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<Vec<crate::types::binding::ServiceBinding>>, Error> {
    use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as Wire;
    let operation = Operation::ListBindings;
    decode_bytes::<Wire>(operation, status, headers, body)?
        .convert(operation, crate::types::binding::bindings_from_wire)
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
