//! Cloudflare's response envelope: `{"success", "errors", "messages", "result"}`.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::error_codes;

/// A failure answered as an envelope with `success: false`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: u64,
    pub(crate) message: String,
    /// JSON pointer into the request body (`/cidr`), for field errors.
    pub(crate) pointer: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: u64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            pointer: None,
        }
    }

    pub(crate) fn bad_request(code: u64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn not_found(code: u64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub(crate) fn storage(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_codes::STORAGE_FAILURE,
            message,
        )
    }

    pub(crate) fn no_route() -> Self {
        Self::not_found(error_codes::NO_ROUTE, "No route for the URI")
    }

    pub(crate) fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// The envelope body of this error.
    pub(crate) fn body(&self) -> Value {
        let mut item = json!({ "code": self.code, "message": self.message });
        if let (Some(pointer), Some(map)) = (&self.pointer, item.as_object_mut()) {
            map.insert("source".to_owned(), json!({ "pointer": pointer }));
        }
        json!({
            "success": false,
            "errors": [item],
            "messages": [],
            "result": null,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A successful envelope; `result: None` leaves the key out (as Delete does).
pub(crate) fn success(status: StatusCode, result: Option<Value>) -> Response {
    let mut body = json!({ "success": true, "errors": [], "messages": [] });
    if let (Some(result), Some(map)) = (result, body.as_object_mut()) {
        map.insert("result".to_owned(), result);
    }
    json_response(status, &body)
}

/// A JSON response with the given status.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw_response(status, "application/json", bytes)
}

/// A response with an explicit content type and body bytes.
pub(crate) fn raw_response(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
