//! Every endpoint, rule and error, over HTTP.

mod auth;
mod bodies;
mod hosts;
mod rules;
mod seeds;

use crate::common;

use std::time::Duration;

use cf_bindings_emulator::{
    AcceptedCredentials, CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_IPV4_BASE_BINDING_ID,
    DEMO_IPV4_PREFIX_CIDR, DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR, DEMO_IPV6_PREFIX_ID,
    EmulatorConfig, Error, MAGIC_TRANSIT_SERVICE_ID, SPECTRUM_SERVICE_ID, Seed, error_codes,
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
