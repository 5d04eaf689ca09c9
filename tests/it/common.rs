//! What the cross-crate tests share: the test server's ids and envelopes
//! (`cf_bindings_test_server::fixtures`), and the emulator with its faults and a
//! client of its demo account.

use std::time::Duration;

use cf_bindings::{Bindings, Client, RetryPolicy};
pub use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID,
};
use cf_bindings_emulator::{Emulator, EmulatorConfig, RunningEmulator};
pub use cf_bindings_test_server::fixtures::*;
use serde_json::Value;

/// Retries that take milliseconds, not seconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(2))
        .with_max_delay(Duration::from_millis(10))
        .with_max_retry_after(Duration::from_millis(20))
}

/// An emulator started with `config` on a free port of 127.0.0.1.
pub async fn emulator_with(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// An emulator that provisions at once and takes faults (see [`inject`]).
pub async fn faulty_emulator() -> RunningEmulator {
    emulator_with(EmulatorConfig {
        faults: true,
        provisioning_delay: Duration::ZERO,
        ..EmulatorConfig::default()
    })
    .await
}

/// Queues `faults` (the emulator's `/__emulator/faults` document) on `running`.
pub async fn inject(running: &RunningEmulator, faults: Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/__emulator/faults", running.local_addr()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

/// A client of `running` with its default token and `policy`.
pub fn demo_client(running: &RunningEmulator, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(running.base_url())
        .api_token(DEFAULT_API_TOKEN)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// The bindings of the demo IPv4 prefix of `running`, with [`fast_retry`].
pub fn demo_bindings(running: &RunningEmulator) -> Bindings {
    demo_client(running, fast_retry())
        .account(DEMO_ACCOUNT_ID)
        .prefix(DEMO_IPV4_PREFIX_ID)
        .bindings()
}
