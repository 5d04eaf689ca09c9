//! The envelope rules, on raw bodies.
#![allow(clippy::unwrap_used)]

use super::*;
use cf_bindings_generated::types;

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
    let err = decode_bytes::<types::IpAddressManagementServiceBindingsListServiceBindingsResponse>(
        Operation::ListBindings,
        200,
        &headers(),
        body,
    )
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
    let err = decode_bytes::<types::IpAddressManagementServiceBindingsListServiceBindingsResponse>(
        Operation::ListBindings,
        200,
        &headers(),
        body,
    )
    .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.field, "result[0].id");
}

#[test]
fn big_codes_survive() {
    let body = br#"{"success":false,"errors":[{"code":4294967296,"message":"big"}],"messages":[]}"#;
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
    let ok = decode_bindings(200, &headers(), body(&[binding("192.0.2.0/24")]).as_bytes()).unwrap();
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

#[test]
fn the_delete_envelope_keeps_success_and_errors() {
    let body =
        br#"{"success":true,"errors":[],"messages":[{"code":3,"message":"m"}],"result":null}"#;
    let ok = decode_bytes::<types::AddressingApiResponseCommon>(
        Operation::DeleteBinding,
        200,
        &headers(),
        body,
    )
    .unwrap();
    assert_eq!(ok.messages, vec![ApiMessage::new(3, "m")]);
    let body =
        br#"{"success":false,"errors":[{"code":1000,"message":"no"}],"messages":[],"result":null}"#;
    let err = decode_bytes::<types::AddressingApiResponseCommon>(
        Operation::DeleteBinding,
        200,
        &headers(),
        body,
    )
    .unwrap_err();
    assert_eq!(err.codes(), vec![1000]);
}
