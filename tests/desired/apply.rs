//! `cf_bindings::apply` against the emulator: a plan's steps made in order, and
//! Cloudflare's five-minute rate-limit block waited out, on tokio's paused clock
//! (the five minutes pass at once; a wrong delay fails at once).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use cf_bindings::{Client, Desired, Live, RetryPolicy, apply, patient_retry_policy, plan};
use cf_bindings_emulator::{
    DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, Emulator, EmulatorConfig,
    RunningEmulator,
};
use tokio::time::Instant;

async fn emulator() -> RunningEmulator {
    Emulator::start(EmulatorConfig {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        faults: true,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

/// The next `n` creates answer 429 with `Retry-After: 300`, as Cloudflare answers
/// every call during its five-minute block.
async fn rate_limit_creates(emulator: &RunningEmulator, n: usize) {
    let fault = serde_json::json!({ "kind": "rate_limit", "retry_after": 300 });
    let answer = reqwest::Client::new()
        .post(format!(
            "http://{}/__emulator/faults",
            emulator.local_addr()
        ))
        .json(&serde_json::json!({ "create": vec![fault; n] }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

/// Plans the demo prefix with one more binding, `cidr` to the CDN.
async fn plan_one_create(client: &Client, cidr: &str) -> cf_bindings::Plan {
    let text = format!(
        "[[prefix]]\nid = \"{DEMO_IPV4_PREFIX_ID}\"\nbindings = [{{ cidr = \"{cidr}\", service = \"CDN\" }}]\n"
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
    Client::builder()
        .base_url(emulator.base_url())
        .api_token(DEFAULT_API_TOKEN)
        .retry_policy(policy.with_jitter(false))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn apply_waits_out_a_five_minute_block_and_then_succeeds() {
    let emulator = emulator().await;
    let client = client(&emulator, patient_retry_policy());
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
    assert!(stopped.error.is_rate_limited(), "{}", stopped.error);
    assert!(stopped.done.is_empty());
    assert_eq!(stopped.failed.1.to_string(), "create 203.0.113.7/32 (CDN)");
    assert!(stopped.not_done.is_empty());
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
