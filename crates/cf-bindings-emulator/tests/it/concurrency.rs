//! The rules hold under races; many concurrent clients see no errors and lose nothing.

use crate::common;

use std::{collections::HashSet, sync::Arc};

use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_CIDR, DEMO_IPV4_PREFIX_ID,
    DEMO_IPV6_PREFIX_CIDR, DEMO_IPV6_PREFIX_ID, MAGIC_TRANSIT_SERVICE_ID, SPECTRUM_SERVICE_ID,
    error_codes,
};
use common::{Emu, check_invariants, config, start, start_with};
use reqwest::{Method, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_first_bindings_give_one_success() {
    let emu = Arc::new(start().await);
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let emu = emu.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            emu.create(
                DEMO_IPV6_PREFIX_ID,
                DEMO_IPV6_PREFIX_CIDR,
                MAGIC_TRANSIT_SERVICE_ID,
            )
            .await
        }));
    }
    let (mut successes, mut rule_errors) = (0, 0);
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.status == StatusCode::CREATED {
            successes += 1;
        } else {
            answer.expect_error(400, error_codes::DUPLICATE_BINDING);
            rule_errors += 1;
        }
    }
    assert_eq!((successes, rule_errors), (1, 49));
    assert_eq!(emu.list(DEMO_IPV6_PREFIX_ID).await.len(), 1);
}

/// A random CIDR inside 203.0.113.0/24 (sometimes the prefix itself).
fn random_v4(rng: &mut fastrand::Rng) -> String {
    let len = rng.u32(24..=32);
    let block = rng.u32(0..1 << (len - 24));
    format!("203.0.113.{}/{len}", block << (32 - len))
}

fn random_service(rng: &mut fastrand::Rng) -> &'static str {
    [
        MAGIC_TRANSIT_SERVICE_ID,
        CDN_SERVICE_ID,
        SPECTRUM_SERVICE_ID,
    ][rng.usize(..3)]
}

/// Rule errors a random operation may legitimately get.
const RULE_CODES: [u64; 7] = [
    error_codes::FIRST_BINDING_MUST_MATCH_PREFIX,
    error_codes::DUPLICATE_BINDING,
    error_codes::OVERLAPPING_BINDING,
    error_codes::CDN_SPECTRUM_CONFLICT,
    error_codes::BASE_BINDING_IN_USE,
    error_codes::BINDING_NOT_FOUND,
    error_codes::CIDR_OUTSIDE_PREFIX,
];

async fn random_op(emu: &Emu, rng: &mut fastrand::Rng) {
    let (prefix, prefix_cidr) = if rng.u8(..4) == 0 {
        (DEMO_IPV6_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR)
    } else {
        (DEMO_IPV4_PREFIX_ID, DEMO_IPV4_PREFIX_CIDR)
    };
    let answer = match rng.u8(..10) {
        0..=4 => {
            let cidr = if prefix == DEMO_IPV6_PREFIX_ID {
                if rng.bool() {
                    DEMO_IPV6_PREFIX_CIDR.to_owned()
                } else {
                    format!("2001:db8:1000:{:x}::/64", rng.u16(..8))
                }
            } else {
                random_v4(rng)
            };
            emu.create(prefix, &cidr, random_service(rng)).await
        }
        5..=6 => {
            let listed = emu.list(prefix).await;
            check_invariants(prefix_cidr, &listed);
            if listed.is_empty() {
                return;
            }
            let victim = &listed[rng.usize(..listed.len())];
            emu.delete(prefix, victim["id"].as_str().unwrap()).await
        }
        7 => {
            let listed = emu.list(prefix).await;
            if listed.is_empty() {
                return;
            }
            let one = &listed[rng.usize(..listed.len())];
            let url = emu.binding_url(DEMO_ACCOUNT_ID, prefix, one["id"].as_str().unwrap());
            emu.call(Method::GET, &url, None).await
        }
        _ => {
            let listed = emu.list(prefix).await;
            check_invariants(prefix_cidr, &listed);
            return;
        }
    };
    match answer.status.as_u16() {
        200 | 201 => assert_eq!(answer.body["success"], true),
        // Another task may have deleted what this one saw.
        400 | 404 => assert!(RULE_CODES.contains(&answer.code()), "{:#}", answer.body),
        other => panic!("unexpected status {other}: {:#}", answer.body),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_mixed_operations_keep_the_invariants() {
    let emu = Arc::new(start().await);
    let mut tasks = Vec::new();
    for task in 0..32u64 {
        let emu = emu.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(0x5eed_0000 + task);
            // 32 tasks × 32 operations ≈ 1,000 (1,024).
            for _ in 0..32 {
                random_op(&emu, &mut rng).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    check_invariants(DEMO_IPV4_PREFIX_CIDR, &emu.list(DEMO_IPV4_PREFIX_ID).await);
    check_invariants(DEMO_IPV6_PREFIX_CIDR, &emu.list(DEMO_IPV6_PREFIX_ID).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_requests_from_64_clients_lose_nothing() {
    let emu = Arc::new(start().await);
    let base = emu
        .create(
            DEMO_IPV6_PREFIX_ID,
            DEMO_IPV6_PREFIX_CIDR,
            MAGIC_TRANSIT_SERVICE_ID,
        )
        .await;
    assert_eq!(base.status, StatusCode::CREATED);
    const CLIENTS: u32 = 64;
    // Per round: create, get, list services, and every other round delete: ~3.5 requests.
    const ROUNDS: u32 = 45;
    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let emu = emu.clone();
        tasks.push(tokio::spawn(async move {
            // Each client has its own connection pool.
            let own = emu.new_client();
            let mut kept = Vec::new();
            let mut requests = 0u32;
            for round in 0..ROUNDS {
                let cidr = format!("2001:db8:1000:{client_no:x}:{round:x}::/80")
                    .parse::<ipnet::IpNet>()
                    .unwrap()
                    .to_string();
                let created = own.create(DEMO_IPV6_PREFIX_ID, &cidr, CDN_SERVICE_ID).await;
                assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
                let id = created.body["result"]["id"].as_str().unwrap().to_owned();
                let got = own
                    .call(
                        Method::GET,
                        &own.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV6_PREFIX_ID, &id),
                        None,
                    )
                    .await;
                assert_eq!(got.status, StatusCode::OK);
                assert_eq!(got.body["result"]["cidr"], cidr.as_str());
                let services = own
                    .call(Method::GET, &own.services_url(DEMO_ACCOUNT_ID), None)
                    .await;
                assert_eq!(services.status, StatusCode::OK);
                requests += 3;
                if round % 2 == 1 {
                    let deleted = own.delete(DEMO_IPV6_PREFIX_ID, &id).await;
                    assert_eq!(deleted.status, StatusCode::OK);
                    requests += 1;
                } else {
                    kept.push(id);
                }
            }
            (kept, requests)
        }));
    }
    let mut expected = HashSet::new();
    let mut total = 1u32;
    for task in tasks {
        let (kept, requests) = task.await.unwrap();
        expected.extend(kept);
        total += requests;
    }
    assert!(total >= 10_000, "{total} requests");
    let listed = emu.list(DEMO_IPV6_PREFIX_ID).await;
    check_invariants(DEMO_IPV6_PREFIX_CIDR, &listed);
    let stored: HashSet<String> = listed
        .iter()
        .filter(|b| b["cidr"] != DEMO_IPV6_PREFIX_CIDR)
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored, expected, "zero lost (or extra) writes");
}

/// Reads from `stream` until the server closes it; how long that took, at most 10 s.
async fn closed_after(stream: &mut tokio::net::TcpStream) -> std::time::Duration {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    started.elapsed()
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_read_timeout() {
    use tokio::io::AsyncWriteExt;
    let emu = start_with(cf_bindings_emulator::EmulatorConfig {
        read_timeout: std::time::Duration::from_millis(200),
        ..config()
    })
    .await;
    let addr = emu.root.trim_start_matches("http://").to_owned();
    let create = format!(
        "POST /client/v4/accounts/{DEMO_ACCOUNT_ID}/addressing/prefixes/{DEMO_IPV4_PREFIX_ID}/bindings HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nAuthorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: 100\r\n\r\n{{\"cidr\"",
        cf_bindings_emulator::DEFAULT_API_TOKEN
    );
    for partial in [
        "GET /client/v4/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".to_owned(),
        create,
    ] {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream.write_all(partial.as_bytes()).await.unwrap();
        let waited = closed_after(&mut stream).await;
        assert!(
            waited >= std::time::Duration::from_millis(150),
            "{waited:?}"
        );
    }
    // A complete request is still served.
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn a_request_handled_for_longer_than_the_read_timeout_is_answered() {
    let emu = start_with(cf_bindings_emulator::EmulatorConfig {
        read_timeout: std::time::Duration::from_millis(200),
        faults: true,
        ..config()
    })
    .await;
    emu.script(serde_json::json!({
        "list": [{"kind": "delay", "ms": 700}],
        "create": [{"kind": "delay", "ms": 700}],
    }))
    .await;
    let started = std::time::Instant::now();
    let answer = emu
        .try_call(
            Method::GET,
            &emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID),
            None,
        )
        .await;
    let answer = answer.expect("an answer, not a closed connection");
    assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
    assert!(started.elapsed() >= std::time::Duration::from_millis(700));
    // A request with a body, read whole before the handler waits.
    let created = emu
        .try_call(
            Method::POST,
            &emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID),
            Some(serde_json::json!({"cidr": "203.0.113.7/32", "service_id": CDN_SERVICE_ID})),
        )
        .await
        .expect("an answer, not a closed connection");
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    // The idle timer runs again once the answer is sent.
    let addr = emu.root.trim_start_matches("http://").to_owned();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    closed_after(&mut idle).await;
}

#[tokio::test]
async fn a_request_trickled_byte_by_byte_is_closed_after_the_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start_with(cf_bindings_emulator::EmulatorConfig {
        read_timeout: std::time::Duration::from_millis(300),
        ..config()
    })
    .await;
    let addr = emu.root.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = std::time::Instant::now();
    // One byte every 50 ms: never idle for the read timeout, never a whole head.
    let head = format!(
        "GET /client/v4/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {}",
        "a".repeat(200)
    );
    let mut closed = false;
    for byte in head.bytes() {
        if stream.write_all(&[byte]).await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 64];
        let read =
            tokio::time::timeout(std::time::Duration::from_millis(50), stream.read(&mut buf)).await;
        if let Ok(Ok(0) | Err(_)) = read {
            closed = true;
            break;
        }
    }
    let waited = started.elapsed();
    assert!(closed, "still open after {waited:?}");
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "{waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(3), "{waited:?}");
    // A request sent whole is served.
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn connections_past_the_cap_are_closed_while_others_are_served() {
    let emu = start_with(cf_bindings_emulator::EmulatorConfig {
        max_connections: 3,
        ..config()
    })
    .await;
    let addr = emu.root.trim_start_matches("http://").to_owned();
    // Two idle connections hold two of the three places.
    let _held = [
        tokio::net::TcpStream::connect(&addr).await.unwrap(),
        tokio::net::TcpStream::connect(&addr).await.unwrap(),
    ];
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // The third place serves a client, on a keep-alive connection it keeps.
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
    // A fourth connection is closed at once.
    let mut extra = tokio::net::TcpStream::connect(&addr).await.unwrap();
    closed_after(&mut extra).await;
    // The client being served goes on being served.
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[tokio::test]
async fn a_connection_cap_out_of_range_is_refused_at_start() {
    for max_connections in [
        0,
        cf_bindings_emulator::MAX_CONNECTIONS_LIMIT + 1,
        usize::MAX,
    ] {
        let started = cf_bindings_emulator::Emulator::start(cf_bindings_emulator::EmulatorConfig {
            max_connections,
            ..config()
        })
        .await;
        match started {
            Err(cf_bindings_emulator::Error::InvalidConfig(message)) => {
                assert!(message.contains("max_connections"), "{message}");
            }
            other => panic!("{max_connections}: {other:?}"),
        }
    }
    // The largest cap accepted starts.
    let emu = start_with(cf_bindings_emulator::EmulatorConfig {
        max_connections: cf_bindings_emulator::MAX_CONNECTIONS_LIMIT,
        ..config()
    })
    .await;
    assert_eq!(emu.list(DEMO_IPV4_PREFIX_ID).await.len(), 1);
}

#[test]
fn the_binary_refuses_a_connection_cap_out_of_range() {
    let too_many = (cf_bindings_emulator::MAX_CONNECTIONS_LIMIT + 1).to_string();
    for (flag, env) in [
        (Some(too_many.as_str()), None),
        (None, Some(too_many.as_str())),
        (Some("0"), None),
    ] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"));
        command
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("CF_EMULATOR_MAX_CONNECTIONS")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        if let Some(value) = flag {
            command.args(["--max-connections", value]);
        }
        if let Some(value) = env {
            command.env("CF_EMULATOR_MAX_CONNECTIONS", value);
        }
        let mut child = command.spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{flag:?} {env:?}: still running");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{flag:?} {env:?}: {err}");
        assert!(err.contains("must be from 1 to"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
