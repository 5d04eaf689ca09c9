//! Requests below HTTP: requests hyper cannot parse still get envelopes; only hosts
//! naming the emulator are answered, others allowed at start or refused.

use super::*;

/// Sends raw bytes and reads the whole answer (the server closes the connection).
async fn raw_exchange(emu: &Emu, request: &[u8]) -> (String, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = emu.root.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), serde_json::from_str(body).unwrap())
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_envelopes_too() {
    let emu = start().await;
    let (head, body) = raw_exchange(
        &emu,
        b"GET /client/v4/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(body["success"], false);
    assert_eq!(body["errors"][0]["code"], error_codes::MALFORMED_REQUEST);
    let ray = head
        .lines()
        .find_map(|line| line.strip_prefix("cf-ray: "))
        .unwrap_or_default();
    assert!(
        ray.len() == 20
            && ray.ends_with("-EMU")
            && ray[..16].bytes().all(|b| b.is_ascii_hexdigit()),
        "{head}"
    );

    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "a".repeat(100_000)
    );
    let (head, body) = raw_exchange(&emu, long.as_bytes()).await;
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(head.contains("\r\ncf-ray: "), "{head}");
    assert_eq!(body["errors"][0]["code"], error_codes::URI_TOO_LONG);
    assert_eq!(body["result"], Value::Null);
}

/// A list of services sent with this `Host` header.
async fn with_host(emu: &Emu, host: &str) -> common::Answer {
    let response = emu
        .client
        .get(emu.services_url(DEMO_ACCOUNT_ID))
        .bearer_auth(cf_bindings_emulator::DEFAULT_API_TOKEN)
        .header("host", host)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    common::Answer {
        status,
        headers,
        body: response.json().await.unwrap(),
    }
}

#[tokio::test]
async fn only_hosts_naming_the_emulator_are_answered() {
    let emu = start().await;
    let port = emu.running.as_ref().unwrap().local_addr().port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        assert_success(&with_host(&emu, &host).await, 200);
    }
    // A page whose name was rebound to 127.0.0.1 sends its own name.
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("192.0.2.1:{port}"),
    ] {
        let answer = with_host(&emu, &host).await;
        let message = answer.expect_error(421, error_codes::HOST_NOT_ALLOWED);
        assert!(message.contains("--allow-host"), "{message}");
        assert_common_headers(&answer);
    }
    // Before routing and faults: an unknown route, and a fault script, are refused too.
    let refused = emu
        .client
        .post(format!("{}/__emulator/faults", emu.root))
        .header("host", "evil.example")
        .json(&json!({"list": [{"kind": "malformed_json"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    let nowhere = emu
        .client
        .get(format!("{}/nope", emu.root))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::MISDIRECTED_REQUEST);
    let pending: Value = emu
        .client
        .get(format!("{}/__emulator/faults", emu.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pending["result"]["pending"],
        json!({}),
        "nothing was queued"
    );
}

#[tokio::test]
async fn allowed_hosts_are_answered_and_invalid_ones_refused_at_start() {
    let emu = start_with(EmulatorConfig {
        allowed_hosts: vec!["Emulator.Test".to_owned(), "198.51.100.7".to_owned()],
        ..config()
    })
    .await;
    let port = emu.running.as_ref().unwrap().local_addr().port();
    for host in [
        format!("emulator.test:{port}"),
        "emulator.test".to_owned(),
        format!("198.51.100.7:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        assert_success(&with_host(&emu, &host).await, 200);
    }
    for host in [format!("other.test:{port}"), format!("198.51.100.8:{port}")] {
        with_host(&emu, &host)
            .await
            .expect_error(421, error_codes::HOST_NOT_ALLOWED);
    }
    for bad in ["emulator.test:8787", "", "a b"] {
        let result = cf_bindings_emulator::Emulator::start(EmulatorConfig {
            allowed_hosts: vec![bad.to_owned()],
            ..config()
        })
        .await;
        match result {
            Err(Error::InvalidConfig(message)) => {
                assert!(message.contains("allowed host"), "{message}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}
