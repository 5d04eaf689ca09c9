//! State files: saved on every change, survive restarts and SIGKILL, shared between
//! processes; corrupt files are refused and left untouched. Also the binary itself.

mod binary;
mod credentials;
mod files;

use crate::common;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
};

use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR,
    DEMO_IPV6_PREFIX_ID, Emulator, EmulatorConfig, Error, MAGIC_TRANSIT_SERVICE_ID, StateSharing,
    error_codes,
};
use common::{check_invariants, config, start_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn file_config(path: &Path, sharing: StateSharing) -> EmulatorConfig {
    EmulatorConfig {
        state_file: Some(path.to_owned()),
        state_sharing: sharing,
        ..config()
    }
}

#[tokio::test]
async fn state_file_is_created_saved_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let emu = start_with(file_config(&path, StateSharing::Exclusive)).await;
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["version"], 2, "created from the seed at start");

    let created = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.7/32", CDN_SERVICE_ID)
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["result"]["id"].as_str().unwrap().to_owned();
    // Saved before the answer was sent.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&id), "{text}");
    // A refused change saves nothing new.
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.7/32", CDN_SERVICE_ID)
        .await
        .expect_error(400, error_codes::DUPLICATE_BINDING);
    let before = emu.list(DEMO_IPV4_PREFIX_ID).await;
    emu.shutdown().await;

    // Restart with a different seed: the file wins.
    let again = start_with(EmulatorConfig {
        seed: cf_bindings_emulator::Seed::from_json(r#"{"services": []}"#).unwrap(),
        ..file_config(&path, StateSharing::Exclusive)
    })
    .await;
    assert_eq!(again.list(DEMO_IPV4_PREFIX_ID).await, before);
    let deleted = again.delete(DEMO_IPV4_PREFIX_ID, &id).await;
    assert_eq!(deleted.status, StatusCode::OK);
    again.shutdown().await;
    let third = start_with(file_config(&path, StateSharing::Exclusive)).await;
    assert_eq!(third.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "state.json" || n == "state.json.lock"),
        "{names:?}"
    );
}

#[tokio::test]
async fn stale_temporary_files_are_removed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    // What a save killed before its rename leaves behind, plus files not ours.
    let stale = dir.path().join(".state.json.tmp.4242.0000beef");
    std::fs::write(&stale, b"{\"half\": ").unwrap();
    let other_state = dir.path().join(".other.json.tmp.4242.0000beef");
    std::fs::write(&other_state, b"keep").unwrap();
    let unrelated = dir.path().join("notes.txt");
    std::fs::write(&unrelated, b"keep").unwrap();

    for sharing in [StateSharing::Exclusive, StateSharing::Shared] {
        std::fs::write(&stale, b"{\"half\": ").unwrap();
        let emu = start_with(file_config(&path, sharing)).await;
        assert!(
            !stale.exists(),
            "{sharing:?}: the stale temporary file is gone"
        );
        assert!(
            other_state.exists() && unrelated.exists(),
            "{sharing:?}: others stay"
        );
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn corrupt_state_file_is_an_error_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let corrupt: [&[u8]; 4] = [
        b"{\"version\": 1, \"services\": [",
        b"\x00\x01garbage",
        // Valid JSON that breaks a rule: a first binding that is not the prefix.
        br#"{"accounts": [{"id": "0123456789abcdef0123456789abcdef", "prefixes": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cidr": "192.0.2.0/24", "bindings": [{"cidr": "192.0.2.0/25", "service_id": "2db684ee7ca04e159946fd05b99e1bcd"}]}]}], "services": [{"id": "2db684ee7ca04e159946fd05b99e1bcd", "name": "Magic Transit"}]}"#,
        br#"{"version": 99}"#,
    ];
    for bytes in corrupt {
        std::fs::write(&path, bytes).unwrap();
        let err = Emulator::start(file_config(&path, StateSharing::Exclusive))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::CorruptState { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("state.json") && msg.contains("untouched"),
            "{msg}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "file untouched");
    }
}

#[tokio::test]
async fn exclusive_state_file_refuses_a_second_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let first = start_with(file_config(&path, StateSharing::Exclusive)).await;
    let err = Emulator::start(file_config(&path, StateSharing::Exclusive))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::StateFileInUse {
                sharing: StateSharing::Exclusive,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("in shared mode"), "{err}");
    // In shared mode the file stayed locked past the lock timeout: the other
    // emulator is the one not sharing it.
    let shared = Error::StateFileInUse {
        path: path.clone(),
        sharing: StateSharing::Shared,
    }
    .to_string();
    assert!(shared.contains("does not share it"), "{shared}");
    assert!(!shared.contains("to share it"), "{shared}");
    first.shutdown().await;
    // Released on shutdown.
    let second = start_with(file_config(&path, StateSharing::Exclusive)).await;
    second.shutdown().await;
}

#[tokio::test]
async fn shared_state_file_serializes_two_emulators() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let a = Arc::new(start_with(file_config(&path, StateSharing::Shared)).await);
    let b = Arc::new(start_with(file_config(&path, StateSharing::Shared)).await);

    // 20 concurrent creates of the IPv6 base through both: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let emu = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            emu.create(
                DEMO_IPV6_PREFIX_ID,
                DEMO_IPV6_PREFIX_CIDR,
                MAGIC_TRANSIT_SERVICE_ID,
            )
            .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status.as_u16() {
            201 => created += 1,
            _ => {
                answer.expect_error(400, error_codes::DUPLICATE_BINDING);
            }
        }
    }
    assert_eq!(created, 1);

    // 40 concurrent disjoint creates through both: none lost, both see all.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let emu = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let answer = emu
                .create(
                    DEMO_IPV4_PREFIX_ID,
                    &format!("203.0.113.{i}/32"),
                    CDN_SERVICE_ID,
                )
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{:#}", answer.body);
            answer.body["result"]["id"].as_str().unwrap().to_owned()
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    for emu in [&a, &b] {
        let listed = emu.list(DEMO_IPV4_PREFIX_ID).await;
        assert_eq!(listed.len(), 41);
        for id in &ids {
            assert!(listed.iter().any(|b| b["id"] == json!(id)), "{id} lost");
        }
        check_invariants("203.0.113.0/24", &listed);
    }
}

fn emulator_binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"))
}

/// Spawns the binary and reads the base URL from its first stdout line.
fn spawn_binary(args: &[&str]) -> (Child, String) {
    let mut child = emulator_binary()
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line.trim().to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{base:?}"
    );
    (child, base)
}

fn bindings_of(base: &str, prefix: &str) -> String {
    format!("{base}/accounts/{DEMO_ACCOUNT_ID}/addressing/prefixes/{prefix}/bindings")
}

/// Waits for `child` to exit, killing it (and failing) if it is still running after
/// a generous bound: what is tested is that it does not hang, not how fast it is.
fn exit_within_bound(mut child: Child, what: &str) -> (std::process::ExitStatus, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
    }
    (status, stderr)
}

/// Spawns the binary with `args` and `env` (stderr piped), and reads the base URL
/// (given for 127.0.0.1 whatever the listen address) from its first stdout line.
fn spawn_piped(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut command = emulator_binary();
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line.trim().replace("http://0.0.0.0:", "http://127.0.0.1:");
    assert!(base.starts_with("http://127.0.0.1:"), "{line:?}");
    (child, base)
}

/// Stops a child spawned by [`spawn_piped`] and returns what it wrote on stderr.
fn stop(mut child: Child) -> String {
    child.kill().unwrap();
    let (_, stderr) = exit_within_bound(child, "killed emulator");
    stderr
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}
