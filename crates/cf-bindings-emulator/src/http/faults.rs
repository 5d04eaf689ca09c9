//! Scripted faults: a FIFO queue of faults per operation, consumed one per request,
//! and how each is applied around the operation it hits.

use std::{
    collections::{BTreeMap, VecDeque},
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde::Deserialize;
use serde_json::{Value, json};

use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{ApiMessage, App, RayId, conn::ConnHandle, envelope};
use crate::error_codes;

/// The operations, by their short names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Operation {
    Create,
    List,
    Get,
    Delete,
    ListServices,
    ListPrefixes,
    GetPrefix,
}

impl Operation {
    const ALL: [Operation; 7] = [
        Operation::Create,
        Operation::List,
        Operation::Get,
        Operation::Delete,
        Operation::ListServices,
        Operation::ListPrefixes,
        Operation::GetPrefix,
    ];

    pub(crate) fn short_name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::List => "list",
            Operation::Get => "get",
            Operation::Delete => "delete",
            Operation::ListServices => "list_services",
            Operation::ListPrefixes => "list_prefixes",
            Operation::GetPrefix => "get_prefix",
        }
    }

    fn operation_id(self) -> &'static str {
        match self {
            Operation::Create => "ip-address-management-service-bindings-create-service-binding",
            Operation::List => "ip-address-management-service-bindings-list-service-bindings",
            Operation::Get => "ip-address-management-service-bindings-get-service-binding",
            Operation::Delete => "ip-address-management-service-bindings-delete-service-binding",
            Operation::ListServices => "ip-address-management-service-bindings-list-services",
            Operation::ListPrefixes => "ip-address-management-prefixes-list-prefixes",
            Operation::GetPrefix => "ip-address-management-prefixes-prefix-details",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.short_name() == name || op.operation_id() == name)
    }
}

/// One scripted fault.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Fault {
    /// Wait `ms` milliseconds, then answer normally.
    Delay { ms: u64 },
    /// 429 with `Retry-After: retry_after` (seconds) and a rate-limit envelope.
    RateLimit {
        #[serde(default = "default_retry_after")]
        retry_after: u64,
    },
    /// A 5xx (default 502) with an HTML body, like Cloudflare's edge.
    HttpError {
        #[serde(default = "default_http_status")]
        status: u16,
    },
    /// 200 with `success: false` and one error.
    Unsuccessful {
        #[serde(default = "default_failure_code")]
        code: u64,
        #[serde(default = "default_failure_message")]
        message: String,
    },
    /// 200 with a JSON content type and a body that is not JSON.
    MalformedJson,
    /// The operation runs, and its real body is sent cut in half.
    TruncatedJson,
    /// The connection is closed without a response; the operation does not run.
    DropBeforeCommit,
    /// The operation runs (and is saved); then the connection is closed without a
    /// response.
    DropAfterCommit,
}

impl Fault {
    /// An `unsuccessful` with the default code and message.
    pub(crate) fn unsuccessful() -> Fault {
        Fault::Unsuccessful {
            code: default_failure_code(),
            message: default_failure_message(),
        }
    }
}

fn default_retry_after() -> u64 {
    1
}
fn default_http_status() -> u16 {
    502
}
fn default_failure_code() -> u64 {
    error_codes::INJECTED_FAILURE
}
fn default_failure_message() -> String {
    "Injected failure".to_owned()
}

/// The fault queues, shared by all requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    queues: Arc<Mutex<BTreeMap<Operation, VecDeque<Fault>>>>,
}

impl Faults {
    /// Takes the next fault scripted for `op`, if any.
    pub(crate) fn next(&self, op: Operation) -> Option<Fault> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        queues.get_mut(&op).and_then(VecDeque::pop_front)
    }

    /// Appends a script `{"create": [fault, ...], "list": [...]}` to the queues; all or
    /// nothing, and refused when the queues would hold more than
    /// [`crate::MAX_QUEUED_FAULTS`].
    pub(crate) fn push_script(&self, body: &[u8]) -> Result<(), ApiMessage> {
        let invalid = |msg: String| ApiMessage::bad_request(error_codes::INVALID_FAULT_SCRIPT, msg);
        let script: BTreeMap<String, Vec<Value>> = serde_json::from_slice(body).map_err(|e| {
            invalid(format!(
                "Invalid fault script ({e}); expected {{\"<operation>\": [{{\"kind\": \"...\"}}, ...]}}"
            ))
        })?;
        let mut parsed = Vec::new();
        for (name, faults) in script {
            let op = Operation::parse(&name).ok_or_else(|| {
                invalid(format!(
                    "Unknown operation {name:?}; expected one of create, list, get, delete, list_services, list_prefixes, get_prefix (or their operationIds)"
                ))
            })?;
            for (n, fault) in faults.into_iter().enumerate() {
                let fault: Fault = serde_json::from_value(fault)
                    .map_err(|e| invalid(format!("{name}[{n}]: {e}")))?;
                if let Fault::HttpError { status } = fault
                    && !(500..=599).contains(&status)
                {
                    return Err(invalid(format!(
                        "{name}[{n}]: http_error status must be 500..=599, not {status}"
                    )));
                }
                parsed.push((op, fault));
            }
        }
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let queued: usize = queues.values().map(VecDeque::len).sum();
        if queued.saturating_add(parsed.len()) > crate::MAX_QUEUED_FAULTS {
            return Err(ApiMessage::bad_request(
                error_codes::TOO_MANY_FAULTS,
                format!(
                    "Too many faults: {queued} queued and {} in this script, more than the {} allowed; nothing was queued (DELETE /__emulator/faults clears the queues)",
                    parsed.len(),
                    crate::MAX_QUEUED_FAULTS
                ),
            ));
        }
        for (op, fault) in parsed {
            queues.entry(op).or_default().push_back(fault);
        }
        Ok(())
    }

    /// Removes every scripted fault.
    pub(crate) fn clear(&self) {
        self.queues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// How many faults wait per operation: `{"create": 2}`.
    pub(crate) fn pending(&self) -> Value {
        let queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let map: serde_json::Map<String, Value> = queues
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(op, q)| (op.short_name().to_owned(), json!(q.len())))
            .collect();
        json!({ "pending": map })
    }
}

/// The HTML page of an injected 5xx, shaped like Cloudflare's edge error pages.
pub(crate) fn html_error_page(status: u16, ray: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{status} | cf-bindings-emulator</title></head>\n<body>\n<h1>Error {status}</h1>\n<p>Injected fault: the emulated edge answered with an HTML error page.</p>\n<p>Ray ID: {ray}</p>\n</body>\n</html>\n"
    )
}

impl App {
    /// Applies the next scripted fault of `op`, or else the chaos mode's draw (if
    /// either gives one), around the operation `run`.
    pub(super) async fn with_faults<F>(
        &self,
        op: Operation,
        conn: &ConnHandle,
        ray: &RayId,
        run: F,
    ) -> Response
    where
        F: Future<Output = Response> + Send + 'static,
    {
        let scripted = self.faults.as_ref().and_then(|f| f.next(op));
        let source = if scripted.is_some() {
            "script"
        } else {
            "chaos"
        };
        let Some(fault) = scripted.or_else(|| self.chaos.draw(op)) else {
            return run.await;
        };
        tracing::info!(
            operation = op.short_name(),
            ?fault,
            source,
            "injecting fault"
        );
        match fault {
            Fault::Delay { ms } => {
                // The operation runs whatever the client does: a client that gives up
                // during the delay ("timed out, but committed") does not cancel it.
                let name = op.short_name();
                let task = tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    let response = run.await;
                    tracing::info!(
                        operation = name,
                        status = response.status().as_u16(),
                        "delayed operation completed"
                    );
                    response
                });
                task.await.unwrap_or_else(|e| {
                    ApiMessage::storage(format!("internal error: {e}")).into_response()
                })
            }
            Fault::RateLimit { retry_after } => {
                let mut response = ApiMessage::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    error_codes::RATE_LIMITED,
                    "Please wait and consider throttling your request speed",
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
            Fault::HttpError { status } => envelope::raw_response(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                "text/html; charset=UTF-8",
                html_error_page(status, &ray.0).into_bytes(),
            ),
            Fault::Unsuccessful { code, message } => {
                ApiMessage::new(StatusCode::OK, code, message).into_response()
            }
            Fault::MalformedJson => envelope::raw_response(
                StatusCode::OK,
                "application/json",
                b"{\"success\": true, \"errors\": [], \"messages\": [], \"result\": <injected malformed JSON>}"
                    .to_vec(),
            ),
            Fault::TruncatedJson => {
                let response = run.await;
                let (mut parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                let cut = bytes.slice(..bytes.len() / 2);
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(cut))
            }
            Fault::DropBeforeCommit => {
                conn.kill();
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
            Fault::DropAfterCommit => {
                let response = run.await;
                conn.kill();
                response
            }
        }
    }
}
