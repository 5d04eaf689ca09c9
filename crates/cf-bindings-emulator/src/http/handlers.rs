//! The handlers: each turns a request into a domain operation and its result into
//! Cloudflare's envelope; and the fault-injection endpoints (and what they share with
//! the chaos endpoints).

use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::Value;

use super::{
    ApiMessage, App,
    call::{Call, Ids},
    envelope::success,
    faults::{Faults, Operation},
    render,
    strict_json::Strict,
};
use crate::{domain::NewBinding, error_codes};

pub(super) async fn list_services(
    State(app): State<App>,
    call: Call,
    Ids(account): Ids<String>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::ListServices, async move {
        let services = store
            .read(move |s| s.services_of(&account).map(render::services))
            .await?;
        Ok(success(StatusCode::OK, Some(services)))
    })
    .await
}

pub(super) async fn list_prefixes(
    State(app): State<App>,
    call: Call,
    Ids(account): Ids<String>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::ListPrefixes, async move {
        let prefixes = store
            .read(move |s| {
                s.prefixes(&account)
                    .map(|list| render::prefixes(&account, list))
            })
            .await?;
        Ok(success(StatusCode::OK, Some(prefixes)))
    })
    .await
}

pub(super) async fn get_prefix(
    State(app): State<App>,
    call: Call,
    Ids((account, id)): Ids<(String, String)>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::GetPrefix, async move {
        let prefix = store
            .read(move |s| s.prefix(&account, &id).map(|p| render::prefix(&account, p)))
            .await?;
        Ok(success(StatusCode::OK, Some(prefix)))
    })
    .await
}

pub(super) async fn list_bindings(
    State(app): State<App>,
    call: Call,
    Ids((account, prefix)): Ids<(String, String)>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::List, async move {
        let clock = store.clock();
        let bindings = store
            .read(move |s| {
                s.bindings(&account, &prefix)
                    .map(|list| render::bindings(s, list, clock))
            })
            .await?;
        Ok(success(StatusCode::OK, Some(bindings)))
    })
    .await
}

pub(super) async fn get_binding(
    State(app): State<App>,
    call: Call,
    Ids((account, prefix, id)): Ids<(String, String, String)>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::Get, async move {
        let clock = store.clock();
        let binding = store
            .read(move |s| {
                s.binding(&account, &prefix, &id)
                    .map(|b| render::binding(s, b, clock))
            })
            .await?;
        Ok(success(StatusCode::OK, Some(binding)))
    })
    .await
}

pub(super) async fn create_binding(
    State(app): State<App>,
    call: Call,
    Ids((account, prefix)): Ids<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::Create, async move {
        let request = check_content_type(&headers).and_then(|()| parse_create(body));
        let clock = store.clock();
        let created = store
            .write(move |s| {
                // An unknown account or prefix is answered before a bad body.
                s.prefix(&account, &prefix)?;
                let binding = s.create_binding(&account, &prefix, request?, None, clock.now_ms)?;
                Ok(render::binding(s, &binding, clock))
            })
            .await?;
        Ok(success(StatusCode::CREATED, Some(created)))
    })
    .await
}

pub(super) async fn delete_binding(
    State(app): State<App>,
    call: Call,
    Ids((account, prefix, id)): Ids<(String, String, String)>,
) -> Response {
    let store = app.clone();
    app.serve(call, Operation::Delete, async move {
        store
            .write(move |s| Ok(s.delete_binding(&account, &prefix, &id)?))
            .await?;
        Ok(success(StatusCode::OK, None))
    })
    .await
}

fn faults_of(app: &App) -> Result<&Faults, ApiMessage> {
    app.faults.as_ref().ok_or_else(ApiMessage::no_route)
}

/// The envelope of a fault endpoint's answer.
pub(super) fn respond(result: Result<Value, ApiMessage>) -> Response {
    match result {
        Ok(value) => success(StatusCode::OK, Some(value)),
        Err(err) => err.into_response(),
    }
}

pub(super) async fn get_faults(State(app): State<App>) -> Response {
    respond(faults_of(&app).map(Faults::pending))
}

pub(super) async fn post_faults(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(faults_of(&app).and_then(|faults| {
        require_json_content_type(&headers, "A fault script")?;
        faults.push_script(&read_body(body)?)?;
        Ok(faults.pending())
    }))
}

pub(super) async fn delete_faults(State(app): State<App>) -> Response {
    respond(faults_of(&app).map(|faults| {
        faults.clear();
        faults.pending()
    }))
}

/// The body, or why it could not be read (too large).
pub(super) fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiMessage> {
    body.map_err(|rejection| {
        ApiMessage::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            error_codes::BODY_TOO_LARGE,
            format!("Request body could not be read: {rejection}"),
        )
    })
}

/// The media type of `Content-Type` without its parameters, lowercase; `None` when
/// the header is missing.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let text = value.to_str().unwrap_or_default();
    let essence = text.split(';').next().unwrap_or_default().trim();
    Some(essence.to_ascii_lowercase())
}

/// Refuses a request to a fault endpoint (`what`: a fault script, chaos settings)
/// unless it is sent as `application/json` (parameters such as `charset` allowed):
/// the fault endpoints take no credentials, and a web page may send a `text/plain`
/// (or typeless) POST to any address without asking the server first, whereas
/// `application/json` needs a CORS preflight this emulator never grants.
pub(super) fn require_json_content_type(headers: &HeaderMap, what: &str) -> Result<(), ApiMessage> {
    if media_type(headers).as_deref() == Some("application/json") {
        return Ok(());
    }
    Err(ApiMessage::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        error_codes::FAULT_SCRIPT_NOT_JSON,
        format!("{what} must be sent with Content-Type: application/json; nothing changed"),
    ))
}

/// Refuses a body sent as something other than JSON (`application/json`, or any
/// `+json` type, with parameters). A missing `Content-Type` is accepted.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiMessage> {
    let Some(essence) = media_type(headers) else {
        return Ok(());
    };
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        let value = headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        Err(ApiMessage::bad_request(
            error_codes::NOT_JSON_CONTENT_TYPE,
            format!(
                "Content-Type {:?} is not JSON: send the body as application/json",
                String::from_utf8_lossy(value)
            ),
        ))
    }
}

/// Parses a Create body, naming the offending field.
fn parse_create(body: Result<Bytes, BytesRejection>) -> Result<NewBinding, ApiMessage> {
    let body = read_body(body)?;
    let Strict(value) = serde_json::from_slice(&body).map_err(|e| {
        if e.to_string().starts_with("duplicate key") {
            ApiMessage::bad_request(
                error_codes::DUPLICATE_KEY,
                format!("Request body has a {e}"),
            )
        } else {
            ApiMessage::bad_request(
                error_codes::MALFORMED_JSON,
                format!("Malformed JSON in request body: {e}"),
            )
        }
    })?;
    let Value::Object(map) = value else {
        return Err(ApiMessage::bad_request(
            error_codes::BODY_NOT_OBJECT,
            "Request body must be a JSON object with the fields `cidr` and `service_id`",
        ));
    };
    let field = |name: &str| -> Result<String, ApiMessage> {
        match map.get(name) {
            None | Some(Value::Null) => Err(ApiMessage::bad_request(
                error_codes::MISSING_FIELD,
                format!("Missing required field `{name}`"),
            )
            .with_pointer(format!("/{name}"))),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(ApiMessage::bad_request(
                error_codes::WRONG_FIELD_TYPE,
                format!("Field `{name}` must be a string, not {}", json_type(other)),
            )
            .with_pointer(format!("/{name}"))),
        }
    };
    Ok(NewBinding {
        cidr: field("cidr")?,
        service_id: field("service_id")?,
    })
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
