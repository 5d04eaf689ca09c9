//! The chaos mode: seeded random faults on a fraction of all requests, set at start
//! or through `/__emulator/chaos`, each kind played as the fault script plays it.

mod binary;
mod kinds;
mod settings;

use crate::common;

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

/// The longest any request of these tests may take: the largest delay they set is
/// a fraction of it. A request still unanswered then fails its test at once rather
/// than hang the run (a delay drawn out of its bounds, say).
const ANSWER_BOUND: Duration = Duration::from_secs(10);

async fn seen(request: reqwest::RequestBuilder) -> Seen {
    let sent = request
        .bearer_auth(DEFAULT_API_TOKEN)
        .timeout(ANSWER_BOUND)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) => return unanswered(&e),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return unanswered(&e),
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

/// A request that got no whole answer: dropped, unless it ran out of time.
fn unanswered(error: &reqwest::Error) -> Seen {
    assert!(
        !error.is_timeout(),
        "no answer within {ANSWER_BOUND:?}: {error}"
    );
    Seen::Dropped
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
