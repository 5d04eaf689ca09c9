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
//! - a success whose `result` does not fit → [`Error::Decode`] naming the field.
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
    transport::{cf_ray, parse_retry_after},
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
pub(crate) fn decode_bytes<E: Envelope>(
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
/// - (in the client) transport failures → [`Error::Connect`], [`Error::Transport`] or
///   [`Error::Timeout`].
///
/// # Errors
/// [`Error::Api`], [`Error::UnexpectedBody`] or [`Error::Decode`], per the rules
/// above.
pub fn decode_envelope(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response<serde_json::Value>, Error> {
    decode_bytes::<ValueEnvelope>(operation, status, headers, body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use cf_bindings_generated::types;

    use super::*;
    use crate::model::ServiceBinding;

    /// A List Service Bindings response decoded as the client does.
    fn decode_bindings(
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

    #[test]
    fn excerpts_are_one_line_and_cut_at_120_characters() {
        assert_eq!(excerpt(b"abc"), "abc");
        assert_eq!(excerpt(b"a\n  b"), "a b");
        let exact = "a".repeat(120);
        assert_eq!(excerpt(exact.as_bytes()), exact);
        let long = "a".repeat(200);
        assert_eq!(excerpt(long.as_bytes()), format!("{}…", "a".repeat(120)));
        // 150 two-byte characters: the first 480 bytes hold all of them.
        let wide = "é".repeat(150);
        assert_eq!(excerpt(wide.as_bytes()), format!("{}…", "é".repeat(120)));
        // Only blanks in the bytes read, more bytes after them.
        let padded = format!("{}x", " ".repeat(1000));
        assert_eq!(excerpt(padded.as_bytes()), "…");
    }

    #[test]
    fn what_a_body_that_is_not_the_envelope_is_called() {
        let reason = |body: &[u8]| {
            let err = decode_envelope(Operation::ListBindings, 502, &headers(), body).unwrap_err();
            let Error::UnexpectedBody(e) = err else {
                panic!("{err:?}")
            };
            e.reason
        };
        assert_eq!(
            reason(b"  \n"),
            "empty body instead of Cloudflare's JSON envelope"
        );
        assert_eq!(
            reason(br#"{"foo":1}"#),
            "JSON that is not Cloudflare's envelope"
        );
        assert!(
            reason(b"<html>").starts_with("body is not Cloudflare's JSON envelope ("),
            "{}",
            reason(b"<html>")
        );
    }

    #[test]
    fn a_body_error_keeps_the_headers_that_matter() {
        let mut h = headers();
        h.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("text/html"),
        );
        h.insert(
            "retry-after",
            reqwest::header::HeaderValue::from_static("5"),
        );
        let err = decode_envelope(Operation::GetBinding, 503, &h, b"<p>busy</p>").unwrap_err();
        let Error::UnexpectedBody(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.operation, Operation::GetBinding);
        assert_eq!(e.status, 503);
        assert_eq!(e.content_type.as_deref(), Some("text/html"));
        assert_eq!(e.excerpt, "<p>busy</p>");
        assert_eq!(e.cf_ray.as_deref(), Some("8c2f-TEST"));
        assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(5)));
    }

    #[test]
    fn an_api_error_keeps_every_part() {
        let mut h = headers();
        h.insert(
            "retry-after",
            reqwest::header::HeaderValue::from_static("7"),
        );
        // The lenient reading (4xx): a message without text, with a link and a pointer.
        let body = br#"{"success":false,"errors":[{"code":5,"documentation_url":"https://d","source":{"pointer":"/cidr"}},{"code":6,"message":"m"}],"messages":[{"code":9,"message":"note"}]}"#;
        let err = decode_envelope(Operation::CreateBinding, 429, &h, body).unwrap_err();
        let Error::Api(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.operation, Operation::CreateBinding);
        assert_eq!(e.status, 429);
        assert_eq!(e.cf_ray.as_deref(), Some("8c2f-TEST"));
        assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(7)));
        let mut first = ApiMessage::new(5, "");
        first.documentation_url = Some("https://d".to_owned());
        first.pointer = Some("/cidr".to_owned());
        assert_eq!(e.errors, vec![first, ApiMessage::new(6, "m")]);
        assert_eq!(e.messages, vec![ApiMessage::new(9, "note")]);

        // The typed reading (2xx with success: false) keeps the same parts.
        let body = br#"{"success":false,"errors":[{"code":5,"message":"x","documentation_url":"https://d","source":{"pointer":"/cidr"}}],"messages":[{"code":9,"message":"note"}],"result":null}"#;
        let err = decode_envelope(Operation::CreateBinding, 200, &h, body).unwrap_err();
        let Error::Api(e) = &err else {
            panic!("{err:?}")
        };
        let mut first = ApiMessage::new(5, "x");
        first.documentation_url = Some("https://d".to_owned());
        first.pointer = Some("/cidr".to_owned());
        assert_eq!(e.errors, vec![first]);
        assert_eq!(e.messages, vec![ApiMessage::new(9, "note")]);
        assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(7)));
    }

    #[test]
    fn success_true_on_an_error_status_is_still_an_error() {
        let body = br#"{"success":true,"errors":[],"messages":[],"result":null}"#;
        let err = decode_envelope(Operation::ListBindings, 500, &headers(), body).unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert_eq!(err.status(), Some(500));
    }

    #[test]
    fn a_success_keeps_messages_status_and_ray() {
        let body = br#"{"success":true,"errors":[],"messages":[{"code":3,"message":"deprecated"}],"result":[1]}"#;
        let ok = decode_envelope(Operation::ListBindings, 201, &headers(), body).unwrap();
        assert_eq!(ok.result, serde_json::json!([1]));
        assert_eq!(ok.messages, vec![ApiMessage::new(3, "deprecated")]);
        assert_eq!(ok.status, 201);
        assert_eq!(ok.cf_ray.as_deref(), Some("8c2f-TEST"));
    }

    #[test]
    fn a_field_missing_at_the_top_names_the_result() {
        let body = br#"{"success":true,"messages":[],"result":[]}"#;
        let err = decode_bindings(200, &headers(), body).unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.field, "result");
        assert_eq!(d.status, 200);
        assert_eq!(d.cf_ray.as_deref(), Some("8c2f-TEST"));
        assert!(d.reason.contains("errors"), "{}", d.reason);
    }
}
