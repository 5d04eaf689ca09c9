//! `wait_until_active` against the emulator's provisioning: a binding becomes
//! active, and a wait longer than the provisioning times out.

use std::time::Duration;

use cf_bindings::{Error, ProvisioningState, WaitOptions};
use cf_bindings_emulator::EmulatorConfig;

use crate::common::*;

fn quick() -> WaitOptions {
    WaitOptions::new()
        .with_initial_interval(Duration::from_millis(2))
        .with_max_interval(Duration::from_millis(10))
        .with_timeout(Duration::from_secs(30))
}

// Real time: the emulator provisions on the system clock, which a paused tokio clock
// does not move; polls on the paused clock would race far ahead of it.
#[tokio::test]
async fn emulator_binding_becomes_active() {
    let running = emulator_with(EmulatorConfig {
        provisioning_delay: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
    .await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.1/32", CDN_SERVICE_ID)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let active = bindings
        .wait_until_active(&created.id, &quick(), |b| seen.push(b.state.clone()))
        .await
        .unwrap();
    assert_eq!(active.id, created.id);
    assert_eq!(seen.last(), Some(&ProvisioningState::Active));
    assert!(seen.iter().all(|s| matches!(
        s,
        ProvisioningState::Provisioning | ProvisioningState::Active
    )));
    running.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn emulator_wait_times_out() {
    let running = emulator_with(EmulatorConfig {
        provisioning_delay: Duration::from_secs(3600),
        ..EmulatorConfig::default()
    })
    .await;
    let bindings = demo_bindings(&running);
    let created = bindings
        .create("203.0.113.1/32", CDN_SERVICE_ID)
        .await
        .unwrap();
    let mut polls = 0;
    let err = bindings
        .wait_until_active(
            &created.id,
            &quick().with_timeout(Duration::from_millis(60)),
            |_| polls += 1,
        )
        .await
        .unwrap_err();
    let Error::WaitTimeout { last_state, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*last_state, ProvisioningState::Provisioning);
    assert!(polls >= 1, "polled {polls} times");
    running.shutdown().await.unwrap();
}
