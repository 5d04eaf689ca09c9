//! Each fault kind happens exactly as scripted.

use crate::common;

use std::time::{Duration, Instant};

use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_BASE_BINDING_ID,
    DEMO_IPV4_PREFIX_ID, error_codes,
};
use common::{Emu, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The raw answer of a Create, without decoding.
async fn raw_create(emu: &Emu, cidr: &str) -> Result<reqwest::Response, reqwest::Error> {
    emu.client
        .post(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
        .bearer_auth(DEFAULT_API_TOKEN)
        .json(&json!({"cidr": cidr, "service_id": CDN_SERVICE_ID}))
        .send()
        .await
}

async fn cidrs(emu: &Emu) -> Vec<String> {
    emu.list(DEMO_IPV4_PREFIX_ID)
        .await
        .iter()
        .map(|b| b["cidr"].as_str().unwrap().to_owned())
        .collect()
}

async fn faults_control(emu: &Emu, method: Method, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = emu
        .client
        .request(method, format!("{}/__emulator/faults", emu.root));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn delay_answers_normally_after_the_delay() {
    let emu = start().await;
    emu.script(json!({"create": [{"kind": "delay", "ms": 200}]}))
        .await;
    let started = Instant::now();
    let answer = raw_create(&emu, "203.0.113.1/32").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(answer.status(), StatusCode::CREATED);
    assert!(cidrs(&emu).await.contains(&"203.0.113.1/32".to_owned()));
}

#[tokio::test]
async fn a_delayed_create_commits_even_when_the_client_gives_up() {
    let emu = start().await;
    emu.script(json!({"create": [{"kind": "delay", "ms": 300}]}))
        .await;
    // The client hangs up during the delay ("timed out, but committed").
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let gave_up = impatient
        .post(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
        .bearer_auth(DEFAULT_API_TOKEN)
        .json(&json!({"cidr": "203.0.113.9/32", "service_id": CDN_SERVICE_ID}))
        .send()
        .await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()));
    assert!(!cidrs(&emu).await.contains(&"203.0.113.9/32".to_owned()));
    // The operation finishes on its own after the delay.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cidrs(&emu).await.contains(&"203.0.113.9/32".to_owned()) {
        assert!(
            Instant::now() < deadline,
            "the delayed create never committed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn rate_limit_is_429_with_retry_after_and_does_not_run() {
    let emu = start().await;
    emu.script(
        json!({"create": [{"kind": "rate_limit", "retry_after": 3}, {"kind": "rate_limit"}]}),
    )
    .await;
    let first = raw_create(&emu, "203.0.113.1/32").await.unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "3");
    assert!(first.headers().contains_key("cf-ray"));
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["errors"][0]["code"], error_codes::RATE_LIMITED);
    let second = raw_create(&emu, "203.0.113.1/32").await.unwrap();
    assert_eq!(second.headers()["retry-after"], "1");
    assert_eq!(cidrs(&emu).await.len(), 1, "nothing was created");
    assert_eq!(
        raw_create(&emu, "203.0.113.1/32").await.unwrap().status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn http_errors_have_html_bodies_and_do_not_run() {
    let emu = start().await;
    emu.script(json!({"create": [
        {"kind": "http_error", "status": 500},
        {"kind": "http_error", "status": 502},
        {"kind": "http_error", "status": 503},
        {"kind": "http_error"},
    ]}))
    .await;
    for status in [500, 502, 503, 502] {
        let answer = raw_create(&emu, "203.0.113.1/32").await.unwrap();
        assert_eq!(answer.status().as_u16(), status);
        let content_type = answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let ray = answer.headers()["cf-ray"].to_str().unwrap().to_owned();
        let body = answer.text().await.unwrap();
        assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
        assert!(body.contains(&ray), "the page shows the ray id");
        assert!(serde_json::from_str::<Value>(&body).is_err());
    }
    assert_eq!(cidrs(&emu).await.len(), 1);
}

#[tokio::test]
async fn unsuccessful_is_200_with_success_false_and_does_not_run() {
    let emu = start().await;
    emu.script(json!({"create": [
        {"kind": "unsuccessful"},
        {"kind": "unsuccessful", "code": 123456, "message": "Something odd"},
    ]}))
    .await;
    let first = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.1/32", CDN_SERVICE_ID)
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["success"], false);
    assert_eq!(first.code(), error_codes::INJECTED_FAILURE);
    assert!(first.body["result"].is_null());
    let second = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.1/32", CDN_SERVICE_ID)
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.code(), 123456);
    assert_eq!(second.body["errors"][0]["message"], "Something odd");
    assert_eq!(cidrs(&emu).await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_not_json_and_does_not_run() {
    let emu = start().await;
    emu.script(
        json!({"list": [{"kind": "malformed_json"}], "create": [{"kind": "malformed_json"}]}),
    )
    .await;
    for response in [
        emu.client
            .get(emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID))
            .bearer_auth(DEFAULT_API_TOKEN)
            .send()
            .await
            .unwrap(),
        raw_create(&emu, "203.0.113.1/32").await.unwrap(),
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty());
        assert!(serde_json::from_slice::<Value>(&body).is_err());
    }
    assert_eq!(cidrs(&emu).await.len(), 1);
}

#[tokio::test]
async fn truncated_json_runs_and_cuts_the_body() {
    let emu = start().await;
    emu.script(json!({"create": [{"kind": "truncated_json"}]}))
        .await;
    let response = raw_create(&emu, "203.0.113.1/32").await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = response.bytes().await.unwrap();
    assert!(body.len() > 10);
    assert!(body.starts_with(b"{"));
    let err = serde_json::from_slice::<Value>(&body).unwrap_err();
    assert!(err.is_eof(), "{err}");
    assert!(cidrs(&emu).await.contains(&"203.0.113.1/32".to_owned()));
}

#[tokio::test]
async fn drop_before_commit_closes_without_response_and_does_not_run() {
    let emu = start().await;
    emu.script(json!({"create": [{"kind": "drop_before_commit"}]}))
        .await;
    let err = raw_create(&emu, "203.0.113.1/32").await.unwrap_err();
    assert!(err.status().is_none(), "no response at all: {err:?}");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(cidrs(&emu).await.len(), 1, "nothing was created");
    // The client carries on with a new connection.
    assert_eq!(
        raw_create(&emu, "203.0.113.1/32").await.unwrap().status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn drop_after_commit_closes_without_response_but_runs() {
    let emu = start().await;
    emu.script(json!({"create": [{"kind": "drop_after_commit"}], "delete": [{"kind": "drop_after_commit"}]}))
        .await;
    let err = raw_create(&emu, "203.0.113.1/32").await.unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    let listed = emu.list(DEMO_IPV4_PREFIX_ID).await;
    let created = listed
        .iter()
        .find(|b| b["cidr"] == "203.0.113.1/32")
        .expect("the create was committed");
    let id = created["id"].as_str().unwrap();
    let err = emu
        .try_call(
            Method::DELETE,
            &emu.binding_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, id),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    assert_eq!(
        cidrs(&emu).await,
        vec!["203.0.113.0/24".to_owned()],
        "the delete was committed"
    );
}

#[tokio::test]
async fn queues_are_fifo_per_operation_and_can_be_cleared() {
    let emu = start().await;
    emu.script(json!({
        "list": [{"kind": "unsuccessful"}, {"kind": "http_error", "status": 503}],
        "ip-address-management-service-bindings-get-service-binding": [{"kind": "rate_limit"}],
        "list_services": [{"kind": "malformed_json"}],
    }))
    .await;
    emu.script(json!({"list": [{"kind": "rate_limit"}]})).await;
    let (status, pending) = faults_control(&emu, Method::GET, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        pending["result"]["pending"],
        json!({"list": 3, "get": 1, "list_services": 1})
    );

    let list_url = emu.bindings_url(DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID);
    let get_url = emu.binding_url(
        DEMO_ACCOUNT_ID,
        DEMO_IPV4_PREFIX_ID,
        DEMO_IPV4_BASE_BINDING_ID,
    );
    // Other operations are unaffected by the list queue.
    let create = emu
        .create(DEMO_IPV4_PREFIX_ID, "203.0.113.9/32", CDN_SERVICE_ID)
        .await;
    assert_eq!(create.status, StatusCode::CREATED);
    let statuses = [
        emu.call(Method::GET, &list_url, None).await,
        emu.call(Method::GET, &get_url, None).await,
        emu.call(Method::GET, &list_url, None).await,
        emu.call(Method::GET, &list_url, None).await,
        emu.call(Method::GET, &list_url, None).await,
        emu.call(Method::GET, &get_url, None).await,
    ]
    .map(|a| (a.status.as_u16(), a.body["success"].clone()));
    assert_eq!(
        statuses,
        [
            (200, json!(false)),
            (429, json!(false)),
            (503, Value::Null),
            (429, json!(false)),
            (200, json!(true)),
            (200, json!(true)),
        ]
    );

    let (status, body) = faults_control(&emu, Method::DELETE, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"]["pending"], json!({}));
    let services = emu
        .call(Method::GET, &emu.services_url(DEMO_ACCOUNT_ID), None)
        .await;
    assert_eq!(
        services.body["success"], true,
        "cleared queue no longer applies"
    );
}

#[tokio::test]
async fn invalid_scripts_are_refused_whole() {
    let emu = start().await;
    let bad = [
        json!({"frobnicate": [{"kind": "delay", "ms": 1}]}),
        json!({"list": [{"kind": "explode"}]}),
        json!({"list": [{"kind": "delay"}]}),
        json!({"list": [{"kind": "http_error", "status": 404}]}),
        json!({"list": {"kind": "delay", "ms": 1}}),
        json!([1, 2]),
        json!({"create": [{"kind": "delay", "ms": 1}], "list": [{"kind": "nope"}]}),
    ];
    for script in bad {
        let (status, body) = faults_control(&emu, Method::POST, Some(script.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{script}");
        assert_eq!(body["errors"][0]["code"], error_codes::INVALID_FAULT_SCRIPT);
    }
    let (_, pending) = faults_control(&emu, Method::GET, None).await;
    assert_eq!(pending["result"]["pending"], json!({}), "all or nothing");
}

#[tokio::test]
async fn the_queues_hold_a_bounded_number_of_faults() {
    let emu = start().await;
    let max = cf_bindings_emulator::MAX_QUEUED_FAULTS;
    let batch = 2_500;
    let script = |n: usize| json!({ "list": vec![json!({"kind": "rate_limit"}); n] });
    for _ in 0..max / batch {
        let (status, body) = faults_control(&emu, Method::POST, Some(script(batch))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = faults_control(&emu, Method::POST, Some(script(max % batch))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["pending"]["list"], max);
    // One more is refused, with nothing queued.
    let (status, body) = faults_control(
        &emu,
        Method::POST,
        Some(json!({"create": [{"kind": "delay", "ms": 1}]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["errors"][0]["code"], error_codes::TOO_MANY_FAULTS);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&max.to_string()), "{message}");
    let (_, pending) = faults_control(&emu, Method::GET, None).await;
    assert_eq!(pending["result"]["pending"], json!({ "list": max }));
    // Once cleared, the queues take faults again.
    faults_control(&emu, Method::DELETE, None).await;
    let (status, _) = faults_control(&emu, Method::POST, Some(script(1))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_fault_script_not_sent_as_json_is_refused_and_queues_nothing() {
    let emu = start().await;
    let script = json!({"list": [{"kind": "malformed_json"}]}).to_string();
    // What a web page may send anywhere without a CORS preflight (text/plain, a form,
    // or no type at all), and JSON under another name.
    for content_type in [
        Some("text/plain"),
        Some("text/plain; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/problem+json"),
        None,
    ] {
        let mut request = emu
            .client
            .post(format!("{}/__emulator/faults", emu.root))
            .body(script.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let answer = common::Answer {
            status,
            headers: response.headers().clone(),
            body: response.json().await.unwrap(),
        };
        let message = answer.expect_error(415, error_codes::FAULT_SCRIPT_NOT_JSON);
        assert!(message.contains("application/json"), "{message}");
        assert!(answer.headers.contains_key("cf-ray"), "{content_type:?}");
    }
    let (status, pending) = faults_control(&emu, Method::GET, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        pending["result"]["pending"],
        json!({}),
        "nothing was queued"
    );
    // The list is answered normally: no fault got through.
    assert_eq!(cidrs(&emu).await, ["203.0.113.0/24"]);

    // application/json, with parameters, is taken.
    let response = emu
        .client
        .post(format!("{}/__emulator/faults", emu.root))
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(script)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, pending) = faults_control(&emu, Method::GET, None).await;
    assert_eq!(pending["result"]["pending"], json!({"list": 1}));
}
