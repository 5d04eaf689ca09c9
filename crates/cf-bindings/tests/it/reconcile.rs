//! Create and delete, which may not simply be resent: a create whose outcome is in
//! doubt looks for the binding before sending again, a delete in doubt lists the
//! prefix, and a 404 is "done" only after an ambiguous attempt. On tokio's paused
//! clock, against a scripted server (the emulator committing and then dropping the
//! connection: `tests/it/wrapper/faults.rs` at the top level).

use std::time::Duration;

use cf_bindings::{Error, Response, ServiceBinding};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

use crate::common::*;

fn get_path() -> String {
    format!("GET {}", bindings_path())
}

fn post_path() -> String {
    format!("POST {}", bindings_path())
}

fn delete_path() -> String {
    format!("DELETE {}/{BINDING2}", bindings_path())
}

/// The prefix's bindings as listed: the base binding, and `BINDING2`
/// (`192.0.2.16/29`, CDN) in the given state, or not.
fn listed(binding2: Option<&str>) -> Reply {
    let mut bindings = vec![base_binding()];
    if let Some(state) = binding2 {
        bindings.push(binding_json(BINDING2, "192.0.2.16/29", CDN, "CDN", state));
    }
    Reply::json(200, ok(json!(bindings)))
}

// ---------------------------------------------------------------------------------
// Create

fn created() -> Reply {
    Reply::json(
        201,
        ok(binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "provisioning",
        )),
    )
}

async fn create(server: &TestServer) -> Result<Response<ServiceBinding>, Error> {
    bindings(&client(server)).create("192.0.2.16/29", CDN).await
}

#[tokio::test(start_paused = true)]
async fn create_resends_after_429() {
    let server = serving([
        Reply::json(429, failure(971, "slow down")).header("retry-after", "0"),
        created(),
    ])
    .await;
    let binding = create(&server).await.unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), post_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_never_resends_after_other_4xx() {
    for status in [400, 403, 404, 409, 422] {
        let server = serving([Reply::json(status, failure(1032, "exists"))]).await;
        let err = create(&server).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(calls(&server), [post_path()], "HTTP {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn create_connect_error_is_retried_and_reported() {
    let client = client_with("http://127.0.0.1:9/client/v4", fast_retry());
    let err = bindings(&client)
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn create_after_ambiguous_failure_finds_the_binding() {
    let ambiguous = [
        Reply::drop_connection(),
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        Reply::json(201, ok(json!({}))).truncated(),
        Reply::raw(201, "application/json", "{\"success\":true,\"res"),
    ];
    for reply in ambiguous {
        let label = format!("{reply:?}");
        let server = serving([reply, listed(Some("provisioning"))]).await;
        let binding = create(&server).await.unwrap();
        assert_eq!(binding.id.as_str(), BINDING2, "{label}");
        assert_eq!(calls(&server), [post_path(), get_path()], "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn create_after_timeout_finds_the_binding() {
    let server = serving([
        created().delay(Duration::from_secs(5)),
        Reply::json(
            200,
            ok(json!([binding_json(
                BINDING2,
                "192.0.2.16/29",
                CDN,
                "CDN",
                "provisioning"
            )])),
        ),
    ])
    .await;
    let binding = bindings(&impatient_client(&server))
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_resends_when_the_binding_is_not_there() {
    let server = serving([
        Reply::json(503, failure(1, "busy")),
        // Same CIDR but another service does not count.
        Reply::json(
            200,
            ok(json!([
                base_binding(),
                binding_json(
                    BINDING,
                    "192.0.2.16/29",
                    MAGIC_TRANSIT,
                    "Magic Transit",
                    "active"
                ),
            ])),
        ),
        created(),
    ])
    .await;
    let binding = create(&server).await.unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), get_path(), post_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_does_not_resend_when_it_cannot_tell() {
    let server = serving([
        Reply::drop_connection(),
        Reply::json(403, failure(10000, "Authentication error")),
    ])
    .await;
    let err = create(&server).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { cause, check, .. } = &err else {
        unreachable!("checked above")
    };
    assert!(matches!(**cause, Error::Transport { .. }), "{cause:?}");
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(403));
    let text = err.to_string();
    assert!(
        text.starts_with(
            "create service binding: outcome unknown: the binding may or may not have been created"
        ) && text.contains("checking failed"),
        "{text}"
    );
    assert_eq!(calls(&server), [post_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_gives_up_after_max_attempts() {
    let server = serving((0..3).flat_map(|_| {
        [
            Reply::json(502, failure(1, "bad gateway")),
            Reply::json(200, ok(json!([base_binding()]))),
        ]
    }))
    .await;
    let err = create(&server).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    let (p, g) = (post_path(), get_path());
    assert_eq!(calls(&server), [&*p, &*g, &*p, &*g, &*p, &*g]);
}

// ---------------------------------------------------------------------------------
// Delete

fn deleted() -> Reply {
    Reply::json(200, json!({"success": true, "errors": [], "messages": []}))
}

async fn delete(server: &TestServer) -> Result<Response<()>, Error> {
    bindings(&client(server)).delete(BINDING2).await
}

fn not_found() -> Reply {
    Reply::json(404, failure(1003, "Service binding not found"))
}

fn too_many() -> Reply {
    Reply::json(429, failure(971, "slow down")).header("retry-after", "0")
}

#[tokio::test(start_paused = true)]
async fn delete_in_doubt_is_done_when_the_listing_no_longer_has_the_binding() {
    let in_doubt = [
        Reply::drop_connection(),
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        // The body cut short: the connection closes before `content-length`.
        deleted().truncated(),
        // A whole body that is not the envelope: truncated JSON, or not JSON.
        Reply::raw(200, "application/json", "{\"success\":true,\"err"),
        Reply::raw(200, "application/json", "<html>ok</html>"),
        Reply::json(200, failure(1099, "Something went wrong")),
    ];
    for reply in in_doubt {
        let label = format!("{reply:?}");
        let server = serving([reply, listed(None)]).await;
        let done = delete(&server).await.unwrap();
        assert_eq!(done.status, 200, "{label}");
        assert_eq!(calls(&server), [delete_path(), get_path()], "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn delete_in_doubt_is_sent_again_when_the_listing_still_has_the_binding() {
    let server = serving([
        Reply::raw(503, "text/html", "unavailable"),
        listed(Some("active")),
        deleted(),
    ])
    .await;
    assert_eq!(delete(&server).await.unwrap().status, 200);
    assert_eq!(calls(&server), [delete_path(), get_path(), delete_path()]);

    // A 404 to the second DELETE: gone since the listing, which tells again.
    let server = serving([
        Reply::drop_connection(),
        listed(Some("active")),
        not_found(),
        listed(None),
    ])
    .await;
    assert_eq!(delete(&server).await.unwrap().status, 200);
    let (d, g) = (delete_path(), get_path());
    assert_eq!(calls(&server), [&*d, &*g, &*d, &*g]);
}

#[tokio::test(start_paused = true)]
async fn delete_404_on_the_first_attempt_is_an_error() {
    let server = serving([not_found()]).await;
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn delete_404_after_a_429_is_an_error() {
    let server = serving([too_many(), not_found()]).await;
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn delete_whose_outcome_cannot_be_established_says_so() {
    // The answer is lost, and so is the listing that would tell.
    let server = serving([
        deleted().truncated(),
        Reply::json(403, failure(10000, "Authentication error")),
    ])
    .await;
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { cause, check, .. } = &err else {
        unreachable!("checked above")
    };
    assert_eq!(cause.status(), Some(200));
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(403));
    assert!(
        err.to_string().starts_with(
            "delete service binding: outcome unknown: the binding may or may not have been deleted"
        ),
        "{err}"
    );
    assert_eq!(calls(&server), [delete_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn delete_the_listing_shows_undone_after_every_attempt_is_a_plain_error() {
    let server =
        serving((0..3).flat_map(|_| [Reply::drop_connection(), listed(Some("active"))])).await;
    let err = delete(&server).await.unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn delete_refused_before_any_ambiguous_attempt_is_a_plain_error() {
    let server = serving([too_many(), too_many(), too_many()]).await;
    let err = delete(&server).await.unwrap_err();
    assert!(
        !err.is_outcome_unknown() && err.is_rate_limited(),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}
