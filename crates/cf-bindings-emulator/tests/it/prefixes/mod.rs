//! List Prefixes and Prefix Details, over HTTP: every field of Cloudflare's prefix
//! object, the not-found and authentication answers, scripted faults, seed files and
//! state files (old ones too).

mod files;

use crate::common;

use std::path::Path;

use cf_bindings_emulator::{
    DEMO_ACCOUNT_ID, DEMO_ASN, DEMO_IPV4_PREFIX_CIDR, DEMO_IPV4_PREFIX_DESCRIPTION,
    DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR, DEMO_IPV6_PREFIX_DESCRIPTION, DEMO_IPV6_PREFIX_ID,
    Emulator, EmulatorConfig, Error, Seed, StateSharing, error_codes,
};
use common::{Answer, Emu, config, start, start_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OTHER_ID: &str = "ffffffffffffffffffffffffffffffff";

fn prefixes_url(emu: &Emu, account: &str) -> String {
    format!("{}/accounts/{account}/addressing/prefixes", emu.base)
}

fn prefix_url(emu: &Emu, account: &str, prefix: &str) -> String {
    format!("{}/{prefix}", prefixes_url(emu, account))
}

/// A successful envelope with Cloudflare's headers; its `result`.
fn result_of(answer: &Answer) -> Value {
    assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
    assert_eq!(answer.body["success"], json!(true));
    assert_eq!(answer.body["errors"], json!([]));
    assert_eq!(answer.body["messages"], json!([]));
    let content_type = answer.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(
        answer.headers["cf-ray"].to_str().unwrap().ends_with("-EMU"),
        "{:?}",
        answer.headers
    );
    answer.body["result"].clone()
}

async fn list_prefixes(emu: &Emu, account: &str) -> Answer {
    emu.call(Method::GET, &prefixes_url(emu, account), None)
        .await
}

async fn get_prefix(emu: &Emu, account: &str, prefix: &str) -> Answer {
    emu.call(Method::GET, &prefix_url(emu, account, prefix), None)
        .await
}

fn is_timestamp(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.ends_with('Z') && humantime::parse_rfc3339(text).is_ok())
}

/// Every field of the official SDKs' `Prefix`, each of the JSON type they read.
fn assert_prefix_shape(prefix: &Value) {
    let object = prefix.as_object().expect("an object");
    let string = |name: &str| object.get(name).is_some_and(Value::is_string);
    let boolean = |name: &str| object.get(name).is_some_and(Value::is_boolean);
    let nullable = |name: &str, ok: &dyn Fn(&Value) -> bool| {
        object.get(name).is_some_and(|v| v.is_null() || ok(v))
    };
    for name in [
        "id",
        "account_id",
        "cidr",
        "description",
        "irr_validation_state",
        "ownership_validation_state",
        "rpki_validation_state",
        "ownership_validation_token",
    ] {
        assert!(string(name), "{name} is not a string: {prefix:#}");
    }
    for name in [
        "on_demand_enabled",
        "on_demand_locked",
        "delegate_loa_creation",
    ] {
        assert!(boolean(name), "{name} is not a boolean: {prefix:#}");
    }
    for name in ["created_at", "modified_at"] {
        assert!(
            object.get(name).is_some_and(is_timestamp),
            "{name} is not an RFC 3339 UTC timestamp: {prefix:#}"
        );
    }
    assert!(nullable("asn", &|v| v.is_u64()), "asn: {prefix:#}");
    assert!(
        matches!(
            object.get("approved").and_then(Value::as_str),
            Some("P" | "V")
        ),
        "approved: {prefix:#}"
    );
    assert!(nullable("advertised", &Value::is_boolean), "{prefix:#}");
    assert!(
        nullable("advertised_modified_at", &is_timestamp),
        "{prefix:#}"
    );
    assert!(nullable("loa_document_id", &Value::is_string), "{prefix:#}");
    assert_eq!(object.len(), 18, "no other field: {prefix:#}");
}

fn demo_ipv4() -> Value {
    json!({
        "id": DEMO_IPV4_PREFIX_ID,
        "account_id": DEMO_ACCOUNT_ID,
        "cidr": DEMO_IPV4_PREFIX_CIDR,
        "description": DEMO_IPV4_PREFIX_DESCRIPTION,
        "asn": DEMO_ASN,
        "approved": "V",
        "advertised": null,
        "advertised_modified_at": null,
        "created_at": "2024-05-14T17:02:11.123456Z",
        "modified_at": "2024-05-21T09:45:30.250000Z",
        "on_demand_enabled": false,
        "on_demand_locked": false,
        "delegate_loa_creation": false,
        "loa_document_id": "6ac3b3591419bade34971ebe2df7047f",
        "irr_validation_state": "validated",
        "ownership_validation_state": "validated",
        "rpki_validation_state": "validated",
        "ownership_validation_token": "ad8711b2-fa7d-4bf3-8359-3441a63cb21f",
    })
}

fn demo_ipv6() -> Value {
    json!({
        "id": DEMO_IPV6_PREFIX_ID,
        "account_id": DEMO_ACCOUNT_ID,
        "cidr": DEMO_IPV6_PREFIX_CIDR,
        "description": DEMO_IPV6_PREFIX_DESCRIPTION,
        "asn": DEMO_ASN,
        "approved": "V",
        "advertised": null,
        "advertised_modified_at": null,
        "created_at": "2024-06-03T08:15:00.500000Z",
        "modified_at": "2024-06-10T12:00:00.000000Z",
        "on_demand_enabled": false,
        "on_demand_locked": false,
        "delegate_loa_creation": true,
        "loa_document_id": null,
        "irr_validation_state": "validated",
        "ownership_validation_state": "validated",
        "rpki_validation_state": "validated",
        "ownership_validation_token": "ce8b2d61-3c3a-42c0-bbfb-654b27bcb79a",
    })
}

#[tokio::test]
async fn list_prefixes_serves_both_demo_prefixes_with_every_field() {
    let emu = start().await;
    let result = result_of(&list_prefixes(&emu, DEMO_ACCOUNT_ID).await);
    let listed = result.as_array().expect("an array");
    assert_eq!(listed, &vec![demo_ipv4(), demo_ipv6()]);
    for prefix in listed {
        assert_prefix_shape(prefix);
    }
}

#[tokio::test]
async fn prefix_details_serves_each_demo_prefix_as_listed() {
    let emu = start().await;
    for expected in [demo_ipv4(), demo_ipv6()] {
        let id = expected["id"].as_str().unwrap();
        let got = result_of(&get_prefix(&emu, DEMO_ACCOUNT_ID, id).await);
        assert_prefix_shape(&got);
        assert_eq!(got, expected);
    }
}

/// Two accounts: one with a prefix, one with none.
fn two_account_seed() -> Seed {
    Seed::from_json(
        &json!({
            "accounts": [
                {"id": "0123456789abcdef0123456789abcdef", "prefixes": [
                    {"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "198.51.100.0/24"}
                ]},
                {"id": "abcdefabcdefabcdefabcdefabcdefab"}
            ]
        })
        .to_string(),
    )
    .unwrap()
}

#[tokio::test]
async fn unknown_accounts_and_prefixes_answer_as_the_binding_endpoints_do() {
    let emu = start_with(EmulatorConfig {
        seed: two_account_seed(),
        ..config()
    })
    .await;
    let (with, without) = (
        "0123456789abcdef0123456789abcdef",
        "abcdefabcdefabcdefabcdefabcdefab",
    );
    let prefix = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    // An account with no prefix lists none.
    assert_eq!(result_of(&list_prefixes(&emu, without).await), json!([]));
    assert_eq!(
        result_of(&list_prefixes(&emu, with).await)[0]["account_id"],
        with
    );

    // Each answer is the one the binding endpoints give for the same ids.
    let cases = [
        (
            prefixes_url(&emu, OTHER_ID),
            emu.services_url(OTHER_ID),
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            prefix_url(&emu, OTHER_ID, prefix),
            emu.bindings_url(OTHER_ID, prefix),
            error_codes::ACCOUNT_NOT_FOUND,
        ),
        (
            prefix_url(&emu, with, OTHER_ID),
            emu.bindings_url(with, OTHER_ID),
            error_codes::PREFIX_NOT_FOUND,
        ),
        // A prefix of another account is not found under this one.
        (
            prefix_url(&emu, without, prefix),
            emu.bindings_url(without, prefix),
            error_codes::PREFIX_NOT_FOUND,
        ),
    ];
    for (url, binding_url, code) in cases {
        let answer = emu.call(Method::GET, &url, None).await;
        let message = answer.expect_error(404, code);
        assert!(message.contains("not found"), "{message}");
        assert!(answer.headers.contains_key("cf-ray"));
        let bindings = emu.call(Method::GET, &binding_url, None).await;
        assert_eq!(bindings.expect_error(404, code), message, "{url}");
    }
}

#[tokio::test]
async fn prefix_endpoints_require_credentials_like_the_others() {
    let emu = start().await;
    for url in [
        prefixes_url(&emu, DEMO_ACCOUNT_ID),
        prefix_url(&emu, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID),
    ] {
        let send = |headers: &'static [(&'static str, &'static str)]| {
            let mut request = emu.client.get(&url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                let headers = response.headers().clone();
                Answer {
                    status,
                    headers,
                    body: response.json().await.unwrap(),
                }
            }
        };
        send(&[])
            .await
            .expect_error(401, error_codes::MISSING_CREDENTIALS);
        send(&[("authorization", "Basic ZGVtbzpkZW1v")])
            .await
            .expect_error(400, error_codes::INVALID_AUTHORIZATION_FORMAT);
        send(&[("authorization", "Bearer wrong-token")])
            .await
            .expect_error(403, error_codes::INVALID_TOKEN);
        send(&[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "wrong-key"),
        ])
        .await
        .expect_error(403, error_codes::INVALID_EMAIL_OR_KEY);
        let by_key = send(&[
            ("x-auth-email", "demo@example.com"),
            ("x-auth-key", "emulator-key"),
        ])
        .await;
        assert!(!result_of(&by_key).is_null());
    }
}

#[tokio::test]
async fn other_methods_on_prefixes_are_not_allowed() {
    // Adding, changing and deleting prefixes change what Cloudflare announces: not
    // emulated.
    let emu = start().await;
    let list = prefixes_url(&emu, DEMO_ACCOUNT_ID);
    let one = prefix_url(&emu, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID);
    for (method, url) in [
        (Method::POST, list.clone()),
        (Method::DELETE, list),
        (Method::PATCH, one.clone()),
        (Method::DELETE, one.clone()),
        (Method::POST, one),
    ] {
        emu.call(method, &url, Some(json!({"description": "x"})))
            .await
            .expect_error(405, error_codes::METHOD_NOT_ALLOWED);
    }
    assert_eq!(
        result_of(&list_prefixes(&emu, DEMO_ACCOUNT_ID).await),
        json!([demo_ipv4(), demo_ipv6()])
    );
}

#[tokio::test]
async fn prefix_operations_take_their_own_scripted_faults() {
    let emu = start().await;
    emu.script(json!({
        "list_prefixes": [{"kind": "rate_limit", "retry_after": 3}],
        "ip-address-management-prefixes-prefix-details": [{"kind": "http_error", "status": 503}],
    }))
    .await;
    // Other operations do not take them.
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
    let limited = list_prefixes(&emu, DEMO_ACCOUNT_ID).await;
    limited.expect_error(429, error_codes::RATE_LIMITED);
    assert_eq!(limited.headers["retry-after"], "3");
    let failed = get_prefix(&emu, DEMO_ACCOUNT_ID, DEMO_IPV6_PREFIX_ID).await;
    assert_eq!(failed.status.as_u16(), 503);
    // Each fault is taken once.
    assert_eq!(
        result_of(&list_prefixes(&emu, DEMO_ACCOUNT_ID).await)
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        result_of(&get_prefix(&emu, DEMO_ACCOUNT_ID, DEMO_IPV6_PREFIX_ID).await),
        demo_ipv6()
    );
}
