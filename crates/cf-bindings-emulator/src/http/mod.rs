//! The HTTP layer: the router, `cf-ray` and the request log, the `Host` guard,
//! authentication, handlers that turn requests into domain operations and their results into
//! Cloudflare's envelope, scripted faults and the chaos mode, and connection handling.

mod auth;
mod call;
mod chaos;
pub(crate) mod conn;
mod envelope;
mod faults;
mod handlers;
mod host;
mod render;
mod strict_json;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};

pub(crate) use chaos::ChaosMode;
pub(crate) use envelope::ApiMessage;
pub(crate) use faults::Faults;
pub(crate) use host::HostPolicy;

use crate::{AcceptedCredentials, error_codes, persist::Store};

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) credentials: Arc<AcceptedCredentials>,
    pub(crate) delay: Duration,
    /// `Some` when fault injection is enabled.
    pub(crate) faults: Option<Faults>,
    /// Which `Host` values are answered.
    pub(crate) hosts: Arc<HostPolicy>,
    /// The chaos mode's settings and draws (off unless set).
    pub(crate) chaos: ChaosMode,
}

/// The `cf-ray` id of the current request.
#[derive(Debug, Clone)]
pub(crate) struct RayId(pub(crate) String);

impl RayId {
    /// A new random id: `<16 hex>-EMU`.
    pub(crate) fn random() -> Self {
        Self(format!("{:016x}-EMU", fastrand::u64(..)))
    }
}

/// The whole router.
pub(crate) fn router(app: App) -> Router {
    let prefix_bindings = "/accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings";
    let api = Router::new()
        .route(
            "/accounts/{account_id}/addressing/prefixes",
            get(handlers::list_prefixes),
        )
        .route(
            "/accounts/{account_id}/addressing/prefixes/{prefix_id}",
            get(handlers::get_prefix),
        )
        .route(
            prefix_bindings,
            get(handlers::list_bindings).post(handlers::create_binding),
        )
        .route(
            &format!("{prefix_bindings}/{{binding_id}}"),
            get(handlers::get_binding).delete(handlers::delete_binding),
        )
        .route(
            "/accounts/{account_id}/addressing/services",
            get(handlers::list_services),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            auth::authenticate,
        ));
    let mut router = Router::new().nest("/client/v4", api);
    if app.faults.is_some() {
        router = router.route(
            "/__emulator/faults",
            get(handlers::get_faults)
                .post(handlers::post_faults)
                .delete(handlers::delete_faults),
        );
        router = router.route(
            "/__emulator/chaos",
            get(chaos::get_chaos)
                .post(chaos::post_chaos)
                .delete(chaos::delete_chaos),
        );
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        // Every request, routed or not, before credentials and faults.
        .layer(middleware::from_fn_with_state(
            app.clone(),
            host::check_host,
        ))
        .layer(middleware::from_fn(log_and_ray))
        .with_state(app)
}

/// Adds `cf-ray` to every response and logs method, path, status and latency (never
/// headers, so never credentials).
async fn log_and_ray(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let RayId(ray) = RayId::random();
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
    ApiMessage::no_route().into_response()
}

async fn method_not_allowed() -> Response {
    ApiMessage::new(
        StatusCode::METHOD_NOT_ALLOWED,
        error_codes::METHOD_NOT_ALLOWED,
        "Method not allowed for this route",
    )
    .into_response()
}
