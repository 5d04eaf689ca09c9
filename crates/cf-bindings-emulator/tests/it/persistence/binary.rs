//! The binary: no acknowledged write lost to SIGKILL, corrupt state files refused,
//! `--help` documenting every option, the default seed, SIGTERM, start failures.

use super::*;

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
