//! Cloudflare's response envelope: `{"success", "errors", "messages", "result"}`.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{domain::RuleError, error_codes, persist::StoreError};

/// One entry of a failure envelope's `errors` array (`code`, `message`, the
/// `source.pointer` of a field error) with the HTTP status it is answered with: the
/// envelope has `success: false` and this one item (the wrapper's `ApiMessage`, seen
/// from the server's side).
#[derive(Debug, Clone)]
pub(crate) struct ApiMessage {
    pub(crate) status: StatusCode,
    pub(crate) code: u64,
    pub(crate) message: String,
    /// JSON pointer into the request body (`/cidr`), for field errors.
    pub(crate) pointer: Option<String>,
}

impl ApiMessage {
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

impl IntoResponse for ApiMessage {
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

impl From<RuleError> for ApiMessage {
    /// Each broken rule with the status and error code Cloudflare answers it with,
    /// and the request field at fault.
    fn from(error: RuleError) -> Self {
        use RuleError as R;
        let (status, code, pointer) = match &error {
            R::AccountNotFound { .. } => {
                (StatusCode::NOT_FOUND, error_codes::ACCOUNT_NOT_FOUND, None)
            }
            R::PrefixNotFound { .. } => {
                (StatusCode::NOT_FOUND, error_codes::PREFIX_NOT_FOUND, None)
            }
            R::BindingNotFound { .. } => {
                (StatusCode::NOT_FOUND, error_codes::BINDING_NOT_FOUND, None)
            }
            R::UnknownService { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::UNKNOWN_SERVICE,
                Some("/service_id"),
            ),
            R::LeadingZeroOctet { .. } | R::MalformedCidr { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::INVALID_CIDR,
                Some("/cidr"),
            ),
            R::HostBits { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::CIDR_HOST_BITS,
                Some("/cidr"),
            ),
            R::FirstBindingMustMatchPrefix { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::FIRST_BINDING_MUST_MATCH_PREFIX,
                Some("/cidr"),
            ),
            R::CidrOutsidePrefix { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::CIDR_OUTSIDE_PREFIX,
                Some("/cidr"),
            ),
            R::DuplicateBinding { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::DUPLICATE_BINDING,
                Some("/cidr"),
            ),
            R::CdnSpectrumConflict { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::CDN_SPECTRUM_CONFLICT,
                Some("/cidr"),
            ),
            R::OverlappingBinding { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::OVERLAPPING_BINDING,
                Some("/cidr"),
            ),
            R::BaseBindingInUse { .. } => (
                StatusCode::BAD_REQUEST,
                error_codes::BASE_BINDING_IN_USE,
                None,
            ),
        };
        let api = ApiMessage::new(status, code, error.to_string());
        match pointer {
            Some(pointer) => api.with_pointer(pointer),
            None => api,
        }
    }
}

impl From<StoreError> for ApiMessage {
    fn from(error: StoreError) -> Self {
        ApiMessage::storage(error.0)
    }
}
