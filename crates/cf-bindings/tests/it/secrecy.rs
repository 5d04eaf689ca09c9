//! Secrecy: the API token, a global API key and its email never show in `Debug`,
//! `Display`, errors of any kind, or what tracing and the HTTP stack log.

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

use cf_bindings::{Client, RetryPolicy, config::Credentials};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

use crate::common::*;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once per test binary, a global subscriber at trace level (bridging the
/// `log` records of reqwest and hyper too) writing to a buffer.
fn trace_buffer() -> Buffer {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    BUFFER
        .get_or_init(|| {
            use tracing_subscriber::util::SubscriberInitExt;
            let buffer = Buffer::default();
            let writer = buffer.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish()
                .try_init()
                .expect("no other global subscriber");
            buffer
        })
        .clone()
}

#[tokio::test]
async fn the_token_never_shows() {
    let buffer = trace_buffer();
    let server = TestServer::start().await;
    let client = client(&server);
    let key_client = Client::builder()
        .base_url(server.base_url())
        .api_key("ops@example.com", TOKEN)
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();

    // The email of a global API key is personal data, and masked as the key is.
    for shown in [
        format!("{:?}", Credentials::api_key("ops@example.com", TOKEN)),
        format!("{:?}", Client::builder().api_key("ops@example.com", TOKEN)),
        format!("{key_client:?}"),
    ] {
        assert!(!shown.contains(TOKEN) && !shown.contains("ops@"), "{shown}");
    }

    let mut debug = vec![
        format!("{client:?}"),
        format!("{key_client:?}"),
        format!("{:?}", Client::builder().api_token(TOKEN)),
        format!("{:?}", Credentials::api_token(TOKEN)),
        format!("{:?}", Credentials::api_token(TOKEN).headers().unwrap()),
        format!("{:?}", client.account(ACCOUNT).prefix(PREFIX).bindings()),
        cf_bindings::config::Secret::new(TOKEN).to_string(),
    ];

    // One error of each kind reached over the wire, with retries and messages logged.
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": [{"code": 1, "message": "note"}], "result": []}),
    ));
    bindings.list().await.unwrap();
    server.push(Reply::json(403, failure(10000, "Authentication error")));
    let mut errors = vec![bindings.list().await.unwrap_err()];
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    errors.push(bindings.get(BINDING).await.unwrap_err());
    server.push(Reply::json(200, ok(json!([{"id": "x"}]))));
    errors.push(bindings.list().await.unwrap_err());
    server.push(Reply::drop_connection());
    server.push(Reply::json(200, ok(json!([]))));
    server.push(Reply::json(400, failure(1031, "not within the prefix")));
    errors.push(bindings.create("192.0.2.0/24", CDN).await.unwrap_err());
    server.push(Reply::json(404, failure(1003, "not found")));
    errors.push(
        key_client
            .account(ACCOUNT)
            .prefix(PREFIX)
            .bindings()
            .delete(BINDING)
            .await
            .unwrap_err(),
    );
    errors.push(client.account("a/b").services().list().await.unwrap_err());
    let closed = client_with("http://127.0.0.1:9/client/v4", RetryPolicy::no_retries());
    errors.push(closed.account(ACCOUNT).services().list().await.unwrap_err());
    for error in &errors {
        debug.push(format!("{error:?}"));
        debug.push(error.to_string());
    }

    for text in &debug {
        assert!(!text.contains(TOKEN), "token in {text}");
    }
    let traced = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    assert!(
        traced.contains("retrying"),
        "tracing captured nothing useful: {traced}"
    );
    assert!(traced.contains("Cloudflare message: note"), "{traced}");
    assert!(!traced.contains(TOKEN), "token in tracing output");
}
