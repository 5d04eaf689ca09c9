//! An upstream document named by URL: fetched with a time limit and a size cap.

use std::time::Duration;

/// Where the upstream document comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file.
    File(std::path::PathBuf),
    /// An `https://` URL (or `http://` to a loopback address, for tests).
    Url(reqwest::Url),
}

impl Source {
    /// `https://…` and `http://127.0.0.1…` are URLs; anything else is a file path.
    ///
    /// # Errors
    /// A URL that does not parse, or `http://` to another host than a loopback one.
    pub fn parse(text: &str) -> Result<Source, String> {
        let lower = text.to_ascii_lowercase();
        if !lower.starts_with("https://") && !lower.starts_with("http://") {
            return Ok(Source::File(text.into()));
        }
        let url = reqwest::Url::parse(text).map_err(|e| format!("invalid URL {text}: {e}"))?;
        let host = url.host_str().unwrap_or_default();
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if url.scheme() == "http" && !loopback {
            return Err(format!(
                "{text}: use https:// (plain http:// is accepted for a loopback address only)"
            ));
        }
        Ok(Source::Url(url))
    }
}

/// Fetches `url`: at most `max_bytes` of body, within `timeout` for the whole
/// exchange.
///
/// # Errors
/// A message naming the URL: a connection or HTTP error, a non-2xx status, the time
/// limit, or a body larger than the cap.
pub fn fetch(url: &reqwest::Url, timeout: Duration, max_bytes: u64) -> Result<Vec<u8>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
    let fetched = runtime.block_on(async {
        tokio::time::timeout(timeout, get(url, max_bytes))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "no complete answer within {} s (--timeout)",
                    timeout.as_secs_f64()
                ))
            })
    });
    fetched.map_err(|e| format!("cannot fetch {url}: {e}"))
}

async fn get(url: &reqwest::Url, max_bytes: u64) -> Result<Vec<u8>, String> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("cf-bindings-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let too_large = || format!("the document is larger than {max_bytes} bytes (--max-size)");
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if (body.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
