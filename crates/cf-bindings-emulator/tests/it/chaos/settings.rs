//! Chaos settings: scripted faults first, invalid settings refused, the endpoint
//! taking JSON only from hosts naming the emulator, turned off, set from the config;
//! kinds parsed from their names.

use super::*;

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
