//! AcceptedCredentials from files and the environment, and the warning when listening
//! beyond loopback.

use super::*;

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
