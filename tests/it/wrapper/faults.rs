//! The wrapper's retries against the emulator's faults: a create or a delete the
//! server commits and then answers badly (a dropped connection, a truncated body,
//! `success: false`) is made exactly once, and reads answered badly once are
//! retried. On tokio's paused clock.

use cf_bindings::Error;
use serde_json::json;

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn emulator_create_dropped_after_commit_makes_exactly_one_binding() {
    let running = faulty_emulator().await;
    inject(&running, json!({"create": [{"kind": "drop_after_commit"}]})).await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    assert_eq!(created.cidr.to_string(), "203.0.113.16/29");
    let all = bindings.list().await.unwrap();
    let same: Vec<_> = all.iter().filter(|b| b.cidr == created.cidr).collect();
    assert_eq!(same.len(), 1, "{all:?}");
    assert_eq!(same[0].id, created.id);
    running.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn emulator_create_dropped_before_commit_is_resent_once() {
    let running = faulty_emulator().await;
    inject(
        &running,
        json!({"create": [{"kind": "drop_before_commit"}, {"kind": "http_error", "status": 503}]}),
    )
    .await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let all = bindings.list().await.unwrap();
    assert_eq!(
        all.iter().filter(|b| b.cidr == created.cidr).count(),
        1,
        "{all:?}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn emulator_delete_dropped_after_commit_is_done() {
    let running = faulty_emulator().await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    inject(&running, json!({"delete": [{"kind": "drop_after_commit"}]})).await;
    let done = bindings.delete(&created.id).await.unwrap();
    assert_eq!(done.status, 200, "the listing's");
    assert!(bindings.get(&created.id).await.unwrap_err().is_not_found());
    running.shutdown().await.unwrap();
}

/// A delete the server made, answered 200 with its body cut in half.
#[tokio::test(start_paused = true)]
async fn emulator_delete_answered_with_a_truncated_body_is_done() {
    let running = faulty_emulator().await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    inject(&running, json!({"delete": [{"kind": "truncated_json"}]})).await;
    bindings.delete(&created.id).await.unwrap();
    let all = bindings.list().await.unwrap();
    assert!(all.iter().all(|b| b.id != created.id), "{all:?}");
    running.shutdown().await.unwrap();
}

/// The same, and every attempt of the listing that would tell fails.
#[tokio::test(start_paused = true)]
async fn emulator_delete_truncated_whose_listing_fails_is_unknown() {
    let running = faulty_emulator().await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let down = json!({"kind": "http_error", "status": 503});
    inject(
        &running,
        json!({"delete": [{"kind": "truncated_json"}], "list": [down, down, down]}),
    )
    .await;
    let err = bindings.delete(&created.id).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { check, .. } = &err else {
        unreachable!("checked above")
    };
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(503));
    // It was made: the answer was lost, not the delete.
    assert!(bindings.get(&created.id).await.unwrap_err().is_not_found());
    running.shutdown().await.unwrap();
}

/// A create answered 200 with `success: false` was not made, as the listing shows:
/// it is sent again, and makes one binding.
#[tokio::test(start_paused = true)]
async fn emulator_create_answered_unsuccessful_is_checked_then_made_once() {
    let running = faulty_emulator().await;
    inject(&running, json!({"create": [{"kind": "unsuccessful"}]})).await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let all = bindings.list().await.unwrap();
    assert_eq!(
        all.iter().filter(|b| b.cidr == created.cidr).count(),
        1,
        "{all:?}"
    );
    running.shutdown().await.unwrap();
}

/// Each read, answered once with a truncated body, a malformed one, a 200 with
/// `success: false`, an HTML 502 or a dropped connection, is retried and succeeds.
#[tokio::test(start_paused = true)]
async fn emulator_reads_answered_badly_once_are_retried() {
    let faults = [
        json!({"kind": "truncated_json"}),
        json!({"kind": "malformed_json"}),
        json!({"kind": "unsuccessful"}),
        json!({"kind": "http_error"}),
        json!({"kind": "drop_before_commit"}),
    ];
    for fault in faults {
        let running = faulty_emulator().await;
        let bindings = demo_bindings(&running);
        let created = bindings
            .create("203.0.113.16/29", CDN_SERVICE_ID)
            .await
            .unwrap();
        inject(
            &running,
            json!({"list": [fault], "get": [fault], "list_services": [fault]}),
        )
        .await;
        let listed = bindings.list().await.unwrap();
        assert!(listed.iter().any(|b| b.id == created.id), "{fault}");
        let got = bindings.get(&created.id).await.unwrap();
        assert_eq!(got.cidr, created.cidr, "{fault}");
        let services = demo_client(&running, fast_retry())
            .account(DEMO_ACCOUNT_ID)
            .services()
            .list()
            .await
            .unwrap();
        assert!(!services.is_empty(), "{fault}");
        running.shutdown().await.unwrap();
    }
}
