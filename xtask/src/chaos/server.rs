//! The emulator under test, over HTTP: its live bindings (read with chaos off) and
//! its chaos settings (`/__emulator/chaos`, which needs `--faults`).

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::model::{ACCOUNT, LiveBinding, PREFIXES, TOKEN};

/// A running emulator with `--faults`, by its base URL.
pub struct Server {
    base_url: String,
    root: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    /// The emulator serving `base_url` (`http://127.0.0.1:PORT/client/v4`).
    pub fn new(base_url: &str) -> Result<Server, String> {
        let root = base_url
            .strip_suffix("/client/v4")
            .ok_or_else(|| format!("{base_url} does not end in /client/v4"))?
            .to_owned();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Server {
            base_url: base_url.to_owned(),
            root,
            client,
            runtime,
        })
    }

    /// The API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a request and returns the `result` of a 200 answer.
    fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut request = self.client.request(method.clone(), url).bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = self.runtime.block_on(async {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let text = response.text().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, text))
        });
        let (status, text) = answer.map_err(|e| format!("{method} {url}: {e}"))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{method} {url}: HTTP {status}, not JSON ({e}): {text}"))?;
        if status.as_u16() != 200 || value["success"] != Value::Bool(true) {
            return Err(format!("{method} {url}: HTTP {status}: {text}"));
        }
        Ok(value["result"].clone())
    }

    /// Sets the chaos mode (`{"rate", "seed", "kinds"}`).
    pub fn chaos_on(&self, settings: &Value) -> Result<(), String> {
        self.send(
            Method::POST,
            &format!("{}/__emulator/chaos", self.root),
            Some(settings),
        )
        .map(drop)
    }

    /// The chaos mode's settings and counts.
    pub fn chaos_status(&self) -> Result<Value, String> {
        self.send(
            Method::GET,
            &format!("{}/__emulator/chaos", self.root),
            None,
        )
    }

    /// Turns the chaos mode off.
    pub fn chaos_off(&self) -> Result<(), String> {
        self.send(
            Method::DELETE,
            &format!("{}/__emulator/chaos", self.root),
            None,
        )
        .map(drop)
    }

    /// The live bindings of both demo prefixes, read with chaos off (turned off
    /// here), sorted.
    pub fn live(&self) -> Result<Vec<LiveBinding>, String> {
        self.chaos_off()?;
        let mut live = Vec::new();
        for (index, prefix) in PREFIXES.iter().enumerate() {
            let url = format!(
                "{}/accounts/{ACCOUNT}/addressing/prefixes/{}/bindings",
                self.base_url, prefix.id
            );
            let listed = self.send(Method::GET, &url, None)?;
            for b in listed
                .as_array()
                .ok_or_else(|| format!("GET {url}: not a list"))?
            {
                let text = |key: &str| {
                    b[key]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("GET {url}: a binding without {key}: {b}"))
                };
                live.push(LiveBinding {
                    prefix: index,
                    cidr: text("cidr")?
                        .parse()
                        .map_err(|_| format!("GET {url}: a bad CIDR in {b}"))?,
                    service: text("service_name")?,
                    id: text("id")?,
                });
            }
        }
        live.sort();
        Ok(live)
    }
}
