//! The embedded emulator (`--emulated`): its provisioning delay and chaos mode
//! from the environment, and its state file, kept across invocations and shared by
//! concurrent processes without losing a write.

use super::{Emulated, PREFIX, emulated_command, stderr};

#[test]
fn the_embedded_emulator_takes_its_provisioning_delay_from_the_environment() {
    let emulated = Emulated::new();
    let create = |delay: &str, cidr: &str| {
        emulated
            .command()
            .env("CF_EMULATOR_PROVISIONING_DELAY", delay)
            .args([
                "--output",
                "json",
                "bindings",
                "create",
                "--cidr",
                cidr,
                "--service",
                "CDN",
            ])
            .output()
            .expect("the binary runs")
    };
    let now = create("0s", "203.0.113.200/32");
    assert!(now.status.success(), "{}", stderr(&now));
    let created: serde_json::Value = serde_json::from_slice(&now.stdout).expect("JSON");
    assert_eq!(created["state"], "active");
    // The default keeps a new binding provisioning.
    assert_eq!(
        emulated.json(&[
            "bindings",
            "create",
            "--cidr",
            "203.0.113.201/32",
            "--service",
            "CDN"
        ])["state"],
        "provisioning"
    );
    let bad = create("soon", "203.0.113.202/32");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("CF_EMULATOR_PROVISIONING_DELAY: `soon` is not a duration"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_embedded_emulator_takes_chaos_from_the_environment() {
    let emulated = Emulated::new();
    let run = |vars: &[(&str, &str)]| {
        emulated
            .command()
            .envs(vars.iter().copied())
            .args(["services", "list"])
            .output()
            .expect("the binary runs")
    };
    // Every request answered with the edge's HTML 502: the reads give up.
    let failed = run(&[
        ("CF_EMULATOR_CHAOS", "1"),
        ("CF_EMULATOR_CHAOS_KINDS", "http_error"),
    ]);
    assert_eq!(failed.status.code(), Some(4), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("502"), "{}", stderr(&failed));
    // Rate 0 injects nothing.
    let fine = run(&[("CF_EMULATOR_CHAOS", "0"), ("CF_EMULATOR_CHAOS_SEED", "9")]);
    assert!(fine.status.success(), "{}", stderr(&fine));
    for (vars, expected) in [
        (
            &[("CF_EMULATOR_CHAOS", "2")][..],
            "CF_EMULATOR_CHAOS: the chaos rate 2 must be from 0 to 1",
        ),
        (
            &[
                ("CF_EMULATOR_CHAOS", "0.2"),
                ("CF_EMULATOR_CHAOS_KINDS", "boom"),
            ][..],
            "CF_EMULATOR_CHAOS_KINDS: unknown fault kind \"boom\"",
        ),
    ] {
        let bad = run(vars);
        assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
        assert!(stderr(&bad).contains(expected), "{}", stderr(&bad));
    }
}

#[test]
fn state_persists_across_invocations() {
    let emulated = Emulated::new();
    emulated.ok(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.64/26",
        "--service",
        "CDN",
    ]);
    assert!(
        emulated
            .ok(&["bindings", "list"])
            .contains("203.0.113.64/26")
    );
    assert!(emulated.state.exists());
}

#[test]
fn concurrent_processes_lose_no_write() {
    let emulated = Emulated::new();
    // Two streams of processes, writing at the same time to one state file.
    let streams: Vec<_> = (0..2u8)
        .map(|stream| {
            let state = emulated.state.clone();
            std::thread::spawn(move || {
                for i in 0..5u8 {
                    let cidr = format!("203.0.113.{}/32", 100 + stream * 10 + i);
                    let output = emulated_command(&state)
                        .args(["bindings", "create", "--cidr", &cidr, "--service", "CDN"])
                        .output()
                        .expect("runs");
                    assert!(output.status.success(), "{cidr}: {}", stderr(&output));
                }
            })
        })
        .collect();
    for stream in streams {
        stream.join().expect("a stream of creates");
    }
    let listed = emulated.json(&["bindings", "list", "--prefix", PREFIX]);
    assert_eq!(listed.as_array().map(Vec::len), Some(11), "{listed}");
}
