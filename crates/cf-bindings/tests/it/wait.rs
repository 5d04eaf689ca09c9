//! `wait_until_active` of the cf-bindings wrapper in each of its outcomes, against
//! a scripted server (the emulator's provisioning: `tests/it/wrapper/wait.rs` at the
//! top level).

use std::{collections::BTreeMap, time::Duration};

use crate::common::*;
use cf_bindings::{Client, Error, ProvisioningState, WaitOptions};
use cf_bindings_test_server::{Reply, TestServer};

fn quick() -> WaitOptions {
    WaitOptions::new()
        .with_initial_interval(Duration::from_millis(2))
        .with_max_interval(Duration::from_millis(10))
        .with_timeout(Duration::from_secs(30))
}

fn state(name: &str) -> Reply {
    Reply::json(
        200,
        ok(binding_json(BINDING2, "192.0.2.1/32", CDN, "CDN", name)),
    )
}

async fn wait(
    server: &TestServer,
    options: &WaitOptions,
) -> (Result<cf_bindings::ServiceBinding, Error>, Vec<String>) {
    let mut seen = Vec::new();
    let outcome = client(server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .wait_until_active(BINDING2, options, |b| seen.push(b.state.to_string()))
        .await;
    (outcome, seen)
}

#[tokio::test(start_paused = true)]
async fn becomes_active() {
    let server = TestServer::start().await;
    server.push(state("provisioning"));
    server.push(state("some_new_state"));
    server.push(state("active"));
    let (outcome, seen) = wait(&server, &quick()).await;
    assert_eq!(outcome.unwrap().state, ProvisioningState::Active);
    assert_eq!(seen, ["provisioning", "some_new_state", "active"]);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn fails_early_when_the_route_is_missing() {
    let server = TestServer::start().await;
    server.push(state("provisioning"));
    server.push(state("magic_transit_route_missing"));
    server.push(state("active"));
    let (outcome, seen) = wait(&server, &quick()).await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::RouteMissing { .. }), "{err:?}");
    assert_eq!(seen, ["provisioning", "magic_transit_route_missing"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn fails_when_the_binding_disappears() {
    let server = TestServer::start().await;
    server.push(state("provisioning"));
    server.push(Reply::json(404, failure(1003, "Service binding not found")));
    let (outcome, seen) = wait(&server, &quick()).await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::BindingGone { .. }), "{err:?}");
    assert!(err.is_not_found());
    assert_eq!(seen, ["provisioning"]);
}

#[tokio::test(start_paused = true)]
async fn a_binding_never_seen_is_not_found_rather_than_gone() {
    let server = TestServer::start().await;
    server.push(Reply::json(404, failure(1003, "Service binding not found")));
    let (outcome, seen) = wait(&server, &quick()).await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(err.is_not_found());
    assert!(seen.is_empty());
}

#[tokio::test(start_paused = true)]
async fn other_errors_are_returned() {
    let server = TestServer::start().await;
    server.push(Reply::json(403, failure(10000, "Authentication error")));
    let (outcome, seen) = wait(&server, &quick()).await;
    assert!(outcome.unwrap_err().is_auth());
    assert!(seen.is_empty());
}

/// Each pause between two polls longer than two seconds is told, with what is
/// waited for and how much of the wait is left; shorter ones are not.
#[tokio::test(start_paused = true)]
async fn long_pauses_between_polls_are_told() {
    let server = TestServer::start().await;
    for _ in 0..4 {
        server.push(state("provisioning"));
    }
    server.push(state("active"));
    let told = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&told);
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .on_long_wait(move |wait| sink.lock().unwrap().push(wait.clone()))
        .build()
        .unwrap();
    // Pauses of 1 s, 2 s, 4 s, 5 s (the longest): two are told.
    let options = WaitOptions::new()
        .with_initial_interval(Duration::from_secs(1))
        .with_max_interval(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(60));
    client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .wait_until_active(BINDING2, &options, |_| {})
        .await
        .unwrap();
    let told = told.lock().unwrap().clone();
    let pauses: Vec<Duration> = told.iter().map(|w| w.duration).collect();
    assert_eq!(pauses, [Duration::from_secs(4), Duration::from_secs(5)]);
    let cf_bindings::wait::WaitReason::Provisioning {
        binding_id,
        state,
        remaining,
        ..
    } = &told[0].reason
    else {
        panic!("{told:?}")
    };
    assert_eq!(binding_id.as_str(), BINDING2);
    assert_eq!(*state, ProvisioningState::Provisioning);
    // 3 s waited of 60 (the polls themselves take no time on the paused clock).
    assert_eq!(*remaining, Duration::from_secs(57));
    assert_eq!(
        told[0].to_string(),
        format!(
            "waiting 4s to check binding {BINDING2} (192.0.2.1/32) again: it is provisioning, 57s left of the wait"
        )
    );
}

#[test]
fn display_of_wait_errors() {
    let binding = cf_bindings::ServiceBinding::new(
        BINDING2.parse().unwrap(),
        "192.0.2.1/32".parse().unwrap(),
        CDN.parse().unwrap(),
        "CDN",
        ProvisioningState::MagicTransitRouteMissing,
    );
    let shown: BTreeMap<&str, String> = [
        (
            "route_missing",
            Error::RouteMissing {
                binding: Box::new(binding),
            }
            .to_string(),
        ),
        (
            "binding_gone",
            Error::BindingGone {
                binding_id: BINDING2.parse().unwrap(),
            }
            .to_string(),
        ),
        (
            "wait_timeout",
            Error::WaitTimeout {
                binding_id: BINDING2.parse().unwrap(),
                last_state: ProvisioningState::Provisioning,
                waited: Duration::from_secs(7 * 3600 + 5),
            }
            .to_string(),
        ),
    ]
    .into_iter()
    .collect();
    insta::assert_yaml_snapshot!("wait_error_display", shown);
}
