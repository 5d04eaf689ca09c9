//! The HTTP side: routes, auth, request log, `cf-ray`, faults.

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    Extension, Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;

use crate::{
    Credentials,
    conn::ConnHandle,
    envelope::{self, ApiError},
    error_codes,
    faults::{self, Fault, Faults, Operation},
    state::{Clock, CreateRequest},
    store::Store,
    strict_json::Strict,
};

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) credentials: Arc<Credentials>,
    pub(crate) delay: Duration,
    /// `Some` when fault injection is enabled.
    pub(crate) faults: Option<Faults>,
}

/// The `cf-ray` id of the current request.
#[derive(Debug, Clone)]
struct RayId(String);

type PathOf<T> = Result<Path<T>, axum::extract::rejection::PathRejection>;

/// The whole router.
pub(crate) fn router(app: App) -> Router {
    let prefix_bindings = "/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings";
    let api = Router::new()
        .route(prefix_bindings, get(list_bindings).post(create_binding))
        .route(
            &format!("{prefix_bindings}/{{binding_id}}"),
            get(get_binding).delete(delete_binding),
        )
        .route(
            "/accounts/{account_id}/addressing/services",
            get(list_services),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate));
    let mut router = Router::new().nest("/client/v4", api);
    if app.faults.is_some() {
        router = router.route(
            "/__emulator/faults",
            get(get_faults).post(post_faults).delete(delete_faults),
        );
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(log_and_ray))
        .with_state(app)
}

/// Adds `cf-ray` to every response and logs method, path, status and latency (never
/// headers, so never credentials).
async fn log_and_ray(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let ray = format!("{:016x}-EMU", fastrand::u64(..));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(RayId(ray.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&ray) {
        response.headers_mut().insert("cf-ray", value);
    }
    tracing::info!(
        target: "cf_bindings_emulator::request",
        %method,
        path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        cf_ray = ray,
        "request"
    );
    response
}

async fn no_route() -> Response {
    ApiError::no_route().into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        error_codes::METHOD_NOT_ALLOWED,
        "Method not allowed for this route",
    )
    .into_response()
}

/// Checks `Authorization: Bearer` or `X-Auth-Email` + `X-Auth-Key`.
async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    match check_credentials(&app.credentials, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

fn check_credentials(creds: &Credentials, headers: &HeaderMap) -> Result<(), ApiError> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::trim).unwrap_or(""))
    };
    if let Some(authorization) = text(header::AUTHORIZATION.as_str()) {
        let token = authorization
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::bad_request(
                    error_codes::INVALID_AUTHORIZATION_FORMAT,
                    "Invalid format for Authorization header: expected `Bearer <token>`",
                )
            })?;
        return if creds.accept_any || creds.api_token.as_deref() == Some(token) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                error_codes::INVALID_TOKEN,
                "Authentication error: invalid API token",
            ))
        };
    }
    match (text("x-auth-email"), text("x-auth-key")) {
        (Some(email), Some(key)) if !email.is_empty() && !key.is_empty() => {
            let email_ok = creds
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email));
            let key_ok = creds.api_key.as_deref() == Some(key);
            if creds.accept_any || (email_ok && key_ok) {
                Ok(())
            } else {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    error_codes::INVALID_EMAIL_OR_KEY,
                    "Unknown X-Auth-Key or X-Auth-Email",
                ))
            }
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            error_codes::MISSING_CREDENTIALS,
            "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
        )),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl App {
    fn clock(&self) -> Clock {
        Clock {
            now_ms: now_ms(),
            delay_ms: u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Runs a state read on a blocking thread (file locks and reads block).
    async fn read(
        &self,
        f: impl FnOnce(&crate::state::State) -> Result<Value, ApiError> + Send + 'static,
    ) -> Result<Value, ApiError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.read(f))
            .await
            .map_err(|e| ApiError::storage(format!("internal error: {e}")))?
            .and_then(|r| r)
    }

    /// Runs a state change on a blocking thread (saving fsyncs).
    async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut crate::state::State) -> Result<R, ApiError> + Send + 'static,
    ) -> Result<R, ApiError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.write(f))
            .await
            .map_err(|e| ApiError::storage(format!("internal error: {e}")))?
    }

    /// Applies the next scripted fault of `op` (if any) around the operation `run`.
    async fn with_faults<F>(
        &self,
        op: Operation,
        conn: &ConnHandle,
        ray: &RayId,
        run: F,
    ) -> Response
    where
        F: Future<Output = Response> + Send + 'static,
    {
        let Some(fault) = self.faults.as_ref().and_then(|f| f.next(op)) else {
            return run.await;
        };
        tracing::info!(operation = op.short_name(), ?fault, "injecting fault");
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
                    ApiError::storage(format!("internal error: {e}")).into_response()
                })
            }
            Fault::RateLimit { retry_after } => {
                let mut response = ApiError::new(
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
                faults::html_error_page(status, &ray.0).into_bytes(),
            ),
            Fault::Unsuccessful { code, message } => {
                ApiError::new(StatusCode::OK, code, message).into_response()
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

/// Refuses a body sent as something other than JSON (`application/json`, or any
/// `+json` type, with parameters). A missing `Content-Type` is accepted.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    let essence = text.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            error_codes::NOT_JSON_CONTENT_TYPE,
            format!(
                "Content-Type {:?} is not JSON: send the body as application/json",
                String::from_utf8_lossy(value.as_bytes())
            ),
        ))
    }
}

/// Parses a Create body, naming the offending field.
fn parse_create(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<CreateRequest, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            error_codes::BODY_TOO_LARGE,
            format!("Request body could not be read: {rejection}"),
        )
    })?;
    let Strict(value) = serde_json::from_slice(&body).map_err(|e| {
        if e.to_string().starts_with("duplicate key") {
            ApiError::bad_request(
                error_codes::DUPLICATE_KEY,
                format!("Request body has a {e}"),
            )
        } else {
            ApiError::bad_request(
                error_codes::MALFORMED_JSON,
                format!("Malformed JSON in request body: {e}"),
            )
        }
    })?;
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request(
            error_codes::BODY_NOT_OBJECT,
            "Request body must be a JSON object with the fields `cidr` and `service_id`",
        ));
    };
    let field = |name: &str| -> Result<String, ApiError> {
        match map.get(name) {
            None | Some(Value::Null) => Err(ApiError::bad_request(
                error_codes::MISSING_FIELD,
                format!("Missing required field `{name}`"),
            )
            .with_pointer(format!("/{name}"))),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(ApiError::bad_request(
                error_codes::WRONG_FIELD_TYPE,
                format!("Field `{name}` must be a string, not {}", json_type(other)),
            )
            .with_pointer(format!("/{name}"))),
        }
    };
    Ok(CreateRequest {
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

fn respond(result: Result<Value, ApiError>, status: StatusCode) -> Response {
    match result {
        Ok(value) => envelope::success(status, Some(value)),
        Err(err) => err.into_response(),
    }
}

async fn list_services(
    State(app): State<App>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    Extension(ray): Extension<RayId>,
    path: PathOf<String>,
) -> Response {
    let Ok(Path(account_id)) = path else {
        return no_route().await;
    };
    let op_app = app.clone();
    app.with_faults(Operation::ListServices, &conn, &ray, async move {
        respond(
            op_app.read(move |s| s.list_services(&account_id)).await,
            StatusCode::OK,
        )
    })
    .await
}

async fn list_bindings(
    State(app): State<App>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    Extension(ray): Extension<RayId>,
    path: PathOf<(String, String)>,
) -> Response {
    let Ok(Path((account_id, prefix_id))) = path else {
        return no_route().await;
    };
    let op_app = app.clone();
    app.with_faults(Operation::List, &conn, &ray, async move {
        let clock = op_app.clock();
        respond(
            op_app
                .read(move |s| s.list_bindings(&account_id, &prefix_id, clock))
                .await,
            StatusCode::OK,
        )
    })
    .await
}

async fn get_binding(
    State(app): State<App>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    Extension(ray): Extension<RayId>,
    path: PathOf<(String, String, String)>,
) -> Response {
    let Ok(Path((account_id, prefix_id, binding_id))) = path else {
        return no_route().await;
    };
    let op_app = app.clone();
    app.with_faults(Operation::Get, &conn, &ray, async move {
        let clock = op_app.clock();
        respond(
            op_app
                .read(move |s| s.get_binding(&account_id, &prefix_id, &binding_id, clock))
                .await,
            StatusCode::OK,
        )
    })
    .await
}

async fn create_binding(
    State(app): State<App>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    Extension(ray): Extension<RayId>,
    path: PathOf<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(Path((account_id, prefix_id))) = path else {
        return no_route().await;
    };
    let op_app = app.clone();
    app.with_faults(Operation::Create, &conn, &ray, async move {
        let request = check_content_type(&headers).and_then(|()| parse_create(body));
        let clock = op_app.clock();
        respond(
            op_app
                .write(move |s| s.create_binding(&account_id, &prefix_id, request, None, clock))
                .await,
            StatusCode::CREATED,
        )
    })
    .await
}

async fn delete_binding(
    State(app): State<App>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    Extension(ray): Extension<RayId>,
    path: PathOf<(String, String, String)>,
) -> Response {
    let Ok(Path((account_id, prefix_id, binding_id))) = path else {
        return no_route().await;
    };
    let op_app = app.clone();
    app.with_faults(Operation::Delete, &conn, &ray, async move {
        match op_app
            .write(move |s| s.delete_binding(&account_id, &prefix_id, &binding_id))
            .await
        {
            Ok(()) => envelope::success(StatusCode::OK, None),
            Err(err) => err.into_response(),
        }
    })
    .await
}

fn faults_of(app: &App) -> Result<&Faults, ApiError> {
    app.faults.as_ref().ok_or_else(ApiError::no_route)
}

async fn get_faults(State(app): State<App>) -> Response {
    match faults_of(&app) {
        Ok(faults) => envelope::success(StatusCode::OK, Some(faults.pending())),
        Err(err) => err.into_response(),
    }
}

async fn post_faults(
    State(app): State<App>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let result = faults_of(&app).and_then(|faults| {
        let body = body.map_err(|rejection| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                error_codes::BODY_TOO_LARGE,
                format!("Request body could not be read: {rejection}"),
            )
        })?;
        faults.push_script(&body)?;
        Ok(faults.pending())
    });
    respond(result, StatusCode::OK)
}

async fn delete_faults(State(app): State<App>) -> Response {
    match faults_of(&app) {
        Ok(faults) => {
            faults.clear();
            envelope::success(StatusCode::OK, Some(faults.pending()))
        }
        Err(err) => err.into_response(),
    }
}
