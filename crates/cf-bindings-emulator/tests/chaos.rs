//! The chaos mode: seeded random faults on a fraction of all requests, set at start
//! or through `/__emulator/chaos`, each kind played as the fault script plays it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cf_bindings_emulator::{
    CDN_SERVICE_ID, Chaos, DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_BASE_BINDING_ID,
    DEMO_IPV4_PREFIX_ID, Emulator, EmulatorConfig, FaultKind, error_codes,
};
use common::{Emu, config, start, start_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// How one request was answered, as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// The connection closed without an answer.
    Dropped,
    /// An answer: its status, whether its body is JSON, and its `success`.
    Answer {
        status: u16,
        json: bool,
        success: Option<bool>,
        retry_after: Option<String>,
        html: bool,
    },
}

impl Seen {
    fn normal(status: u16) -> Seen {
        Seen::Answer {
            status,
            json: true,
            success: Some(true),
            retry_after: None,
            html: false,
        }
    }
}

async fn seen(request: reqwest::RequestBuilder) -> Seen {
    let Ok(response) = request.bearer_auth(DEFAULT_API_TOKEN).send().await else {
        return Seen::Dropped;
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let Ok(bytes) = response.bytes().await else {
        return Seen::Dropped;
    };
    let body: Option<Value> = serde_json::from_slice(&bytes).ok();
    Seen::Answer {
        status,
        json: body.is_some(),
        success: body.as_ref().and_then(|b| b["success"].as_bool()),
        retry_after: headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
        html: headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html")),
    }
}

async fn list(emu: &Emu) -> Seen {
    seen(
        emu.client
            .get(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID)),
    )
    .await
}

async fn get_base(emu: &Emu) -> Seen {
    seen(emu.client.get(emu.binding_url(
        DEMO_ACCOUNT_ID,
        DEMO_IPV4_PREFIX_ID,
        DEMO_IPV4_BASE_BINDING_ID,
    )))
    .await
}

async fn services(emu: &Emu) -> Seen {
    seen(emu.client.get(emu.services_url(DEMO_ACCOUNT_ID))).await
}

async fn list_prefixes(emu: &Emu) -> Seen {
    seen(emu.client.get(emu.prefixes_url(DEMO_ACCOUNT_ID))).await
}

async fn get_prefix(emu: &Emu) -> Seen {
    seen(emu.client.get(format!(
        "{}/{DEMO_IPV4_PREFIX_ID}",
        emu.prefixes_url(DEMO_ACCOUNT_ID)
    )))
    .await
}

async fn create(emu: &Emu, cidr: &str) -> Seen {
    seen(
        emu.client
            .post(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
            .json(&json!({"cidr": cidr, "service_id": CDN_SERVICE_ID})),
    )
    .await
}

async fn delete(emu: &Emu, id: &str) -> Seen {
    seen(
        emu.client
            .delete(emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, id)),
    )
    .await
}

/// Sends `method` to `/__emulator/chaos`; returns the status and the `result`.
async fn control(emu: &Emu, method: Method, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = emu
        .client
        .request(method, format!("{}/__emulator/chaos", emu.root));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    if status == StatusCode::OK {
        (status, body["result"].clone())
    } else {
        (status, body)
    }
}

async fn set_chaos(emu: &Emu, settings: Value) -> Value {
    let (status, result) = control(emu, Method::POST, Some(settings)).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    result
}

/// The CIDRs of the demo IPv4 prefix, read with chaos off.
async fn cidrs_without_chaos(emu: &Emu) -> Vec<String> {
    control(emu, Method::DELETE, None).await;
    emu.list(DEMO_IPV4_PREFIX_ID)
        .await
        .iter()
        .map(|b| b["cidr"].as_str().unwrap().to_owned())
        .collect()
}

/// An emulator with faults served and chaos set from the start.
async fn start_chaos(chaos: Chaos) -> Emu {
    start_with(EmulatorConfig {
        faults: true,
        chaos: Some(chaos),
        ..config()
    })
    .await
}

#[tokio::test]
async fn rate_zero_injects_nothing() {
    let emu = start_chaos(Chaos::new(0.0, 1)).await;
    for i in 0..50 {
        assert_eq!(list(&emu).await, Seen::normal(200));
        assert_eq!(get_base(&emu).await, Seen::normal(200));
        assert_eq!(services(&emu).await, Seen::normal(200));
        assert_eq!(list_prefixes(&emu).await, Seen::normal(200));
        assert_eq!(get_prefix(&emu).await, Seen::normal(200));
        assert_eq!(
            create(&emu, &format!("203.0.113.{i}/32")).await,
            Seen::normal(201)
        );
    }
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["enabled"], true);
    assert_eq!(status["requests"], 300);
    assert_eq!(status["injected"], json!({}));
    assert_eq!(cidrs_without_chaos(&emu).await.len(), 51);
}

/// With rate 1 and one kind, every request of every operation gets that fault, and
/// the fault does what the fault table says.
#[tokio::test]
async fn rate_one_with_one_kind_plays_it_on_every_request_as_documented() {
    let emu = start().await;
    let cases: [(&str, Seen, bool); 7] = [
        (
            "rate_limit",
            Seen::Answer {
                status: 429,
                json: true,
                success: Some(false),
                retry_after: Some("3".to_owned()),
                html: false,
            },
            false,
        ),
        (
            "http_error",
            Seen::Answer {
                status: 502,
                json: false,
                success: None,
                retry_after: None,
                html: true,
            },
            false,
        ),
        (
            "unsuccessful",
            Seen::Answer {
                status: 200,
                json: true,
                success: Some(false),
                retry_after: None,
                html: false,
            },
            false,
        ),
        (
            "malformed_json",
            Seen::Answer {
                status: 200,
                json: false,
                success: None,
                retry_after: None,
                html: false,
            },
            false,
        ),
        ("drop_before_commit", Seen::Dropped, false),
        ("drop_after_commit", Seen::Dropped, true),
        (
            "truncated_json",
            Seen::Answer {
                status: 201,
                json: false,
                success: None,
                retry_after: None,
                html: false,
            },
            true,
        ),
    ];
    for (n, (kind, expected_create, commits)) in cases.into_iter().enumerate() {
        set_chaos(
            &emu,
            json!({"rate": 1.0, "seed": n, "kinds": [kind], "retry_after": 3}),
        )
        .await;
        let cidr = format!("203.0.113.{n}/32");
        let answer = create(&emu, &cidr).await;
        assert_eq!(answer, expected_create, "{kind}");
        // The reads get the same fault (a truncated one keeps the read's status).
        let read_expected = match &expected_create {
            Seen::Answer {
                status: 201,
                json,
                success,
                retry_after,
                html,
            } => Seen::Answer {
                status: 200,
                json: *json,
                success: *success,
                retry_after: retry_after.clone(),
                html: *html,
            },
            other => other.clone(),
        };
        assert_eq!(list(&emu).await, read_expected, "{kind}: list");
        assert_eq!(get_base(&emu).await, read_expected, "{kind}: get");
        assert_eq!(services(&emu).await, read_expected, "{kind}: list services");
        assert_eq!(
            list_prefixes(&emu).await,
            read_expected,
            "{kind}: list prefixes"
        );
        assert_eq!(get_prefix(&emu).await, read_expected, "{kind}: get prefix");
        let (_, status) = control(&emu, Method::GET, None).await;
        assert_eq!(status["requests"], 6, "{kind}");
        assert_eq!(status["injected"], json!({ kind: 6 }), "{kind}");
        let recent: Vec<&str> = status["recent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["operation"].as_str().unwrap())
            .collect();
        assert_eq!(
            recent,
            [
                "create",
                "list",
                "get",
                "list_services",
                "list_prefixes",
                "get_prefix"
            ],
            "{kind}"
        );
        let live = cidrs_without_chaos(&emu).await;
        assert_eq!(live.contains(&cidr), commits, "{kind}: {live:?}");
    }
}

#[tokio::test]
async fn drop_after_commit_leaves_a_delete_done() {
    let emu = start().await;
    assert_eq!(
        create(&emu, "203.0.113.7/32").await,
        Seen::normal(201),
        "before chaos"
    );
    let id = emu
        .list(DEMO_IPV4_PREFIX_ID)
        .await
        .iter()
        .find(|b| b["cidr"] == "203.0.113.7/32")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    set_chaos(&emu, json!({"rate": 1, "kinds": ["drop_after_commit"]})).await;
    assert_eq!(delete(&emu, &id).await, Seen::Dropped);
    assert_eq!(cidrs_without_chaos(&emu).await, ["203.0.113.0/24"]);
}

#[tokio::test]
async fn a_delay_answers_normally_after_it() {
    let emu = start_chaos(Chaos {
        max_delay: Duration::from_millis(100),
        ..Chaos::new(1.0, 3).with_kinds([FaultKind::Delay])
    })
    .await;
    let started = Instant::now();
    for i in 0..20 {
        assert_eq!(list(&emu).await, Seen::normal(200));
        assert_eq!(
            create(&emu, &format!("203.0.113.{i}/32")).await,
            Seen::normal(201)
        );
    }
    // 40 delays drawn from 0 to 100 ms with this seed: far more than a second in all.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["injected"], json!({"delay": 40}));
    assert_eq!(status["max_delay_ms"], 100);
    assert_eq!(cidrs_without_chaos(&emu).await.len(), 21);
}

/// What 120 reads see, in order.
async fn read_sequence(emu: &Emu) -> Vec<Seen> {
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(list(emu).await);
        out.push(get_base(emu).await);
        out.push(services(emu).await);
    }
    out
}

#[tokio::test]
async fn a_seed_reproduces_the_same_faults() {
    let every_kind = json!({"rate": 0.5, "seed": 42, "max_delay_ms": 0});
    let emu = start().await;
    set_chaos(&emu, every_kind.clone()).await;
    let first = read_sequence(&emu).await;
    let (_, first_status) = control(&emu, Method::GET, None).await;
    // Setting the same seed again starts the same draws again.
    set_chaos(&emu, every_kind.clone()).await;
    assert_eq!(read_sequence(&emu).await, first);
    let (_, again_status) = control(&emu, Method::GET, None).await;
    assert_eq!(again_status, first_status);
    // So does a new emulator started with the same settings.
    let started = start_chaos(Chaos {
        max_delay: Duration::ZERO,
        ..Chaos::new(0.5, 42)
    })
    .await;
    assert_eq!(read_sequence(&started).await, first);
    // The sequence does show faults, of several kinds...
    let faulty = first
        .iter()
        .filter(|s| {
            !matches!(
                s,
                Seen::Answer {
                    success: Some(true),
                    ..
                }
            )
        })
        .count();
    assert!((30..=90).contains(&faulty), "{faulty} of 120: {first:?}");
    let kinds = first_status["injected"].as_object().unwrap();
    assert!(kinds.len() >= 6, "{kinds:?}");
    // ...and another seed gives other faults.
    set_chaos(&emu, json!({"rate": 0.5, "seed": 43, "max_delay_ms": 0})).await;
    assert_ne!(read_sequence(&emu).await, first);
}

#[tokio::test]
async fn the_fraction_of_faulty_requests_is_near_the_rate() {
    let emu = start().await;
    for (rate, seed) in [(0.2, 7), (0.4, 8), (0.05, 9)] {
        set_chaos(
            &emu,
            json!({"rate": rate, "seed": seed, "kinds": ["unsuccessful"]}),
        )
        .await;
        let mut refused = 0;
        let requests = 1000;
        for _ in 0..requests {
            if list(&emu).await != Seen::normal(200) {
                refused += 1;
            }
        }
        let fraction = f64::from(refused) / f64::from(requests);
        assert!(
            (fraction - rate).abs() <= 0.03,
            "rate {rate}, seed {seed}: {refused} of {requests}"
        );
        let (_, status) = control(&emu, Method::GET, None).await;
        assert_eq!(status["injected"]["unsuccessful"], refused);
    }
}

#[tokio::test]
async fn scripted_faults_come_first() {
    let emu = start_chaos(Chaos::new(1.0, 0).with_kinds([FaultKind::HttpError])).await;
    emu.script(json!({"list": [{"kind": "unsuccessful"}]}))
        .await;
    let scripted = list(&emu).await;
    assert!(
        matches!(
            scripted,
            Seen::Answer {
                status: 200,
                success: Some(false),
                ..
            }
        ),
        "{scripted:?}"
    );
    assert!(
        matches!(
            list(&emu).await,
            Seen::Answer {
                status: 502,
                html: true,
                ..
            }
        ),
        "then chaos"
    );
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["requests"], 1, "the scripted request drew nothing");
}

#[tokio::test]
async fn invalid_settings_are_refused_and_change_nothing() {
    let emu = start().await;
    let bad = [
        json!({"rate": 1.5}),
        json!({"rate": -0.1}),
        json!({"seed": 1}),
        json!({"rate": 0.2, "kinds": []}),
        json!({"rate": 0.2, "kinds": ["explode"]}),
        json!({"rate": 0.2, "kinds": "delay"}),
        json!({"rate": 0.2, "colour": "red"}),
        json!({"rate": 0.2, "max_delay_ms": 3_600_001}),
        json!([0.2]),
    ];
    for body in bad {
        let (status, answer) = control(&emu, Method::POST, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["success"], false);
        assert_eq!(
            answer["errors"][0]["code"],
            error_codes::INVALID_CHAOS_SETTINGS,
            "{body}"
        );
    }
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["enabled"], false);
    assert_eq!(list(&emu).await, Seen::normal(200));
}

/// The chaos endpoint takes its settings only as `application/json`, like the fault
/// script (a web page may POST `text/plain` anywhere without a preflight), and only
/// from a `Host` that names the emulator; a refused request changes nothing.
#[tokio::test]
async fn the_chaos_endpoint_takes_json_only_from_a_host_naming_the_emulator() {
    let emu = start().await;
    let settings = json!({"rate": 1.0, "kinds": ["unsuccessful"]}).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/problem+json"),
        None,
    ] {
        let mut request = emu
            .client
            .post(format!("{}/__emulator/chaos", emu.root))
            .body(settings.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        let answer = common::Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.json().await.unwrap(),
        };
        let message = answer.expect_error(415, error_codes::FAULT_SCRIPT_NOT_JSON);
        assert!(message.contains("application/json"), "{message}");
    }
    let foreign = emu
        .client
        .post(format!("{}/__emulator/chaos", emu.root))
        .header("host", "evil.example")
        .header("content-type", "application/json")
        .body(settings.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::MISDIRECTED_REQUEST);
    let foreign_read = emu
        .client
        .get(format!("{}/__emulator/chaos", emu.root))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_read.status(), StatusCode::MISDIRECTED_REQUEST);
    let (_, status) = control(&emu, Method::GET, None).await;
    assert_eq!(status["enabled"], false, "nothing was set");
    assert_eq!(list(&emu).await, Seen::normal(200));

    // application/json with parameters is taken.
    let taken = emu
        .client
        .post(format!("{}/__emulator/chaos", emu.root))
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(settings)
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::OK);
    assert_ne!(list(&emu).await, Seen::normal(200));
}

#[tokio::test]
async fn delete_turns_chaos_off() {
    let emu = start_chaos(Chaos::new(1.0, 0).with_kinds([FaultKind::Unsuccessful])).await;
    assert_ne!(list(&emu).await, Seen::normal(200));
    let (status, result) = control(&emu, Method::DELETE, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(result["enabled"], false);
    assert_eq!(list(&emu).await, Seen::normal(200));
}

#[tokio::test]
async fn chaos_from_the_config_needs_no_fault_endpoint() {
    let emu = start_with(EmulatorConfig {
        chaos: Some(Chaos::new(1.0, 0).with_kinds([FaultKind::HttpError])),
        ..config()
    })
    .await;
    assert!(matches!(list(&emu).await, Seen::Answer { status: 502, .. }));
    // Without --faults there is no control endpoint.
    let answer = emu
        .client
        .get(format!("{}/__emulator/chaos", emu.root))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_chaos_in_the_config_is_refused_at_start() {
    for chaos in [
        Chaos::new(2.0, 0),
        Chaos::new(f64::NAN, 0),
        Chaos::new(0.5, 0).with_kinds([]),
    ] {
        let started = Emulator::start(EmulatorConfig {
            chaos: Some(chaos.clone()),
            ..config()
        })
        .await;
        assert!(
            matches!(started, Err(cf_bindings_emulator::Error::InvalidConfig(_))),
            "{chaos:?}: {started:?}"
        );
    }
}

#[test]
fn kinds_parse_from_their_names() {
    assert_eq!(FaultKind::parse_list("all").unwrap(), FaultKind::ALL);
    assert_eq!(
        FaultKind::parse_list(" drop_after_commit, delay ,delay").unwrap(),
        [FaultKind::DropAfterCommit, FaultKind::Delay]
    );
    for kind in FaultKind::ALL {
        assert_eq!(kind.name().parse::<FaultKind>().unwrap(), kind);
    }
    let err = FaultKind::parse_list("delay,boom").unwrap_err();
    assert!(
        err.contains("\"boom\"") && err.contains("drop_before_commit"),
        "{err}"
    );
    assert!(FaultKind::parse_list("").is_err());
}

/// Starts the binary with `args` and `env`; returns it and its base URL.
fn spawn_binary(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"));
    for name in [
        "CF_EMULATOR_CHAOS",
        "CF_EMULATOR_CHAOS_SEED",
        "CF_EMULATOR_CHAOS_KINDS",
    ] {
        command.env_remove(name);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--provisioning-delay", "0"])
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

#[tokio::test]
async fn the_binary_takes_chaos_from_flags_or_the_environment() {
    let flags: &[&str] = &[
        "--chaos",
        "1",
        "--chaos-kinds",
        "rate_limit",
        "--chaos-retry-after",
        "4",
    ];
    let env: &[(&str, &str)] = &[
        ("CF_EMULATOR_CHAOS", "1"),
        ("CF_EMULATOR_CHAOS_KINDS", "rate_limit"),
        ("CF_EMULATOR_CHAOS_RETRY_AFTER", "4"),
    ];
    for (args, env) in [(flags, &[][..]), (&[][..], env)] {
        let (mut child, base) = spawn_binary(args, env);
        let emu = Emu {
            running: None,
            root: base.trim_end_matches("/client/v4").to_owned(),
            base,
            client: reqwest::Client::new(),
        };
        let answer = list(&emu).await;
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(
            answer,
            Seen::Answer {
                status: 429,
                json: true,
                success: Some(false),
                retry_after: Some("4".to_owned()),
                html: false
            },
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn the_binary_refuses_bad_chaos_options() {
    for (args, expected) in [
        (&["--chaos", "1.5"][..], "must be from 0 to 1"),
        (
            &["--chaos", "0.2", "--chaos-kinds", "delay,boom"][..],
            "unknown fault kind \"boom\"",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cf-bindings-emulator"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("CF_EMULATOR_CHAOS")
            .env_remove("CF_EMULATOR_CHAOS_KINDS")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
