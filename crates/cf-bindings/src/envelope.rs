//! Cloudflare's response envelope: the one place where responses become
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
//! - transport failures → [`Error::Connect`], [`Error::Transport`] or
//!   [`Error::Timeout`].

use std::{ops::Deref, time::Duration};

use cf_bindings_generated::{ResponseRecorder, types};
use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;
use serde::{Deserialize, de::DeserializeOwned};

use crate::{
    error::{ApiError, ApiMessage, BodyError, DecodeError, Error, Operation, one_line},
    model::{FieldError, ServiceBinding},
    retry::parse_retry_after,
};

/// The error type of every generated operation.
pub(crate) type GenError = progenitor_client::Error<types::AddressingApiResponseCommonFailure>;

/// A successful answer: the `result`, plus what else the envelope and headers said.
///
/// It dereferences to the result, so `response.len()` or `binding.cidr` work
/// directly; [`Response::into_inner`] takes the result out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The envelope's `result`, converted.
    pub result: T,
    /// The envelope's `messages` (also logged at warn when not empty).
    pub messages: Vec<ApiMessage>,
    /// The HTTP status.
    pub status: u16,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl<T> Response<T> {
    /// The result, without the rest.
    pub fn into_inner(self) -> T {
        self.result
    }

    /// Applies `f` to the result, keeping the rest.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            result: f(self.result),
            messages: self.messages,
            status: self.status,
            cf_ray: self.cf_ray,
        }
    }

    /// Converts the wire result to the crate's model; a field that does not fit is an
    /// [`Error::Decode`].
    pub(crate) fn convert<U>(
        self,
        operation: Operation,
        f: impl FnOnce(T) -> Result<U, FieldError>,
    ) -> Result<Response<U>, Error> {
        let Response {
            result,
            messages,
            status,
            cf_ray,
        } = self;
        match f(result) {
            Ok(result) => Ok(Response {
                result,
                messages,
                status,
                cf_ray,
            }),
            Err((field, reason)) => Err(Error::Decode(Box::new(DecodeError {
                operation,
                status,
                field,
                reason,
                cf_ray,
            }))),
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.result
    }
}

/// A generated response type: an envelope with a typed `result`.
pub(crate) trait Envelope: DeserializeOwned {
    /// The type of `result`.
    type Result;
    /// `success`, `errors`, `messages` and `result`.
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        Self::Result,
    );
}

macro_rules! envelope {
    ($ty:ty, $result:ty, |$r:ident| $get:expr) => {
        impl Envelope for $ty {
            type Result = $result;
            fn into_parts(
                self,
            ) -> (
                bool,
                Vec<types::AddressingMessage>,
                Vec<types::AddressingMessage>,
                $result,
            ) {
                // Exhaustive on purpose: a new envelope field is a compile error here.
                let Self {
                    success,
                    errors,
                    messages,
                    result: $r,
                } = self;
                (success, errors.0, messages.0, $get)
            }
        }
    };
}

envelope!(
    types::IpAddressManagementServiceBindingsListServiceBindingsResponse,
    Vec<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsCreateServiceBindingResponse,
    Option<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsGetServiceBindingResponse,
    Option<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsListServicesResponse,
    Vec<types::AddressingService>,
    |r| r
);

impl Envelope for types::AddressingApiResponseCommon {
    type Result = ();
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        (),
    ) {
        let Self {
            success,
            errors,
            messages,
        } = self;
        (success, errors.0, messages.0, ())
    }
}

/// An envelope with any `result`, used by [`decode_envelope`].
#[derive(Deserialize)]
struct ValueEnvelope {
    success: bool,
    errors: types::AddressingMessages,
    messages: types::AddressingMessages,
    #[serde(default)]
    result: serde_json::Value,
}

impl Envelope for ValueEnvelope {
    type Result = serde_json::Value;
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        serde_json::Value,
    ) {
        (self.success, self.errors.0, self.messages.0, self.result)
    }
}

/// The most lenient reading of an envelope, used when the expected shape did not
/// decode: it only needs `success`, so that no error items are ever lost.
#[derive(Deserialize)]
struct LenientEnvelope {
    success: bool,
    #[serde(default)]
    errors: Option<Vec<LenientMessage>>,
    #[serde(default)]
    messages: Option<Vec<LenientMessage>>,
}

#[derive(Deserialize)]
struct LenientMessage {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    documentation_url: Option<String>,
    #[serde(default)]
    source: Option<LenientSource>,
}

#[derive(Deserialize)]
struct LenientSource {
    #[serde(default)]
    pointer: Option<String>,
}

impl From<LenientMessage> for ApiMessage {
    fn from(m: LenientMessage) -> Self {
        ApiMessage {
            code: m.code,
            message: m.message.unwrap_or_default(),
            documentation_url: m.documentation_url,
            pointer: m.source.and_then(|s| s.pointer),
        }
    }
}

impl From<types::AddressingMessage> for ApiMessage {
    fn from(m: types::AddressingMessage) -> Self {
        // Exhaustive on purpose: a new message field is a compile error here.
        let types::AddressingMessage {
            code,
            documentation_url,
            message,
            source,
        } = m;
        let pointer = source.and_then(|types::AddressingMessageSource { pointer }| pointer);
        ApiMessage {
            code,
            message,
            documentation_url,
            pointer,
        }
    }
}

/// The `cf-ray` header.
pub(crate) fn cf_ray(headers: &HeaderMap) -> Option<String> {
    headers
        .get("cf-ray")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

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

fn api_error(
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
    }))
}

/// Turns a decoded envelope into the result or an API error.
fn finish<E: Envelope>(
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
    for message in &messages {
        tracing::warn!(
            operation = %operation,
            code = message.code,
            cf_ray = cf_ray.as_deref().unwrap_or("-"),
            "Cloudflare message: {}",
            one_line(&message.message)
        );
    }
    Ok(Response {
        result,
        messages,
        status,
        cf_ray,
    })
}

/// Decodes a raw body as the envelope `E`, falling back to the lenient envelope and
/// then to a [`BodyError`] when it does not fit.
fn decode_bytes<E: Envelope>(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<E::Result>, Error> {
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
            Err(Error::Decode(Box::new(DecodeError {
                operation,
                status,
                field,
                reason,
                cf_ray: cf_ray(headers),
            })))
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
                content_type: headers
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                reason,
                excerpt: excerpt(body),
                cf_ray: cf_ray(headers),
                retry_after: parse_retry_after(headers),
            })))
        }
    }
}

/// Decodes any response: `status`, `headers` and `body` as received. The `result` is
/// returned as untyped JSON.
///
/// This is the decoder the client applies to every response, exposed for testing and
/// for callers handling raw responses. It never panics, whatever the bytes.
///
/// # Errors
/// [`Error::Api`], [`Error::UnexpectedBody`] or [`Error::Decode`], per the rules of
/// this module.
pub fn decode_envelope(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<serde_json::Value>, Error> {
    decode_bytes::<ValueEnvelope>(operation, status, headers, body)
}

/// Decodes a raw List Service Bindings response into the crate's types, as the
/// client does: `status`, `headers` and `body` as received.
///
/// For callers that fetch or store raw responses themselves. It never panics,
/// whatever the bytes.
///
/// # Errors
/// [`Error::Api`], [`Error::UnexpectedBody`] or [`Error::Decode`], per the rules of
/// this module.
pub fn decode_bindings(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<Vec<ServiceBinding>>, Error> {
    let operation = Operation::ListBindings;
    decode_bytes::<types::IpAddressManagementServiceBindingsListServiceBindingsResponse>(
        operation, status, headers, body,
    )?
    .convert(operation, crate::model::bindings_from_wire)
}

/// Maps a transport-level reqwest error, keeping connect failures (surely not
/// processed) apart from failures after sending (ambiguous) and timeouts.
pub(crate) fn transport_error(
    operation: Operation,
    error: reqwest::Error,
    status: Option<u16>,
    timeout: Duration,
) -> Error {
    if error.is_connect() {
        Error::Connect {
            operation,
            source: error,
        }
    } else if error.is_timeout() {
        Error::Timeout {
            operation,
            after: timeout,
        }
    } else if error.is_builder() {
        Error::Other {
            operation,
            message: format!("cannot build the request: {error}"),
        }
    } else {
        Error::Transport {
            operation,
            status,
            source: error,
        }
    }
}

fn body_too_large(
    operation: Operation,
    status: Option<u16>,
    headers: &HeaderMap,
    recorder: &ResponseRecorder,
) -> Error {
    Error::BodyTooLarge {
        operation,
        status,
        limit: recorder.body_limit().unwrap_or_default(),
        cf_ray: cf_ray(headers),
    }
}

/// Turns the result of a generated operation into `Result<Response<_>, Error>`.
///
/// `recorder` is the one given to the generated client that made the call; it supplies
/// the status and headers that progenitor drops when a body does not decode.
pub(crate) async fn decode<E: Envelope>(
    operation: Operation,
    result: Result<ResponseValue<E>, GenError>,
    recorder: &ResponseRecorder,
    timeout: Duration,
) -> Result<Response<E::Result>, Error> {
    let head = recorder.take();
    let head_status = head.as_ref().map(|h| h.status.as_u16());
    match result {
        Ok(value) => {
            let status = value.status().as_u16();
            let headers = value.headers().clone();
            finish(operation, status, &headers, value.into_inner())
        }
        Err(GenError::ErrorResponse(value)) => {
            let status = value.status().as_u16();
            let headers = value.headers().clone();
            // Exhaustive on purpose: a new field of the failure envelope is a
            // compile error here. `success` is `false` by the status; `result` is
            // null or absent on failures and carries nothing to report.
            let types::AddressingApiResponseCommonFailure {
                errors,
                messages,
                result: _,
                success: _,
            } = value.into_inner();
            Err(api_error(
                operation,
                status,
                &headers,
                errors.0.into_iter().map(ApiMessage::from).collect(),
                messages.0.into_iter().map(ApiMessage::from).collect(),
            ))
        }
        Err(GenError::InvalidResponsePayload(bytes, _)) => {
            let (status, headers) = match head {
                Some(h) => (h.status.as_u16(), h.headers),
                None => (0, HeaderMap::new()),
            };
            decode_bytes::<E>(operation, status, &headers, &bytes)
        }
        Err(GenError::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(body) => decode_bytes::<E>(operation, status, &headers, &body),
                Err(e) if cf_bindings_generated::is_body_too_large(&e) => {
                    Err(body_too_large(operation, Some(status), &headers, recorder))
                }
                Err(e) => Err(transport_error(operation, e, Some(status), timeout)),
            }
        }
        Err(GenError::CommunicationError(e)) => Err(transport_error(operation, e, None, timeout)),
        Err(GenError::ResponseBodyError(e)) if cf_bindings_generated::is_body_too_large(&e) => {
            let headers = head.map(|h| h.headers).unwrap_or_default();
            Err(body_too_large(operation, head_status, &headers, recorder))
        }
        Err(GenError::ResponseBodyError(e) | GenError::InvalidUpgrade(e)) => {
            Err(transport_error(operation, e, head_status, timeout))
        }
        Err(GenError::InvalidRequest(message) | GenError::Custom(message)) => {
            Err(Error::Other { operation, message })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "cf-ray",
            reqwest::header::HeaderValue::from_static("8c2f-TEST"),
        );
        h
    }

    #[test]
    fn success_false_on_200_is_an_error() {
        let body = br#"{"success":false,"errors":[{"code":1099,"message":"nope"}],"messages":[],"result":null}"#;
        let err = decode_envelope(Operation::ListBindings, 200, &headers(), body).unwrap_err();
        assert_eq!(err.codes(), vec![1099]);
        assert_eq!(
            err.to_string(),
            "list service bindings: HTTP 200 with success=false: Cloudflare error 1099: nope (cf-ray 8c2f-TEST)"
        );
    }

    #[test]
    fn success_false_on_list_with_null_result() {
        // The typed list envelope cannot hold `result: null`; the errors must survive.
        let body =
            br#"{"success":false,"errors":[{"code":7,"message":"x"}],"messages":[],"result":null}"#;
        let err = decode_bytes::<
            types::IpAddressManagementServiceBindingsListServiceBindingsResponse,
        >(Operation::ListBindings, 200, &headers(), body)
        .unwrap_err();
        assert_eq!(err.codes(), vec![7]);
    }

    #[test]
    fn html_is_a_body_error() {
        let err = decode_envelope(
            Operation::GetBinding,
            502,
            &headers(),
            b"<html>\n<b>Bad gateway</b></html>",
        )
        .unwrap_err();
        assert!(matches!(err, Error::UnexpectedBody(_)));
        assert_eq!(err.status(), Some(502));
        assert!(
            err.to_string().contains("<html> <b>Bad gateway</b></html>"),
            "{err}"
        );
    }

    #[test]
    fn decode_error_names_the_field() {
        let body = br#"{"success":true,"errors":[],"messages":[],"result":[{"id":5}]}"#;
        let err = decode_bytes::<
            types::IpAddressManagementServiceBindingsListServiceBindingsResponse,
        >(Operation::ListBindings, 200, &headers(), body)
        .unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.field, "result[0].id");
    }

    #[test]
    fn big_codes_survive() {
        let body =
            br#"{"success":false,"errors":[{"code":4294967296,"message":"big"}],"messages":[]}"#;
        let err = decode_envelope(Operation::ListServices, 400, &headers(), body).unwrap_err();
        assert_eq!(err.codes(), vec![4_294_967_296]);
    }

    #[test]
    fn decode_bindings_converts_and_names_what_does_not_fit() {
        let binding = |cidr: &str| {
            format!(
                r#"{{"id":"b1","cidr":"{cidr}","service_id":"s1","service_name":"CDN","provisioning":{{"state":"active"}}}}"#
            )
        };
        let body = |items: &[String]| {
            format!(
                r#"{{"success":true,"errors":[],"messages":[],"result":[{}]}}"#,
                items.join(",")
            )
        };
        let ok =
            decode_bindings(200, &headers(), body(&[binding("192.0.2.0/24")]).as_bytes()).unwrap();
        assert_eq!(ok.result[0].cidr.to_string(), "192.0.2.0/24");
        assert!(ok.result[0].state.is_active());

        let bad = body(&[binding("192.0.2.0/24"), binding("192.0.2.7/24")]);
        let err = decode_bindings(200, &headers(), bad.as_bytes()).unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.field, "result[1].cidr");

        let refused = br#"{"success":false,"errors":[{"code":1002,"message":"no"}],"messages":[]}"#;
        assert_eq!(
            decode_bindings(200, &headers(), refused)
                .unwrap_err()
                .codes(),
            vec![1002]
        );
    }
}
