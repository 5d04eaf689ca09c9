//! Every endpoint, rule and error, over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use cf_bindings_emulator::{
    CDN_SERVICE_ID, Credentials, DEMO_ACCOUNT_ID, DEMO_IPV4_BASE_BINDING_ID, DEMO_IPV4_PREFIX_CIDR,
    DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR, DEMO_IPV6_PREFIX_ID, EmulatorConfig, Error,
    MAGIC_TRANSIT_SERVICE_ID, SPECTRUM_SERVICE_ID, Seed, error_codes,
};
use common::{Emu, check_invariants, config, is_id, start, start_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OTHER_ID: &str = "ffffffffffffffffffffffffffffffff";

fn assert_common_headers(answer: &common::Answer) {
    let content_type = answer.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let ray = answer.headers["cf-ray"].to_str().unwrap();
    let (hex, suffix) = ray.split_once('-').unwrap();
    assert_eq!(suffix, "EMU");
    assert_eq!(hex.len(), 16);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
}

fn assert_success(answer: &common::Answer, status: u16) {
    assert_eq!(answer.status.as_u16(), status, "{:#}", answer.body);
    assert_eq!(answer.body["success"], json!(true));
    assert_eq!(answer.body["errors"], json!([]));
    assert_eq!(answer.body["messages"], json!([]));
    assert_common_headers(answer);
}

#[tokio::test]
async fn list_services_returns_the_three_services() {
    let emu = start().await;
    let answer = emu
        .call(Method::GET, &emu.services_url(DEMO_ACCOUNT_ID), None)
        .await;
    assert_success(&answer, 200);
    assert_eq!(
        answer.body["result"],
        json!([
            {"id": MAGIC_TRANSIT_SERVICE_ID, "name": "Magic Transit"},
            {"id": CDN_SERVICE_ID, "name": "CDN"},
            {"id": SPECTRUM_SERVICE_ID, "name": "Spectrum"},
        ])
    );
}

#[tokio::test]
async fn default_seed_has_an_active_ipv4_base_and_an_empty_ipv6_prefix() {
    let emu = start().await;
    let v4 = emu.list(DEMO_IPV4_PREFIX_ID).await;
    assert_eq!(
        v4,
        vec![json!({
            "id": DEMO_IPV4_BASE_BINDING_ID,
            "cidr": DEMO_IPV4_PREFIX_CIDR,
            "service_id": MAGIC_TRANSIT_SERVICE_ID,
            "service_name": "Magic Transit",
            "provisioning": {"state": "active"},
        })]
    );
    assert!(emu.list(DEMO_IPV6_PREFIX_ID).await.is_empty());
    let get = emu
        .call(
            Method::GET,
            &emu.binding_url(
                DEMO_ACCOUNT_ID,
                DEMO_IPV4_PREFIX_ID,
                DEMO_IPV4_BASE_BINDING_ID,
            ),
            None,
        )
        .await;
    assert_success(&get, 200);
    assert_eq!(get.body["result"], v4[0]);
}

#[tokio::test]
async fn create_get_list_delete_round_trip() {
    let emu = start().await;
    let created = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/29", CDN_SERVICE_ID)
        .await;
    assert_success(&created, 201);
    let binding = created.body["result"].clone();
    assert!(is_id(&binding["id"]), "{binding}");
    assert_eq!(binding["cidr"], "203.0.113.16/29");
    assert_eq!(binding["service_id"], CDN_SERVICE_ID);
    assert_eq!(binding["service_name"], "CDN");
    assert_eq!(binding["provisioning"]["state"], "active");
    let id = binding["id"].as_str().unwrap();

    let url = emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, id);
    let got = emu.call(Method::GET, &url, None).await;
    assert_success(&got, 200);
    assert_eq!(got.body["result"], binding);
    let listed = emu.list(DEMO_IPV4_PREFIX_ID).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1], binding);

    let deleted = emu.call(Method::DELETE, &url, None).await;
    assert_success(&deleted, 200);
    let body = deleted.body.as_object().unwrap();
    assert!(!body.contains_key("result"), "{body:?}");

    emu.call(Method::GET, &url, None)
        .await
        .expect_error(404, error_codes::BINDING_NOT_FOUND);
    emu.call(Method::DELETE, &url, None)
        .await
        .expect_error(404, error_codes::BINDING_NOT_FOUND);
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn provisioning_turns_active_after_the_delay() {
    let emu = start_with(EmulatorConfig {
        provisioning_delay: Duration::from_millis(300),
        ..config()
    })
    .await;
    let created = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            DEMO_IPV6_PREFIX_CIDR,
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await;
    assert_eq!(
        created.body["result"]["provisioning"]["state"],
        "provisioning"
    );
    let id = created.body["result"]["id"].as_str().unwrap().to_owned();
    let url = emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV6_PREFIX_ID, &id);
    let mut state = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let got = emu.call(Method::GET, &url, None).await;
        state = got.body["result"]["provisioning"]["state"]
            .as_str()
            .unwrap()
            .to_owned();
        if state == "active" {
            break;
        }
        assert_eq!(state, "provisioning");
    }
    assert_eq!(state, "active");

    // A long delay keeps it provisioning; the seeded base stays active.
    let slow = start_with(EmulatorConfig {
        provisioning_delay: Duration::from_secs(3600),
        ..config()
    })
    .await;
    let created = slow
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.1/32", CDN_SERVICE_ID)
        .await;
    assert_eq!(
        created.body["result"]["provisioning"]["state"],
        "provisioning"
    );
    let listed = slow.list(DEMO_IPV4_PREFIX_ID).await;
    assert_eq!(listed[0]["provisioning"]["state"], "active");
    assert_eq!(listed[1]["provisioning"]["state"], "provisioning");
}

#[tokio::test]
async fn first_binding_must_equal_the_prefix() {
    let emu = start().await;
    let msg = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            "2001:db8:1000::/64",
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await
        .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert!(msg.contains(DEMO_IPV6_PREFIX_CIDR), "{msg}");
    // Wider than the prefix is refused too.
    emu.create(
        DEMO_IPV6_PREFIX_ID,
        "2001:db8::/32",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert!(emu.list(DEMO_IPV6_PREFIX_ID).await.is_empty());
    let base = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            DEMO_IPV6_PREFIX_CIDR,
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await;
    assert_success(&base, 201);
    assert_success(
        &emu.create(DEMO_IPV6_PREFIX_ID, "2001:db8:1000:1::/64", CDN_SERVICE_ID)
            .await,
        201,
    );
}

#[tokio::test]
async fn later_bindings_must_lie_strictly_inside_the_prefix() {
    let emu = start().await;
    for outside in [
        "203.0.112.0/24",
        "203.0.112.0/23",
        "198.51.100.7/32",
        "2001:db8:1000::/64",
    ] {
        let answer = emu
            .create(DEMO_IPV4_PREFIX_ID, outside, CDN_SERVICE_ID)
            .await;
        answer.expect_error(400, error_codes::CIDR_OUTSIDE_PREFIX);
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/cidr");
    }
    // The prefix itself again is a duplicate of the base.
    emu.create(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_PREFIX_CIDR, CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::DUPLICATE_BINDING);
}

#[tokio::test]
async fn cidr_must_be_well_formed_without_host_bits() {
    let emu = start().await;
    for bad in [
        "banana",
        "203.0.113.0",
        "203.0.113.0/33",
        "203.0.113.0/-1",
        "",
    ] {
        let answer = emu.create(DEMO_IPV4_PREFIX_ID, bad, CDN_SERVICE_ID).await;
        let msg = answer.expect_error(400, error_codes::INVALID_CIDR);
        assert!(msg.contains("CIDR"), "{msg}");
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/cidr");
    }
    // Octets with leading zeros would silently become decimal: refused, named.
    for (bad, octet) in [
        ("203.0.113.010/32", "\"010\""),
        ("203.000.113.20/32", "\"000\""),
    ] {
        let answer = emu.create(DEMO_IPV4_PREFIX_ID, bad, CDN_SERVICE_ID).await;
        let msg = answer.expect_error(400, error_codes::INVALID_CIDR);
        assert!(msg.contains(octet) && msg.contains("leading zero"), "{msg}");
    }
    let msg = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.1/24", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CIDR_HOST_BITS);
    assert!(msg.contains("203.0.113.0/24"), "suggests the fix: {msg}");
    emu.create(DEMO_IPV6_PREFIX_ID, "2001:db8:1000::1/48", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CIDR_HOST_BITS);
}

#[tokio::test]
async fn service_id_must_exist() {
    let emu = start().await;
    let answer = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.8/29", OTHER_ID)
        .await;
    let msg = answer.expect_error(400, error_codes::UNKNOWN_SERVICE);
    assert!(msg.contains(OTHER_ID), "{msg}");
    assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/service_id");
}

#[tokio::test]
async fn duplicate_and_nested_more_specific_bindings_are_refused() {
    let emu = start().await;
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::DUPLICATE_BINDING);
    emu.create(
        DEMO_IPV4_PREFIX_ID,
        "203.0.113.16/28",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::DUPLICATE_BINDING);
    // Inside and around the /28.
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.20/30", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::OVERLAPPING_BINDING);
    emu.create(
        DEMO_IPV4_PREFIX_ID,
        "203.0.113.0/26",
        MAGIC_TRANSIT_SERVICE_ID,
    )
    .await
    .expect_error(400, error_codes::OVERLAPPING_BINDING);
    // Adjacent is fine.
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.32/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    check_invariants(DEMO_IPV4_PREFIX_CIDR, &emu.list(DEMO_IPV4_PREFIX_ID).await);
}

#[tokio::test]
async fn an_address_is_never_both_cdn_and_spectrum() {
    let emu = start().await;
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.16/28", CDN_SERVICE_ID)
            .await,
        201,
    );
    assert_success(
        &emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.64/26", SPECTRUM_SERVICE_ID)
            .await,
        201,
    );
    let msg = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.17/32", SPECTRUM_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);
    assert!(msg.contains("CDN"), "{msg}");
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.0/25", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.65/32", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::CDN_SPECTRUM_CONFLICT);

    // The base binding is exempt: a CDN base may carry Spectrum addresses.
    assert_success(
        &emu.create(DEMO_IPV6_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR, CDN_SERVICE_ID)
            .await,
        201,
    );
    assert_success(
        &emu.create(
            DEMO_IPV6_PREFIX_ID,
            "2001:db8:1000::1/128",
            SPECTRUM_SERVICE_ID,
        )
        .await,
        201,
    );
}

#[tokio::test]
async fn base_binding_cannot_be_deleted_while_others_exist() {
    let emu = start().await;
    let specific = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.5/32", CDN_SERVICE_ID)
        .await;
    let specific_id = specific.body["result"]["id"].as_str().unwrap().to_owned();
    let msg = emu
        .delete(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID)
        .await
        .expect_error(400, error_codes::BASE_BINDING_IN_USE);
    assert!(msg.contains("delete those first"), "{msg}");
    assert_success(&emu.delete(DEMO_IPV4_PREFIX_ID, &specific_id).await, 200);
    assert_success(
        &emu.delete(DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID)
            .await,
        200,
    );
    assert!(emu.list(DEMO_IPV4_PREFIX_ID).await.is_empty());
    // Empty again: the first-binding rule applies again.
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.5/32", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::FIRST_BINDING_MUST_MATCH_PREFIX);
    assert_success(
        &emu.create(
            DEMO_IPV4_PREFIX_ID,
            DEMO_IPV4_PREFIX_CIDR,
            SPECTRUM_SERVICE_ID,
        )
        .await,
        201,
    );
}

#[tokio::test]
async fn unknown_account_prefix_and_binding_are_404s() {
    let emu = start().await;
    let body = Some(json!({"cidr": "203.0.113.8/29", "service_id": CDN_SERVICE_ID}));
    let cases: Vec<(Method, String, Option<Value>, u64)> = vec![
        (
            Method::GET,
            emu.services_url(OTHER_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.bindings_url(OTHER_ID, DEMO_IPV4_PREFIX_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::POST,
            emu.bindings_url(OTHER_ID, DEMO_IPV4_PREFIX_ID),
            body.clone(),
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(OTHER_ID, DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(OTHER_ID, DEMO_IPV4_PREFIX_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::POST,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            body.clone(),
            error_codes::PREFIX_NOT_FOUND,
        ),
        // Not-found checks come before body checks.
        (
            Method::POST,
            emu.bindings_url(DEMO_ACCOUNT_ID, OTHER_ID),
            Some(json!({})),
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(DEMO_ACCOUNT_ID, OTHER_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(DEMO_ACCOUNT_ID, OTHER_ID, DEMO_IPV4_BASE_BINDING_ID),
            None,
            error_codes::PREFIX_NOT_FOUND,
        ),
        (
            Method::GET,
            emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, OTHER_ID),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
        (
            Method::DELETE,
            emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, OTHER_ID),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
        // A binding of another prefix is not found under this one.
        (
            Method::GET,
            emu.binding_url(
                DEMO_ACCOUNT_ID,
                DEMO_IPV6_PREFIX_ID,
                DEMO_IPV4_BASE_BINDING_ID,
            ),
            None,
            error_codes::BINDING_NOT_FOUND,
        ),
    ];
    for (method, url, body, code) in cases {
        let answer = emu.call(method.clone(), &url, body).await;
        answer.expect_error(404, code);
        assert_common_headers(&answer);
    }
}

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

async fn with_headers(emu: &Emu, headers: &[(&str, &str)]) -> common::Answer {
    let mut request = emu.client.get(emu.services_url(DEMO_ACCOUNT_ID));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    common::Answer {
        status,
        headers,
        body: response.json().await.unwrap(),
    }
}

#[tokio::test]
async fn auth_cases_have_distinct_codes() {
    let emu = start().await;
    let ok = |answer: common::Answer| assert_success(&answer, 200);
    ok(with_headers(&emu, &[("authorization", "Bearer emulator-token")]).await);
    ok(with_headers(&emu, &[("authorization", "bearer emulator-token")]).await);
    ok(with_headers(
        &emu,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await);
    ok(with_headers(
        &emu,
        &[
            ("x-auth-email", "Demo@Example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await);

    with_headers(&emu, &[])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    with_headers(&emu, &[("x-auth-email", "demo@example.com")])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    with_headers(&emu, &[("x-auth-key", "emulator-key")])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
    for bad in ["Basic ZGVtbzpkZW1v", "Bearer", "Bearer ", "emulator-token"] {
        with_headers(&emu, &[("authorization", bad)])
            .await
            .expect_error(400, error_codes::INVALID_AUTHORIZATION_FORMAT);
    }
    let msg = with_headers(&emu, &[("authorization", "Bearer wrong-token")])
        .await
        .expect_error(403, error_codes::INVALID_TOKEN);
    assert!(
        !msg.contains("wrong-token"),
        "the token is not echoed: {msg}"
    );
    with_headers(
        &emu,
        &[
            ("x-auth-email", "other@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);
    with_headers(
        &emu,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "wrong-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);

    // Every operation is guarded.
    let bindings = emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID);
    let binding = emu.binding_url(
        DEMO_ACCOUNT_ID,
        DEMO_IPV4_PREFIX_ID,
        DEMO_IPV4_BASE_BINDING_ID,
    );
    for (method, url) in [
        (Method::GET, bindings.clone()),
        (Method::POST, bindings),
        (Method::GET, binding.clone()),
        (Method::DELETE, binding),
    ] {
        let response = emu.client.request(method, url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn configured_and_any_credentials() {
    let custom = start_with(EmulatorConfig {
        credentials: Credentials {
            api_token: Some("s3cret".to_owned()),
            email: None,
            api_key: None,
            accept_any: false,
        },
        ..config()
    })
    .await;
    assert_success(
        &with_headers(&custom, &[("authorization", "Bearer s3cret")]).await,
        200,
    );
    with_headers(&custom, &[("authorization", "Bearer emulator-token")])
        .await
        .expect_error(403, error_codes::INVALID_TOKEN);
    with_headers(
        &custom,
        &[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "emulator-key"),
        ],
    )
    .await
    .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);
    let debug = format!("{:?}", Credentials::default());
    assert!(
        !debug.contains("emulator-token") && !debug.contains("emulator-key"),
        "{debug}"
    );

    let any = start_with(EmulatorConfig {
        credentials: Credentials {
            accept_any: true,
            ..Credentials::default()
        },
        ..config()
    })
    .await;
    assert_success(
        &with_headers(&any, &[("authorization", "Bearer anything")]).await,
        200,
    );
    assert_success(
        &with_headers(&any, &[("x-auth-email", "a@b.c"), ("x-auth-key", "k")]).await,
        200,
    );
    with_headers(&any, &[])
        .await
        .expect_error(401, error_codes::MISSING_CREDENTIALS);
}

#[tokio::test]
async fn example_toml_seed_loads_and_serves() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed.example.toml");
    let seed = Seed::load(&path).unwrap();
    let emu = start_with(EmulatorConfig { seed, ..config() }).await;
    let account = "0123456789abcdef0123456789abcdef";
    let answer = emu
        .call(
            Method::GET,
            &emu.bindings_url(account, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            None,
        )
        .await;
    let result = answer.body["result"].as_array().unwrap();
    assert_eq!(result.len(), 2);
    assert_eq!(result[0]["id"], "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assert_eq!(result[0]["cidr"], "198.51.100.0/24");
    assert_eq!(result[1]["cidr"], "198.51.100.16/29");
    assert_eq!(result[1]["service_name"], "CDN");
    assert!(is_id(&result[1]["id"]));
    let v6 = emu
        .call(
            Method::GET,
            &emu.bindings_url(account, "cccccccccccccccccccccccccccccccc"),
            None,
        )
        .await;
    assert_eq!(v6.body["result"], json!([]));
    // The demo account is not in this seed.
    emu.call(Method::GET, &emu.services_url(DEMO_ACCOUNT_ID), None)
        .await
        .expect_error(404, error_codes::ACCOUNT_NOT_FOUND);
}

#[tokio::test]
async fn json_seed_loads_and_bad_seeds_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    let json_seed = json!({
        "services": [{"id": MAGIC_TRANSIT_SERVICE_ID, "name": "Magic Transit"}],
        "accounts": [{"id": DEMO_ACCOUNT_ID, "prefixes": [
            {"id": DEMO_IPV4_PREFIX_ID, "cidr": "192.0.2.0/24", "bindings": [
                {"cidr": "192.0.2.0/24", "service_id": MAGIC_TRANSIT_SERVICE_ID}
            ]}
        ]}]
    });
    std::fs::write(&path, json_seed.to_string()).unwrap();
    let emu = start_with(EmulatorConfig {
        seed: Seed::load(&path).unwrap(),
        ..config()
    })
    .await;
    let listed = emu.list(DEMO_IPV4_PREFIX_ID).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["cidr"], "192.0.2.0/24");

    let bad = [
        (
            r#"{"services": [{"id": "short", "name": "x"}]}"#,
            "32 lowercase",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.1/24"}]}]}"#,
            "host bits",
        ),
        (
            r#"{"services": [{"id": "2db684ee7ca04e159946fd05b99e1bcd", "name": "Magic Transit"}], "accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24", "bindings": [{"cidr": "192.0.2.0/25", "service_id": "2db684ee7ca04e159946fd05b99e1bcd"}]}]}]}"#,
            "first service binding",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24", "bindings": [{"cidr": "192.0.2.0/24", "service_id": "2db684ee7ca04e159946fd05b99e1bcd"}]}]}]}"#,
            "not found",
        ),
        (
            r#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef"}, {"id": "0123456789abcdef0123456789abcdef"}]}"#,
            "used twice",
        ),
        (r#"{"acounts": []}"#, "unknown field"),
        ("{", "EOF"),
    ];
    for (text, needle) in bad {
        std::fs::write(&path, text).unwrap();
        let err = Seed::load(&path).unwrap_err();
        assert!(matches!(err, Error::InvalidSeed { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
        assert!(msg.contains("seed.json"), "{msg}");
    }
    assert!(matches!(
        Seed::load(&dir.path().join("missing.toml")),
        Err(Error::SeedIo { .. })
    ));
    assert!(matches!(
        Seed::from_toml("services = 3"),
        Err(Error::InvalidSeed { .. })
    ));
}

/// Sends raw bytes and reads the whole answer (the server closes the connection).
async fn raw_exchange(emu: &Emu, request: &[u8]) -> (String, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = emu.root.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), serde_json::from_str(body).unwrap())
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_envelopes_too() {
    let emu = start().await;
    let (head, body) = raw_exchange(
        &emu,
        b"GET /client/v4/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(body["success"], false);
    assert_eq!(body["errors"][0]["code"], error_codes::MALFORMED_REQUEST);
    let ray = head
        .lines()
        .find_map(|line| line.strip_prefix("cf-ray: "))
        .unwrap_or_default();
    assert!(
        ray.len() == 20
            && ray.ends_with("-EMU")
            && ray[..16].bytes().all(|b| b.is_ascii_hexdigit()),
        "{head}"
    );

    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "a".repeat(100_000)
    );
    let (head, body) = raw_exchange(&emu, long.as_bytes()).await;
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(head.contains("\r\ncf-ray: "), "{head}");
    assert_eq!(body["errors"][0]["code"], error_codes::URI_TOO_LONG);
    assert_eq!(body["result"], Value::Null);
}

/// A list of services sent with this `Host` header.
async fn with_host(emu: &Emu, host: &str) -> common::Answer {
    let response = emu
        .client
        .get(emu.services_url(DEMO_ACCOUNT_ID))
        .bearer_auth(cf_bindings_emulator::DEFAULT_API_TOKEN)
        .header("host", host)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    common::Answer {
        status,
        headers,
        body: response.json().await.unwrap(),
    }
}

#[tokio::test]
async fn only_hosts_naming_the_emulator_are_answered() {
    let emu = start().await;
    let port = emu.running.as_ref().unwrap().local_addr().port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        assert_success(&with_host(&emu, &host).await, 200);
    }
    // A page whose name was rebound to 127.0.0.1 sends its own name.
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("192.0.2.1:{port}"),
    ] {
        let answer = with_host(&emu, &host).await;
        let message = answer.expect_error(421, error_codes::HOST_NOT_ALLOWED);
        assert!(message.contains("--allow-host"), "{message}");
        assert_common_headers(&answer);
    }
    // Before routing and faults: an unknown route, and a fault script, are refused too.
    let refused = emu
        .client
        .post(format!("{}/__emulator/faults", emu.root))
        .header("host", "evil.example")
        .json(&json!({"list": [{"kind": "malformed_json"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    let nowhere = emu
        .client
        .get(format!("{}/nope", emu.root))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::MISDIRECTED_REQUEST);
    let pending: Value = emu
        .client
        .get(format!("{}/__emulator/faults", emu.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pending["result"]["pending"],
        json!({}),
        "nothing was queued"
    );
}

#[tokio::test]
async fn allowed_hosts_are_answered_and_invalid_ones_refused_at_start() {
    let emu = start_with(EmulatorConfig {
        allowed_hosts: vec!["Emulator.Test".to_owned(), "198.51.100.7".to_owned()],
        ..config()
    })
    .await;
    let port = emu.running.as_ref().unwrap().local_addr().port();
    for host in [
        format!("emulator.test:{port}"),
        "emulator.test".to_owned(),
        format!("198.51.100.7:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        assert_success(&with_host(&emu, &host).await, 200);
    }
    for host in [format!("other.test:{port}"), format!("198.51.100.8:{port}")] {
        with_host(&emu, &host)
            .await
            .expect_error(421, error_codes::HOST_NOT_ALLOWED);
    }
    for bad in ["emulator.test:8787", "", "a b"] {
        let result = cf_bindings_emulator::Emulator::start(EmulatorConfig {
            allowed_hosts: vec![bad.to_owned()],
            ..config()
        })
        .await;
        match result {
            Err(Error::InvalidConfig(message)) => {
                assert!(message.contains("allowed host"), "{message}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}
