//! Request bodies: duplicate keys and non-JSON content types refused, bad bodies
//! answered with 400 envelopes naming the field; unknown routes and wrong methods
//! answered with envelopes.

use super::*;

async fn post_raw(emu: &Emu, body: &'static str) -> common::Answer {
    post_typed(emu, Some("application/json"), body).await
}

async fn post_typed(emu: &Emu, content_type: Option<&str>, body: &'static str) -> common::Answer {
    let mut request = emu
        .client
        .post(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
        .bearer_auth(cf_bindings_emulator::DEFAULT_API_TOKEN);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.body(body).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap();
    common::Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn duplicate_keys_and_non_json_content_types_are_refused() {
    let emu = start().await;
    let body = r#"{"cidr": "203.0.113.7/32", "service_id": "x", "cidr": "203.0.113.8/32"}"#;
    let msg = post_raw(&emu, body)
        .await
        .expect_error(400, error_codes::DUPLICATE_KEY);
    assert!(msg.contains("duplicate key `cidr`"), "{msg}");

    let json = r#"{"cidr": "203.0.113.7/32", "service_id": "0ee3c9d2ed4e4ad4b8fcbe9a1e4b3e1c"}"#;
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let msg = post_typed(&emu, Some(content_type), json)
            .await
            .expect_error(400, error_codes::NOT_JSON_CONTENT_TYPE);
        assert!(msg.contains(content_type), "{msg}");
    }
    // JSON with parameters, a +json type, or no type at all are accepted: the
    // request then fails or succeeds on its merits only.
    for content_type in [
        Some("application/json; charset=utf-8"),
        Some("application/problem+json"),
        None,
    ] {
        let answer = post_typed(&emu, content_type, body).await;
        answer.expect_error(400, error_codes::DUPLICATE_KEY);
    }
    assert!(
        emu.list(DEMO_IPV4_PREFIX_ID)
            .await
            .iter()
            .all(|b| b["cidr"] != "203.0.113.7/32")
    );
}

#[tokio::test]
async fn bad_bodies_are_400_envelopes_naming_the_field() {
    let emu = start().await;
    for body in ["{", "", "{\"cidr\": }", "not json"] {
        let msg = post_raw(&emu, body)
            .await
            .expect_error(400, error_codes::MALFORMED_JSON);
        assert!(msg.starts_with("Malformed JSON"), "{msg}");
    }
    for body in ["[]", "\"203.0.113.0/24\"", "42", "null"] {
        post_raw(&emu, body)
            .await
            .expect_error(400, error_codes::BODY_NOT_OBJECT);
    }
    let cases = [
        (r#"{"service_id": "x"}"#, error_codes::MISSING_FIELD, "cidr"),
        (
            r#"{"cidr": null, "service_id": "x"}"#,
            error_codes::MISSING_FIELD,
            "cidr",
        ),
        (
            r#"{"cidr": "203.0.113.8/29"}"#,
            error_codes::MISSING_FIELD,
            "service_id",
        ),
        (
            r#"{"cidr": 42, "service_id": "x"}"#,
            error_codes::WRONG_FIELD_TYPE,
            "cidr",
        ),
        (
            r#"{"cidr": "203.0.113.8/29", "service_id": ["x"]}"#,
            error_codes::WRONG_FIELD_TYPE,
            "service_id",
        ),
        (
            r#"{"cidr": "203.0.113.8/29", "service_id": true}"#,
            error_codes::WRONG_FIELD_TYPE,
            "service_id",
        ),
    ];
    for (body, code, field) in cases {
        let answer = post_raw(&emu, body).await;
        let msg = answer.expect_error(400, code);
        assert!(msg.contains(&format!("`{field}`")), "{msg}");
        assert_eq!(
            answer.body["errors"][0]["source"]["pointer"],
            format!("/{field}")
        );
    }
    // Unknown extra fields are ignored.
    let answer = post_raw(
        &emu,
        r#"{"cidr": "203.0.113.8/29", "service_id": "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b", "extra": 1}"#,
    )
    .await;
    assert_success(&answer, 201);
    // Too large.
    let big = format!("{{\"cidr\": \"{}\"}}", "x".repeat(100 * 1024));
    let response = emu
        .client
        .post(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
        .bearer_auth(cf_bindings_emulator::DEFAULT_API_TOKEN)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], error_codes::BODY_TOO_LARGE);
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_envelopes() {
    let emu = start_with(config()).await;
    for path in [
        format!("{}/nope", emu.base),
        format!("{}/accounts/{DEMO_ACCOUNT_ID}/addressing", emu.base),
        format!("{}/", emu.root),
        format!("{}/client/v4", emu.root),
        // Faults are off here.
        format!("{}/__emulator/faults", emu.root),
    ] {
        let answer = emu.call(Method::GET, &path, None).await;
        answer.expect_error(404, error_codes::NO_ROUTE);
        assert_eq!(answer.body["errors"][0]["message"], "No route for the URI");
        assert_common_headers(&answer);
    }
    let bindings = emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID);
    let binding = emu.binding_url(
        DEMO_ACCOUNT_ID,
        DEMO_IPV4_PREFIX_ID,
        DEMO_IPV4_BASE_BINDING_ID,
    );
    for (method, url) in [
        (Method::PUT, bindings.clone()),
        (Method::DELETE, bindings),
        (Method::POST, binding.clone()),
        (Method::PATCH, binding),
        (Method::POST, emu.services_url(DEMO_ACCOUNT_ID)),
    ] {
        let answer = emu.call(method, &url, None).await;
        answer.expect_error(405, error_codes::METHOD_NOT_ALLOWED);
        assert_common_headers(&answer);
    }
}
