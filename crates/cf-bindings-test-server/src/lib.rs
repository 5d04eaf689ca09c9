//! A purpose-built local HTTP server for the workspace's tests: it records every
//! request and answers from a script, faults included. The wrapper's own tests
//! (`crates/cf-bindings/tests`) and the cross-crate ones (`tests/`) both use it.
//!
//! It speaks just enough HTTP/1.1 for a client under test: it reads a request head
//! and a `content-length` body, and closes the connection after every reply, so
//! each scripted reply meets exactly one request. It listens on 127.0.0.1 only.
//!
//! [`fixtures`] holds what scripts and assertions share: the ids of the test
//! account, Cloudflare's envelopes, and requests as snapshots show them.
#![forbid(unsafe_code)]

pub mod binding_rules;
pub mod fixtures;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The `cf-ray` header every scripted JSON reply carries.
pub const TEST_RAY: &str = "8c2f0000test-EMU";

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path and query, e.g. `/client/v4/accounts/a/addressing/services`.
    pub path: String,
    /// The headers, names in lowercase (a repeated header keeps its last value).
    pub headers: BTreeMap<String, String>,
    /// The body, as text.
    pub body: String,
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Answer,
    Drop,
    Truncate,
}

impl Reply {
    /// A JSON reply, with a `cf-ray` header.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::raw(status, "application/json", body.to_string()).header("cf-ray", TEST_RAY)
    }

    /// A reply with any content type and body, and no other header.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            behaviour: Behaviour::Answer,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering (or dropping).
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Reads and records the request, then closes the connection without a reply.
    pub fn drop_connection() -> Reply {
        let mut reply = Reply::raw(0, "", Vec::new());
        reply.behaviour = Behaviour::Drop;
        reply
    }

    /// Sends the head with the full `content-length` but only half the body.
    pub fn truncated(mut self) -> Reply {
        self.behaviour = Behaviour::Truncate;
        self
    }

    fn not_found() -> Reply {
        Reply::json(
            404,
            serde_json::json!({
                "success": false,
                "errors": [{"code": 7003, "message": "No route for the URI"}],
                "messages": [],
                "result": null,
            }),
        )
    }
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Reply>,
    requests: Vec<RecordedRequest>,
}

/// A local HTTP server on 127.0.0.1 answering from a script. It stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts the server on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// If no port can be bound: a broken test environment.
    pub async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local address: {e}"));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        TestServer { addr, shared, task }
    }

    /// The API base URL of this server, like Cloudflare's `.../client/v4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues the reply to the next unanswered request. With an empty script the
    /// server answers 404 with a Cloudflare failure envelope.
    pub fn push(&self, reply: Reply) {
        self.lock().script.push_back(reply);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(handle(stream, Arc::clone(&shared)));
    }
}

async fn handle(mut stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let reply = {
        let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
        shared.requests.push(request);
        shared.script.pop_front().unwrap_or_else(Reply::not_found)
    };
    tokio::time::sleep(reply.delay).await;
    if reply.behaviour == Behaviour::Drop {
        return;
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        reply.body.len()
    ));
    let body = match reply.behaviour {
        Behaviour::Truncate => &reply.body[..reply.body.len() / 2],
        _ => &reply.body[..],
    };
    // The client may have given up already; a failed write is its business.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

/// Reads one request; `None` when the client sent something that is not one.
async fn read_request(stream: &mut TcpStream) -> Option<RecordedRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(chunk.get(..n)?);
    };
    let head = String::from_utf8_lossy(buffer.get(..head_end)?).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer.get(head_end + 4..)?.to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(chunk.get(..n)?);
    }
    Some(RecordedRequest {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
