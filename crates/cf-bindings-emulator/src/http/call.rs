//! What every API handler needs, written once: the connection and `cf-ray` of the
//! call ([`Call`]), the ids of its path ([`Ids`], an unknown route when they do not
//! parse), and running a domain operation on the store off the async threads, under
//! the scripted faults ([`App::serve`]).

use std::{
    future::Future,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Path},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

use super::{ApiMessage, App, RayId, conn::ConnHandle, faults::Operation, render::Clock};
use crate::domain::{RuleError, State};

/// The connection a call came on (a fault may drop it) and its `cf-ray`.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) conn: ConnHandle,
    pub(super) ray: RayId,
}

impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = ApiMessage;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiMessage> {
        let conn = parts
            .extensions
            .get::<ConnectInfo<ConnHandle>>()
            .map(|info| info.0.clone())
            .unwrap_or_default();
        let ray = parts
            .extensions
            .get::<RayId>()
            .cloned()
            .unwrap_or_else(|| RayId("-".to_owned()));
        Ok(Call { conn, ray })
    }
}

/// The ids of a path. A path whose ids do not parse (an empty segment, say) has
/// no route, as Cloudflare answers.
#[derive(Debug)]
pub(super) struct Ids<T>(pub(super) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Ids<T> {
    type Rejection = ApiMessage;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiMessage> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(ids)| Ids(ids))
            .map_err(|_| ApiMessage::no_route())
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl App {
    /// Now, and how long bindings take to become active.
    pub(super) fn clock(&self) -> Clock {
        Clock {
            now_ms: now_ms(),
            delay_ms: u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Runs a read of the state on a blocking thread (file locks and reads block).
    pub(super) async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&State) -> Result<R, RuleError> + Send + 'static,
    ) -> Result<R, ApiMessage> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.read(f))
            .await
            .map_err(|e| ApiMessage::storage(format!("internal error: {e}")))??
            .map_err(ApiMessage::from)
    }

    /// Runs a change of the state on a blocking thread (saving fsyncs).
    pub(super) async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State) -> Result<R, ApiMessage> + Send + 'static,
    ) -> Result<R, ApiMessage> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.write(f))
            .await
            .map_err(|e| ApiMessage::storage(format!("internal error: {e}")))?
    }

    /// Answers `call`, an `op`, with what `work` gives, under the next scripted
    /// fault of `op` if any. The request (its body included, extracted before) is
    /// whole: the connection's read timeout is paused until the response is made.
    pub(super) async fn serve(
        &self,
        call: Call,
        op: Operation,
        work: impl Future<Output = Result<Response, ApiMessage>> + Send + 'static,
    ) -> Response {
        let _busy = call.conn.busy();
        let work = async move { work.await.unwrap_or_else(IntoResponse::into_response) };
        self.with_faults(op, &call.conn, &call.ray, work).await
    }
}
