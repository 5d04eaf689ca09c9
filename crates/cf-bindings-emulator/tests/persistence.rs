//! State files: saved on every change, survive restarts and SIGKILL, shared between
//! processes; corrupt files are refused and left untouched. Also the binary itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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

#[tokio::test]
async fn sigkill_mid_stream_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let path_arg = path.to_str().unwrap().to_owned();
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--state",
        &path_arg,
        "--provisioning-delay",
        "0",
    ];
    let (mut child, base) = spawn_binary(&args);
    let client = reqwest::Client::new();

    // A writer streams creates and records every acknowledged one.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let writer = {
        let acked = acked.clone();
        let client = client.clone();
        let url = bindings_of(&base, DEMO_IPV4_PREFIX_ID);
        tokio::spawn(async move {
            for i in 0..256 {
                let sent = client
                    .post(&url)
                    .bearer_auth("emulator-token")
                    .json(
                        &json!({"cidr": format!("203.0.113.{i}/32"), "service_id": CDN_SERVICE_ID}),
                    )
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                assert_eq!(body["success"], true, "{body}");
                acked
                    .lock()
                    .unwrap()
                    .push(body["result"]["cidr"].as_str().unwrap().to_owned());
            }
        })
    };
    while acked.lock().unwrap().len() < 25 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    writer.await.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() < 256, "the kill happened mid-stream");

    // Restart on the same file: it loads (not corrupt) and holds every acked write.
    let (mut child, base) = spawn_binary(&args);
    let body: Value = client
        .get(bindings_of(&base, DEMO_IPV4_PREFIX_ID))
        .bearer_auth("emulator-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let stored: Vec<String> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|b| b["cidr"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        &stored[..acked.len()],
        &acked[..],
        "every acknowledged write, in order"
    );
    assert!(
        stored.len() <= acked.len() + 1,
        "at most the in-flight write beyond them"
    );
    check_invariants("203.0.113.0/24", body["result"].as_array().unwrap());
}

#[test]
fn binary_refuses_a_corrupt_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{not json").unwrap();
    let output = emulator_binary()
        .args(["--listen", "127.0.0.1:0", "--state", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("corrupt") && stderr.contains("state.json"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
}

#[test]
fn help_documents_every_option() {
    let output = emulator_binary().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--listen",
        "--allow-host",
        "CF_EMULATOR_ALLOW_HOSTS",
        "--seed",
        "--state",
        "--shared-state",
        "--token",
        "--token-file",
        "CF_EMULATOR_TOKEN_FILE",
        "visible to other users in the process list",
        "--email",
        "--api-key",
        "--api-key-file",
        "CF_EMULATOR_API_KEY_FILE",
        "application/json",
        "--accept-any-credentials",
        "--provisioning-delay",
        "--faults",
        "--max-connections",
        "--read-timeout",
        "--chaos",
        "--chaos-seed",
        "--chaos-kinds",
        "--chaos-max-delay",
        "--chaos-retry-after",
        "CF_EMULATOR_CHAOS_SEED",
        "--help",
        "--version",
        "CF_EMULATOR_TOKEN",
        "127.0.0.1:8787",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let token_line = help.lines().find(|l| l.contains("--token")).unwrap();
    assert!(!token_line.is_empty());
    // Every option line is followed by a description.
    let options = help
        .lines()
        .filter(|l| l.trim_start().starts_with("--"))
        .count();
    assert_eq!(options, 20, "{help}");
}

#[tokio::test]
async fn binary_starts_with_the_default_seed_and_stops_on_sigterm() {
    let (mut child, base) = spawn_binary(&["--listen", "127.0.0.1:0"]);
    let client = reqwest::Client::new();
    let body: Value = client
        .get(bindings_of(&base, DEMO_IPV4_PREFIX_ID))
        .bearer_auth("emulator-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"][0]["cidr"], "203.0.113.0/24");
    assert_eq!(body["result"][0]["provisioning"]["state"], "active");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit on SIGTERM: {exit:?}");
}

#[test]
fn a_start_failure_with_stderr_closed_exits_1_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = emulator_binary()
        .args(["--listen", "127.0.0.1:0", "--seed"])
        .arg(dir.path().join("no-such-seed.toml"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    // A panic exits 101.
    assert_eq!(status.code(), Some(1));
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

#[cfg(unix)]
#[tokio::test]
async fn files_and_directories_are_private_under_umask_000() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new").join("sub").join("state.json");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 000; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_cf-bindings-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--provisioning-delay",
            "0",
            "--state",
        ])
        .arg(&path)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // A change: the state file is written again through a temporary file.
    let created = reqwest::Client::new()
        .post(bindings_of(line.trim(), DEMO_IPV4_PREFIX_ID))
        .bearer_auth("emulator-token")
        .json(&json!({"cidr": "203.0.113.9/32", "service_id": CDN_SERVICE_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("203.0.113.9/32")
    );
    assert_eq!(mode_of(&path), 0o600, "state file");
    assert_eq!(
        mode_of(&dir.path().join("new/sub/state.json.lock")),
        0o600,
        "lock file"
    );
    assert_eq!(
        mode_of(&dir.path().join("new/sub")),
        0o700,
        "created directory"
    );
    assert_eq!(mode_of(&dir.path().join("new")), 0o700, "created directory");
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_at_the_lock_path_is_refused_and_its_target_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let lock = dir.path().join("state.json.lock");
    let missing_target = dir.path().join("created-through-the-link");
    let existing_target = dir.path().join("victim");
    std::fs::write(&existing_target, b"keep me").unwrap();
    let victim_mode = mode_of(&existing_target);
    for target in [&missing_target, &existing_target] {
        std::os::unix::fs::symlink(target, &lock).unwrap();
        for sharing in [StateSharing::Exclusive, StateSharing::Shared] {
            let err = Emulator::start(file_config(&path, sharing))
                .await
                .expect_err("a symlinked lock file is refused");
            let message = err.to_string();
            assert!(matches!(err, Error::StateIo { .. }), "{err:?}");
            assert!(
                message.contains("state.json.lock") && message.contains("symbolic link"),
                "{message}"
            );
        }
        assert!(
            std::fs::symlink_metadata(&lock)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        std::fs::remove_file(&lock).unwrap();
    }
    assert!(!missing_target.exists(), "the link's target was created");
    assert_eq!(std::fs::read(&existing_target).unwrap(), b"keep me");
    assert_eq!(mode_of(&existing_target), victim_mode);
    assert!(!path.exists(), "nothing was started");

    // In shared mode every request opens the lock again: a link planted then is
    // refused too, and the change is not made.
    let emu = start_with(file_config(&path, StateSharing::Shared)).await;
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&missing_target, &lock).unwrap();
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.7/32", CDN_SERVICE_ID)
        .await
        .expect_error(500, error_codes::STORAGE_FAILURE);
    assert!(!missing_target.exists(), "the link's target was created");
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("203.0.113.7/32")
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_and_fifos_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap().to_owned();
    for (option, path, kind) in [
        ("--state", "/dev/zero", "a character device"),
        ("--seed", "/dev/zero", "a character device"),
        ("--token-file", "/dev/zero", "a character device"),
        ("--api-key-file", "/dev/zero", "a character device"),
        ("--state", fifo.as_str(), "a FIFO"),
        ("--seed", fifo.as_str(), "a FIFO"),
        ("--token-file", fifo.as_str(), "a FIFO"),
        ("--api-key-file", fifo.as_str(), "a FIFO"),
    ] {
        let child = emulator_binary()
            .args(["--listen", "127.0.0.1:0", option, path])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = exit_within_bound(child, &format!("{option} {path}"));
        assert_eq!(status.code(), Some(1), "{option} {path}: {stderr}");
        assert!(
            stderr.contains(path) && stderr.contains(&format!("not a regular file ({kind})")),
            "{option} {path}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // The state file's lock is not made beside a device.
    assert!(!Path::new("/dev/zero.lock").exists());
}

#[test]
fn files_past_their_cap_are_refused_before_being_read() {
    use cf_bindings_emulator::{
        CredentialFile, MAX_CREDENTIAL_FILE_BYTES, MAX_SEED_FILE_BYTES, MAX_STATE_FILE_BYTES, Seed,
    };
    let dir = tempfile::tempdir().unwrap();
    // Sparse files: their size costs no disk, and reading them whole would cost memory.
    let sized = |name: &str, len: u64| {
        let path = dir.path().join(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    };
    let seed = sized("seed.json", MAX_SEED_FILE_BYTES + 1);
    let message = Seed::load(&seed).unwrap_err().to_string();
    assert!(
        message.contains("seed.json") && message.contains("larger than 1 MiB"),
        "{message}"
    );
    // At the cap it is read (and found not to be JSON).
    let seed = sized("seed-at-cap.json", MAX_SEED_FILE_BYTES);
    let message = Seed::load(&seed).unwrap_err().to_string();
    assert!(message.contains("invalid seed"), "{message}");

    let token = sized("token", MAX_CREDENTIAL_FILE_BYTES + 1);
    let message = CredentialFile::read(&token).unwrap_err().to_string();
    assert!(message.contains("larger than 4 KiB"), "{message}");

    let state = sized("state.json", MAX_STATE_FILE_BYTES + 1);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = runtime
        .block_on(Emulator::start(file_config(
            &state,
            StateSharing::Exclusive,
        )))
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::StateIo { .. }), "{err:?}");
    assert!(
        message.contains("state.json") && message.contains("larger than 16 MiB"),
        "{message}"
    );
    assert_eq!(
        std::fs::metadata(&state).unwrap().len(),
        MAX_STATE_FILE_BYTES + 1,
        "left untouched"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn credentials_come_from_files_and_the_environment() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "file-token-5e1f\n").unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, "file-key-77a0\r\n").unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let client = reqwest::Client::new();
    let services = |base: &str| format!("{base}/accounts/{DEMO_ACCOUNT_ID}/addressing/services");
    let status_with =
        |request: reqwest::RequestBuilder| async move { request.send().await.unwrap().status() };

    let (child, base) = spawn_piped(
        &[
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            token_file.to_str().unwrap(),
            "--api-key-file",
            key_file.to_str().unwrap(),
        ],
        &[],
    );
    let url = services(&base);
    assert_eq!(
        status_with(client.get(&url).bearer_auth("file-token-5e1f")).await,
        StatusCode::OK
    );
    assert_eq!(
        status_with(client.get(&url).bearer_auth("emulator-token")).await,
        StatusCode::FORBIDDEN
    );
    let with_key = |key: &str| {
        client
            .get(&url)
            .header("x-auth-email", "demo@example.com")
            .header("x-auth-key", key)
    };
    assert_eq!(status_with(with_key("file-key-77a0")).await, StatusCode::OK);
    assert_eq!(
        status_with(with_key("emulator-key")).await,
        StatusCode::FORBIDDEN
    );
    let stderr = stop(child);
    // Only the file others may read is warned about, and no secret is printed.
    assert!(
        stderr.contains("API key file") && stderr.contains("mode 644"),
        "{stderr}"
    );
    assert!(!stderr.contains("token file"), "{stderr}");
    assert!(
        !stderr.contains("file-token-5e1f") && !stderr.contains("file-key-77a0"),
        "{stderr}"
    );

    // From the environment: the token itself, and the key's file.
    let (child, base) = spawn_piped(
        &["--listen", "127.0.0.1:0"],
        &[
            ("CF_EMULATOR_TOKEN", "env-token-90b2"),
            ("CF_EMULATOR_API_KEY_FILE", key_file.to_str().unwrap()),
        ],
    );
    let url = services(&base);
    assert_eq!(
        status_with(client.get(&url).bearer_auth("env-token-90b2")).await,
        StatusCode::OK
    );
    assert_eq!(
        status_with(client.get(&url).bearer_auth("emulator-token")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status_with(
            client
                .get(&url)
                .header("x-auth-email", "demo@example.com")
                .header("x-auth-key", "file-key-77a0")
        )
        .await,
        StatusCode::OK
    );
    stop(child);

    // A file that holds no credential is refused without quoting it.
    for (content, why) in [("\n", "empty"), ("two\nlines\n", "more than one line")] {
        std::fs::write(&token_file, content).unwrap();
        let child = emulator_binary()
            .args(["--listen", "127.0.0.1:0", "--token-file"])
            .arg(&token_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = exit_within_bound(child, why);
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("token") && stderr.contains(why), "{stderr}");
        assert!(!stderr.contains("lines"), "{stderr}");
    }
}

#[tokio::test]
async fn the_binary_warns_once_when_listening_beyond_loopback() {
    // Binding every address is allowed here; traffic goes to 127.0.0.1 only.
    let (child, base) = spawn_piped(
        &["--listen", "0.0.0.0:0", "--allow-host", "emulator.test"],
        &[],
    );
    let port = base
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/client/v4")
        .to_owned();
    let client = reqwest::Client::new();
    let url = format!("{base}/accounts/{DEMO_ACCOUNT_ID}/addressing/services");
    for host in [format!("127.0.0.1:{port}"), format!("emulator.test:{port}")] {
        let response = client
            .get(&url)
            .bearer_auth("emulator-token")
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{host}");
    }
    let refused = client
        .get(&url)
        .bearer_auth("emulator-token")
        .header("host", format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    let stderr = stop(child);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains(&format!("listening on 0.0.0.0:{port}, beyond loopback"))
            && warnings[0].contains("demo credentials"),
        "{stderr}"
    );

    // On loopback, and with the allowed hosts from the environment: no warning.
    let (child, base) = spawn_piped(
        &["--listen", "127.0.0.1:0"],
        &[("CF_EMULATOR_ALLOW_HOSTS", "a.test,b.test")],
    );
    let url = format!("{base}/accounts/{DEMO_ACCOUNT_ID}/addressing/services");
    for (host, status) in [
        ("b.test", StatusCode::OK),
        ("a.test", StatusCode::OK),
        ("c.test", StatusCode::MISDIRECTED_REQUEST),
    ] {
        let response = client
            .get(&url)
            .bearer_auth("emulator-token")
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{host}");
    }
    let stderr = stop(child);
    assert!(!stderr.contains("warning"), "{stderr}");
}
