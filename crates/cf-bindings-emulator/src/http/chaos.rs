//! The chaos mode: seeded random faults on a fraction of all requests. Each request
//! that no scripted fault takes draws here whether it gets a fault and which one;
//! [`App::with_faults`](super::App) plays it like a scripted one. Also the
//! `/__emulator/chaos` endpoints that change the settings at run time.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::HeaderMap,
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    ApiMessage, App,
    faults::{Fault, Operation},
    handlers::{read_body, require_json_content_type, respond},
};
use crate::{
    config::{Chaos, DEFAULT_CHAOS_MAX_DELAY, DEFAULT_CHAOS_RETRY_AFTER, FaultKind},
    error_codes,
};

/// How many injected faults [`ChaosMode::status`] lists, the latest.
const RECENT: usize = 100;

/// The chaos settings and draws, shared by all requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChaosMode {
    inner: Arc<Mutex<Draws>>,
}

#[derive(Debug, Default)]
struct Draws {
    /// `None`: off.
    settings: Option<Chaos>,
    rng: fastrand::Rng,
    /// Requests that drew, since the settings were last set.
    requests: u64,
    injected: BTreeMap<FaultKind, u64>,
    /// The latest injected faults: (request number from 1, operation, kind).
    recent: VecDeque<(u64, Operation, FaultKind)>,
}

impl ChaosMode {
    /// Chaos with these settings from the start (checked by the caller), or off.
    pub(crate) fn new(settings: Option<Chaos>) -> Self {
        let mode = Self::default();
        if let Some(settings) = settings {
            mode.set(settings);
        }
        mode
    }

    /// Replaces the settings: the draws start again from the seed, the counts from 0.
    fn set(&self, settings: Chaos) {
        let mut draws = self.lock();
        *draws = Draws {
            rng: fastrand::Rng::with_seed(settings.seed),
            settings: Some(settings),
            ..Draws::default()
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Draws> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Draws the fault of the next request, an `op`, if it gets one. Every request
    /// takes the same three numbers from the generator, fault or not, so the faults
    /// depend only on the seed and the order of the requests.
    pub(crate) fn draw(&self, op: Operation) -> Option<Fault> {
        let mut guard = self.lock();
        let draws = &mut *guard;
        let settings = draws.settings.as_ref()?;
        let roll = draws.rng.f64();
        let pick = draws.rng.usize(..settings.kinds.len().max(1));
        let param = draws.rng.u64(..);
        draws.requests += 1;
        if roll >= settings.rate {
            return None;
        }
        let kind = *settings.kinds.get(pick)?;
        let fault = match kind {
            FaultKind::Delay => {
                let max = u64::try_from(settings.max_delay.as_millis()).unwrap_or(u64::MAX);
                Fault::Delay {
                    ms: param % max.saturating_add(1),
                }
            }
            FaultKind::RateLimit => Fault::RateLimit {
                retry_after: settings.retry_after,
            },
            FaultKind::HttpError => Fault::HttpError { status: 502 },
            FaultKind::Unsuccessful => Fault::unsuccessful(),
            FaultKind::MalformedJson => Fault::MalformedJson,
            FaultKind::TruncatedJson => Fault::TruncatedJson,
            FaultKind::DropBeforeCommit => Fault::DropBeforeCommit,
            FaultKind::DropAfterCommit => Fault::DropAfterCommit,
        };
        *draws.injected.entry(kind).or_default() += 1;
        if draws.recent.len() == RECENT {
            draws.recent.pop_front();
        }
        let number = draws.requests;
        draws.recent.push_back((number, op, kind));
        Some(fault)
    }

    /// The settings and what was injected since they were set.
    fn status(&self) -> Value {
        let draws = self.lock();
        let Some(settings) = &draws.settings else {
            return json!({ "enabled": false, "requests": draws.requests });
        };
        let injected: serde_json::Map<String, Value> = draws
            .injected
            .iter()
            .map(|(kind, n)| (kind.name().to_owned(), json!(n)))
            .collect();
        let recent: Vec<Value> = draws
            .recent
            .iter()
            .map(|(n, op, kind)| json!({"request": n, "operation": op.short_name(), "kind": kind.name()}))
            .collect();
        json!({
            "enabled": true,
            "rate": settings.rate,
            "seed": settings.seed,
            "kinds": settings.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "max_delay_ms": u64::try_from(settings.max_delay.as_millis()).unwrap_or(u64::MAX),
            "retry_after": settings.retry_after,
            "requests": draws.requests,
            "injected": injected,
            "recent": recent,
        })
    }

    /// Turns chaos off, and clears its counts.
    fn off(&self) {
        *self.lock() = Draws::default();
    }
}

/// The body of `POST /__emulator/chaos`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChaosBody {
    rate: f64,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    kinds: Option<Vec<String>>,
    #[serde(default)]
    max_delay_ms: Option<u64>,
    #[serde(default)]
    retry_after: Option<u64>,
}

/// Parses and checks a `POST /__emulator/chaos` body.
fn parse_settings(body: &[u8]) -> Result<Chaos, ApiMessage> {
    let invalid = |msg: String| ApiMessage::bad_request(error_codes::INVALID_CHAOS_SETTINGS, msg);
    let expected = "expected {\"rate\": 0.2, \"seed\": 1, \"kinds\": [\"drop_after_commit\", ...]}";
    // An object only (serde would also read the fields from an array, in order).
    let body: ChaosBody = match serde_json::from_slice(body) {
        Ok(object @ Value::Object(_)) => serde_json::from_value(object),
        Ok(_) => return Err(invalid(format!("Invalid chaos settings; {expected}"))),
        Err(e) => Err(e),
    }
    .map_err(|e| invalid(format!("Invalid chaos settings ({e}); {expected}")))?;
    let kinds = match body.kinds {
        None => FaultKind::ALL.to_vec(),
        Some(names) => {
            let mut kinds = Vec::new();
            for name in names {
                let kind: FaultKind = name.parse().map_err(invalid)?;
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            kinds
        }
    };
    let settings = Chaos {
        rate: body.rate,
        seed: body.seed,
        kinds,
        max_delay: body
            .max_delay_ms
            .map_or(DEFAULT_CHAOS_MAX_DELAY, Duration::from_millis),
        retry_after: body.retry_after.unwrap_or(DEFAULT_CHAOS_RETRY_AFTER),
    };
    settings.check().map_err(invalid)?;
    Ok(settings)
}

pub(super) async fn get_chaos(State(app): State<App>) -> Response {
    respond(Ok(app.chaos.status()))
}

pub(super) async fn post_chaos(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(change_settings(&app, &headers, body))
}

/// Checks and sets the settings of a `POST`, answering the new status.
fn change_settings(
    app: &App,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, ApiMessage> {
    require_json_content_type(headers, "Chaos settings")?;
    let settings = parse_settings(&read_body(body)?)?;
    tracing::info!(?settings, "chaos settings changed");
    app.chaos.set(settings);
    Ok(app.chaos.status())
}

pub(super) async fn delete_chaos(State(app): State<App>) -> Response {
    app.chaos.off();
    tracing::info!("chaos off");
    respond(Ok(app.chaos.status()))
}
