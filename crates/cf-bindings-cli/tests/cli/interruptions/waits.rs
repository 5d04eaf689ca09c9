//! A signal stops `bindings wait` and `apply --wait` at once, naming what is not
//! active yet.

use rustix::process::Signal;

use super::running::{Running, signals};
use crate::desired::{Workdir, demo_file};
use crate::{Emulated, emulated_std, stdout};

/// `bindings wait`: the first signal stops the wait and says the binding is not
/// active yet.
#[test]
fn a_signal_stops_a_wait_and_says_what_is_not_active_yet() {
    for (signal, name, code) in signals() {
        let emulated = Emulated {
            provisioning_delay: Some("1h"),
            ..Emulated::new()
        };
        let created = emulated.json(&[
            "bindings",
            "create",
            "--cidr",
            "203.0.113.7/32",
            "--service",
            "CDN",
        ]);
        let id = created["id"].as_str().expect("an id");
        let mut command = emulated_std(&emulated.state);
        command
            .env("CF_EMULATOR_PROVISIONING_DELAY", "1h")
            .args(["bindings", "wait", id]);
        let mut wait = Running::start(command);
        wait.wait_for(&format!(
            "binding {id} (203.0.113.7/32): provisioning after"
        ));
        wait.send(signal);
        let (output, err) = wait.finish();
        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(
            err.contains(&format!(
                "{name} received: stopped waiting; not yet active:\n  binding {id} (203.0.113.7/32 → CDN): provisioning\n"
            )),
            "{err}"
        );
        assert!(
            err.ends_with(&format!(
                "error: interrupted by {name}: stopped waiting with 1 binding not yet active; the bindings are made and become active on their own (`cf-bindings bindings wait ID` waits again)\n"
            )),
            "{err}"
        );
        assert!(output.stdout.is_empty());
    }
}

/// `apply --wait`: a signal while waiting for the first created binding names
/// both, the second as created (not polled yet).
#[test]
fn a_signal_stops_apply_wait_and_names_every_binding_not_active_yet() {
    let emulated = Emulated {
        provisioning_delay: Some("1h"),
        ..Emulated::new()
    };
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[
            ("203.0.113.7/32".to_owned(), "CDN"),
            ("203.0.113.9/32".to_owned(), "Spectrum"),
        ]),
    );
    let file = work.dir.path().join("bindings.toml");
    let mut command = emulated_std(&emulated.state);
    command
        .env("CF_EMULATOR_PROVISIONING_DELAY", "1h")
        .args(["apply", "--yes", "--wait", "-f"])
        .arg(&file);
    let mut apply = Running::start(command);
    apply.wait_for("(203.0.113.7/32): provisioning after");
    apply.send(Signal::TERM);
    let (output, err) = apply.finish();
    assert_eq!(output.status.code(), Some(143), "{err}");
    assert!(err.contains("[2/2] created 203.0.113.9/32"), "{err}");
    assert!(
        err.contains("SIGTERM received: stopped waiting; not yet active:\n  binding "),
        "{err}"
    );
    assert!(
        err.contains(" (203.0.113.7/32 → CDN): provisioning\n"),
        "{err}"
    );
    assert!(
        err.contains(" (203.0.113.9/32 → Spectrum): provisioning (as created; not polled since)\n"),
        "{err}"
    );
    assert!(
        err.ends_with("error: interrupted by SIGTERM: stopped waiting with 2 bindings not yet active; the bindings are made and become active on their own (`cf-bindings bindings wait ID` waits again)\n"),
        "{err}"
    );
    // The changes were made and reported before the wait.
    assert!(stdout(&output).contains("Applied"), "{}", stdout(&output));
}
