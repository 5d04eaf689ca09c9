//! Helpers shared by the modules of the test binary: start an emulator in-process
//! and talk to it over HTTP with a plain client.

use cf_bindings_emulator::{
    DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, Emulator, EmulatorConfig, RunningEmulator,
};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A running emulator and a client for it.
pub struct Emu {
    pub running: Option<RunningEmulator>,
    pub base: String,
    pub root: String,
    pub client: reqwest::Client,
}

/// Starts an emulator with `config` (port 0, provisioning delay 0 unless set).
pub async fn start_with(config: EmulatorConfig) -> Emu {
    let running = Emulator::start(config).await.expect("emulator starts");
    let base = running.base_url();
    let root = format!("http://{}", running.local_addr());
    Emu {
        running: Some(running),
        base,
        root,
        client: reqwest::Client::new(),
    }
}

/// The default configuration with a zero provisioning delay.
pub fn config() -> EmulatorConfig {
    EmulatorConfig {
        provisioning_delay: std::time::Duration::ZERO,
        ..EmulatorConfig::default()
    }
}

/// Starts an emulator with [`config`], faults enabled.
pub async fn start() -> Emu {
    start_with(EmulatorConfig {
        faults: true,
        ..config()
    })
    .await
}

/// A decoded answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The first error code of a failure envelope.
    pub fn code(&self) -> u64 {
        self.body["errors"][0]["code"].as_u64().unwrap_or(0)
    }

    /// Asserts a failure with this status and code; returns the message.
    pub fn expect_error(&self, status: u16, code: u64) -> String {
        assert_eq!(self.status.as_u16(), status, "{:#}", self.body);
        assert_eq!(self.body["success"], Value::Bool(false), "{:#}", self.body);
        assert_eq!(self.code(), code, "{:#}", self.body);
        assert!(self.body["result"].is_null(), "{:#}", self.body);
        assert!(self.body["messages"].is_array(), "{:#}", self.body);
        self.body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .to_owned()
    }
}

impl Emu {
    /// Another client (own connection pool) for the same emulator.
    pub fn new_client(&self) -> Emu {
        Emu {
            running: None,
            base: self.base.clone(),
            root: self.root.clone(),
            client: reqwest::Client::new(),
        }
    }

    /// Shuts the emulator down gracefully.
    pub async fn shutdown(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("graceful shutdown");
        }
    }

    pub fn services_url(&self, account: &str) -> String {
        format!("{}/accounts/{account}/addressing/services", self.base)
    }

    pub fn prefixes_url(&self, account: &str) -> String {
        format!("{}/accounts/{account}/addressing/prefixes", self.base)
    }

    pub fn bindings_url(&self, account: &str, prefix: &str) -> String {
        format!(
            "{}/accounts/{account}/addressing/prefixes/{prefix}/bindings",
            self.base
        )
    }

    pub fn binding_url(&self, account: &str, prefix: &str, binding: &str) -> String {
        format!("{}/{binding}", self.bindings_url(account, prefix))
    }

    /// Sends an authenticated request; panics on a transport error.
    pub async fn call(&self, method: Method, url: &str, body: Option<Value>) -> Answer {
        self.try_call(method, url, body).await.expect("transport")
    }

    /// Sends an authenticated request.
    pub async fn try_call(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .client
            .request(method, url)
            .bearer_auth(DEFAULT_API_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Creates a binding in the demo account.
    pub async fn create(&self, prefix: &str, cidr: &str, service: &str) -> Answer {
        self.call(
            Method::POST,
            &self.bindings_url(DEMO_ACCOUNT_ID, prefix),
            Some(serde_json::json!({ "cidr": cidr, "service_id": service })),
        )
        .await
    }

    /// Lists the bindings of a demo-account prefix (panics unless it succeeds).
    pub async fn list(&self, prefix: &str) -> Vec<Value> {
        let answer = self
            .call(
                Method::GET,
                &self.bindings_url(DEMO_ACCOUNT_ID, prefix),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
        answer.body["result"].as_array().expect("array").clone()
    }

    /// Deletes a binding of a demo-account prefix.
    pub async fn delete(&self, prefix: &str, id: &str) -> Answer {
        self.call(
            Method::DELETE,
            &self.binding_url(DEMO_ACCOUNT_ID, prefix, id),
            None,
        )
        .await
    }

    /// Scripts faults.
    pub async fn script(&self, script: Value) {
        let response = self
            .client
            .post(format!("{}/__emulator/faults", self.root))
            .json(&script)
            .send()
            .await
            .expect("transport");
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// True for 32 lowercase hex characters.
pub fn is_id(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Checks the documented invariants on one prefix's list of bindings.
pub fn check_invariants(prefix_cidr: &str, bindings: &[Value]) {
    use std::str::FromStr;
    let prefix = ipnet::IpNet::from_str(prefix_cidr).unwrap();
    let nets: Vec<(ipnet::IpNet, &str)> = bindings
        .iter()
        .map(|b| {
            assert!(is_id(&b["id"]), "{b}");
            let net = ipnet::IpNet::from_str(b["cidr"].as_str().unwrap()).unwrap();
            assert_eq!(net, net.trunc(), "host bits in {b}");
            assert!(prefix.contains(&net), "{net} outside {prefix}");
            (net, b["service_name"].as_str().unwrap())
        })
        .collect();
    let ids: std::collections::HashSet<_> = bindings.iter().map(|b| b["id"].clone()).collect();
    assert_eq!(ids.len(), bindings.len(), "duplicate ids");
    if nets.is_empty() {
        return;
    }
    let bases = nets.iter().filter(|(n, _)| *n == prefix).count();
    assert_eq!(bases, 1, "exactly one base binding: {bindings:?}");
    let specifics: Vec<_> = nets.iter().filter(|(n, _)| *n != prefix).collect();
    for (i, (a, _)) in specifics.iter().enumerate() {
        for (b, _) in &specifics[i + 1..] {
            assert!(
                !(a.contains(b) || b.contains(a)),
                "more-specific bindings {a} and {b} overlap"
            );
        }
    }
}
