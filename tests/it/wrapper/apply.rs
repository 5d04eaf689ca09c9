//! `cf_bindings::desired::apply` against the emulator: a plan's steps made in order, and
//! Cloudflare's five-minute rate-limit block waited out, on tokio's paused clock
//! (the five minutes pass at once; a wrong delay fails at once).

use std::time::Duration;

use cf_bindings::{
    Client, RetryPolicy,
    desired::{Desired, Live, StopFlag, StopReason, apply, apply_until_stopped, plan},
};
use cf_bindings_emulator::{EmulatorConfig, RunningEmulator};
use tokio::time::Instant;

use crate::common::{
    DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, demo_client, emulator_with, inject,
};

async fn emulator() -> RunningEmulator {
    emulator_with(EmulatorConfig {
        faults: true,
        ..EmulatorConfig::default()
    })
    .await
}

/// The next `n` creates answer 429 with `Retry-After: 300`, as Cloudflare answers
/// every call during its five-minute block.
async fn rate_limit_creates(emulator: &RunningEmulator, n: usize) {
    let fault = serde_json::json!({ "kind": "rate_limit", "retry_after": 300 });
    inject(emulator, serde_json::json!({ "create": vec![fault; n] })).await;
}

/// Plans the demo prefix with one more binding, `cidr` to the CDN.
async fn plan_one_create(client: &Client, cidr: &str) -> cf_bindings::desired::Plan {
    plan_creates(client, &[cidr]).await
}

/// Plans the demo prefix with more bindings, each of `cidrs` to the CDN.
async fn plan_creates(client: &Client, cidrs: &[&str]) -> cf_bindings::desired::Plan {
    let bindings: Vec<String> = cidrs
        .iter()
        .map(|cidr| format!("{{ cidr = \"{cidr}\", service = \"CDN\" }}"))
        .collect();
    let text = format!(
        "[[prefix]]\nid = \"{DEMO_IPV4_PREFIX_ID}\"\nbindings = [{}]\n",
        bindings.join(", ")
    );
    let desired = Desired::parse("bindings.toml", &text).unwrap();
    let account = client.account(DEMO_ACCOUNT_ID);
    let bindings = account.prefix(DEMO_IPV4_PREFIX_ID).bindings();
    let live: Live = [(
        DEMO_IPV4_PREFIX_ID.parse().unwrap(),
        bindings.list().await.unwrap().into_inner(),
    )]
    .into_iter()
    .collect();
    let services = account.services().list().await.unwrap().into_inner();
    plan(&desired, &live, &services).unwrap()
}

fn client(emulator: &RunningEmulator, policy: RetryPolicy) -> Client {
    demo_client(emulator, policy.with_jitter(false))
}

#[tokio::test(start_paused = true)]
async fn apply_waits_out_a_five_minute_block_and_then_succeeds() {
    let emulator = emulator().await;
    let client = client(&emulator, RetryPolicy::patient());
    let plan = plan_one_create(&client, "203.0.113.7/32").await;
    rate_limit_creates(&emulator, 1).await;

    let started = Instant::now();
    let mut seen = Vec::new();
    let applied = apply(&client.account(DEMO_ACCOUNT_ID), &plan, |a| {
        seen.push(a.step.to_string());
    })
    .await
    .unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(300), "{waited:?}");
    assert!(waited < Duration::from_secs(330), "{waited:?}");
    assert_eq!(seen, ["create 203.0.113.7/32 (CDN)"]);
    assert_eq!(applied.len(), 1);
    let created = applied[0].created.as_ref().unwrap();
    assert_eq!(created.cidr.to_string(), "203.0.113.7/32");
}

#[tokio::test(start_paused = true)]
async fn the_default_policy_gives_up_on_a_five_minute_block() {
    let emulator = emulator().await;
    let client = client(&emulator, RetryPolicy::new());
    let plan = plan_one_create(&client, "203.0.113.7/32").await;
    // Every attempt the default policy makes within the block (at 0, 60 and 120 s).
    rate_limit_creates(&emulator, 3).await;

    let stopped = apply(&client.account(DEMO_ACCOUNT_ID), &plan, |_| {})
        .await
        .unwrap_err();
    let error = stopped.error().unwrap();
    assert!(error.is_rate_limited(), "{error}");
    assert!(stopped.done.is_empty());
    let (prefix, step) = stopped.failed().unwrap();
    assert_eq!(prefix.as_str(), DEMO_IPV4_PREFIX_ID);
    assert_eq!(step.to_string(), "create 203.0.113.7/32 (CDN)");
    assert!(stopped.not_done.is_empty());
    assert!(
        stopped.to_string().starts_with(&format!(
            "create 203.0.113.7/32 (CDN) in prefix {DEMO_IPV4_PREFIX_ID} failed after 0 step(s), 0 not tried: "
        )),
        "{stopped}"
    );
    let source = std::error::Error::source(&stopped).map(ToString::to_string);
    assert_eq!(source, Some(error.to_string()));
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_client_spaces_every_request() {
    let emulator = emulator().await;
    let paced = Client::builder()
        .base_url(emulator.base_url())
        .api_token(DEFAULT_API_TOKEN)
        .rate_limit(Some(4.0))
        .build()
        .unwrap();
    assert_eq!(paced.rate_limit(), Some(4.0));
    let text = format!(
        "[[prefix]]\nid = \"{DEMO_IPV4_PREFIX_ID}\"\nbindings = [\n{}]\n",
        (1..=5)
            .map(|i| format!("  {{ cidr = \"203.0.113.{i}/32\", service = \"CDN\" }},\n"))
            .collect::<String>()
    );
    let desired = Desired::parse("bindings.toml", &text).unwrap();
    let account = paced.account(DEMO_ACCOUNT_ID);
    let start = Instant::now();
    let live: Live = [(
        DEMO_IPV4_PREFIX_ID.parse().unwrap(),
        account
            .prefix(DEMO_IPV4_PREFIX_ID)
            .bindings()
            .list()
            .await
            .unwrap()
            .into_inner(),
    )]
    .into_iter()
    .collect();
    let services = account.services().list().await.unwrap().into_inner();
    let planned = plan(&desired, &live, &services).unwrap();
    let mut done_at = Vec::new();
    apply(&account, &planned, |_| done_at.push(start.elapsed()))
        .await
        .unwrap();
    // Two reads, then five creates: the seventh request goes 1.5 s after the first.
    let millis: Vec<u128> = done_at.iter().map(Duration::as_millis).collect();
    assert_eq!(millis, [500, 750, 1000, 1250, 1500]);

    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let refused = Client::builder()
            .api_token(DEFAULT_API_TOKEN)
            .rate_limit(Some(bad))
            .build()
            .unwrap_err();
        assert!(
            refused.to_string().contains("give a finite number above 0"),
            "{refused}"
        );
    }
}

/// The CIDRs of the demo prefix's live bindings, sorted.
async fn live_cidrs(client: &Client) -> Vec<String> {
    let listed = client
        .account(DEMO_ACCOUNT_ID)
        .prefix(DEMO_IPV4_PREFIX_ID)
        .bindings()
        .list()
        .await
        .unwrap()
        .into_inner();
    let mut cidrs: Vec<String> = listed.iter().map(|b| b.cidr.to_string()).collect();
    cidrs.sort();
    cidrs
}

/// Asked to stop, `apply_until_stopped` starts no other step: the steps made are
/// those made before (here, the one after which it was asked), the others are
/// reported not tried, and the live state says the same.
#[tokio::test]
async fn apply_stops_before_the_next_step_when_asked() {
    let emulator = emulator().await;
    let client = client(&emulator, RetryPolicy::new());
    let cidrs = ["203.0.113.7/32", "203.0.113.8/32", "203.0.113.9/32"];
    let planned = plan_creates(&client, &cidrs).await;
    assert_eq!(planned.steps().count(), 3);

    let stop = StopFlag::new();
    let asked = stop.clone();
    let mut seen = Vec::new();
    let stopped = apply_until_stopped(&client.account(DEMO_ACCOUNT_ID), &planned, &stop, |a| {
        seen.push(a.step.to_string());
        asked.raise();
    })
    .await
    .unwrap_err();
    assert!(stop.is_raised());
    assert!(matches!(stopped.reason, StopReason::Requested), "{stopped}");
    assert!(stopped.failed().is_none() && stopped.error().is_none());
    assert!(std::error::Error::source(&stopped).is_none());
    assert_eq!(seen, ["create 203.0.113.7/32 (CDN)"]);
    assert_eq!(stopped.done.len(), 1);
    let not_done: Vec<String> = stopped
        .not_done
        .iter()
        .map(|(_, s)| s.to_string())
        .collect();
    assert_eq!(
        not_done,
        ["create 203.0.113.8/32 (CDN)", "create 203.0.113.9/32 (CDN)"]
    );
    assert_eq!(
        stopped.to_string(),
        "stopped on request after 1 step(s), 2 not tried"
    );
    assert_eq!(
        live_cidrs(&client).await,
        ["203.0.113.0/24", "203.0.113.7/32"]
    );

    // Raised before the first step: nothing is made. The plan is stale now, but
    // nothing is sent to find out.
    let raised = StopFlag::new();
    raised.raise();
    let stopped = apply_until_stopped(&client.account(DEMO_ACCOUNT_ID), &planned, &raised, |_| {
        panic!("no step is made")
    })
    .await
    .unwrap_err();
    assert!(stopped.done.is_empty());
    assert_eq!(stopped.not_done.len(), 3);
    assert_eq!(
        live_cidrs(&client).await,
        ["203.0.113.0/24", "203.0.113.7/32"]
    );

    // Raised once the last step is made: nothing was left to stop, and the run
    // is a success.
    let rest = plan_creates(&client, &cidrs).await;
    assert_eq!(rest.steps().count(), 2);
    let late = StopFlag::new();
    let made = apply_until_stopped(&client.account(DEMO_ACCOUNT_ID), &rest, &late, |a| {
        if a.step.cidr().to_string() == "203.0.113.9/32" {
            late.raise();
        }
    })
    .await
    .unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(
        live_cidrs(&client).await,
        [
            "203.0.113.0/24",
            "203.0.113.7/32",
            "203.0.113.8/32",
            "203.0.113.9/32"
        ]
    );
}
