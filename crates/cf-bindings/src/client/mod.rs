//! The client and what it is made of: [`Client`], the one place where a request is
//! sent (rate limit, timeout, response head, envelope, redaction); its builder, the
//! base URL and credentials; the handles that scope each operation (`handles`); the retry loops,
//! the rate limiter, the long-wait notices and the wait for provisioning.

use std::{fmt, future::Future, sync::Arc, time::Duration};

use cf_bindings_generated::{ResponseRecorder, types};
use progenitor_client::ResponseValue;

pub(crate) mod base_url;
pub(crate) mod builder;
pub(crate) mod credentials;
pub(crate) mod handles;
pub(crate) mod limiter;
pub(crate) mod long_wait;
pub(crate) mod retry;
pub(crate) mod wait;

use crate::{
    error::{ApiMessage, Error, Operation},
    text::one_line,
    types::{
        IpPrefix, Service, ServiceBinding,
        binding::{self, FieldError},
        prefix,
    },
    wire::{
        Response,
        call::{self, GenError},
        redact::{Redact, Redactor},
        shapes::Envelope,
        transport::Bounds,
    },
};
use limiter::RateLimiter;
use long_wait::{Observer, WaitReason};
use retry::{Retries, RetryPolicy};

/// A client of the Service Bindings API. Cheap to clone; clones share the
/// connection pool and the rate limit.
///
/// Build one with [`Client::builder`] or [`Client::from_env`], then reach the
/// operations through scoped handles:
/// `client.account(a).prefix(p).bindings().list()`, `client.account(a).services().find("CDN")`.
/// Handles accept typed ids or strings; a string that is not a valid id makes every
/// operation of the handle fail with [`Error::InvalidInput`] before any request is
/// sent.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    raw: cf_bindings_generated::Client,
    auth: &'static str,
    retry: RetryPolicy,
    timeout: Duration,
    max_body_bytes: usize,
    redactor: Redactor,
    limiter: Option<RateLimiter>,
    observer: Observer,
}

/// What [`ClientBuilder::build`] hands to [`Client`].
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) auth: &'static str,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) redactor: Redactor,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) observer: Observer,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.rate_limit())
            .field("on_long_wait", &self.inner.observer)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn new(settings: Settings) -> Self {
        let Settings {
            base_url,
            http,
            auth,
            retry,
            timeout,
            max_body_bytes,
            redactor,
            limiter,
            observer,
        } = settings;
        // One generated client for every request: each request captures the head of
        // its own response (`ResponseRecorder::capture`).
        let raw = cf_bindings_generated::Client::new_with_client(
            &base_url,
            http,
            ResponseRecorder::with_body_limit(max_body_bytes),
        );
        Self {
            inner: Arc::new(Inner {
                base_url,
                raw,
                auth,
                retry,
                timeout,
                max_body_bytes,
                redactor,
                limiter,
                observer,
            }),
        }
    }

    /// The API base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The retry policy, and where its long waits are told.
    pub(crate) fn retries(&self) -> Retries<'_> {
        Retries {
            policy: &self.inner.retry,
            observer: &self.inner.observer,
        }
    }

    /// Where long waits are told.
    pub(crate) fn observer(&self) -> &Observer {
        &self.inner.observer
    }

    /// The timeout of one request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The client-side rate limit, in requests per second, shared by this client, its
    /// clones and its handles; `None` when off (see [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)).
    pub fn rate_limit(&self) -> Option<f64> {
        self.inner.limiter.as_ref().map(RateLimiter::per_second)
    }

    /// Sends one request (after its rate-limit slot), under the request timeout,
    /// decodes its envelope and converts its result with `convert`.
    ///
    /// Everything that came from the server, in an error, in the answer's messages
    /// and `cf-ray` or in the result's text fields, leaves here with the client's
    /// credentials masked, and only then is logged. An error's `Display` says the
    /// `Retry-After` the retry policy honours. A successful answer's messages are
    /// logged at warn, the first few one by one and the rest counted in one line.
    async fn run<E: Envelope, U: Redact>(
        &self,
        operation: Operation,
        call: impl Future<Output = Result<ResponseValue<E>, GenError>>,
        convert: impl FnOnce(E::Result) -> Result<U, FieldError>,
    ) -> Result<Response<U>, Error> {
        if let Some(limiter) = &self.inner.limiter {
            limiter
                .acquire(|delay| {
                    self.inner.observer.pause(delay, || {
                        let interval = limiter.interval();
                        (operation, WaitReason::RateLimit { interval })
                    });
                })
                .await;
        }
        let timeout = self.inner.timeout;
        tracing::debug!(operation = %operation, "sending request");
        let attempt = async {
            let (result, head) = ResponseRecorder::capture(call).await;
            let bounds = Bounds {
                timeout,
                body_limit: self.inner.max_body_bytes,
            };
            call::decode(operation, result, head, bounds)
                .await?
                .convert(operation, convert)
        };
        let redactor = &self.inner.redactor;
        let retry_cap = self.inner.retry.max_retry_after();
        let outcome = match tokio::time::timeout(timeout, attempt).await {
            Ok(outcome) => outcome
                .map(|response| redactor.response(response))
                .map_err(|e| redactor.error(e).with_retry_cap(retry_cap)),
            Err(_) => Err(Error::timeout(operation, timeout)),
        };
        match &outcome {
            Ok(response) => {
                let cf_ray = response.cf_ray.as_deref().unwrap_or("-");
                log_messages(operation, cf_ray, &response.messages);
                tracing::debug!(
                    operation = %operation,
                    status = response.status,
                    cf_ray,
                    "request succeeded"
                );
            }
            Err(error) => tracing::debug!(operation = %operation, "request failed: {error}"),
        }
        outcome
    }

    pub(crate) async fn list_bindings_once(
        &self,
        account: &types::AddressingAccountIdentifier,
        prefix: &types::AddressingPrefixIdentifier,
    ) -> Result<Response<Vec<ServiceBinding>>, Error> {
        let op = Operation::ListBindings;
        let call = self
            .inner
            .raw
            .ip_address_management_service_bindings_list_service_bindings(account, prefix);
        self.run(op, call, binding::bindings_from_wire).await
    }

    pub(crate) async fn get_binding_once(
        &self,
        account: &types::AddressingAccountIdentifier,
        prefix: &types::AddressingPrefixIdentifier,
        binding: &types::AddressingServiceBindingIdentifier,
    ) -> Result<Response<ServiceBinding>, Error> {
        let op = Operation::GetBinding;
        let call = self
            .inner
            .raw
            .ip_address_management_service_bindings_get_service_binding(account, prefix, binding);
        self.run(op, call, binding::one_binding_from_wire).await
    }

    pub(crate) async fn create_binding_once(
        &self,
        account: &types::AddressingAccountIdentifier,
        prefix: &types::AddressingPrefixIdentifier,
        body: &types::AddressingCreateBindingRequest,
    ) -> Result<Response<ServiceBinding>, Error> {
        let op = Operation::CreateBinding;
        let call = self
            .inner
            .raw
            .ip_address_management_service_bindings_create_service_binding(account, prefix, body);
        self.run(op, call, binding::one_binding_from_wire).await
    }

    pub(crate) async fn delete_binding_once(
        &self,
        account: &types::AddressingAccountIdentifier,
        prefix: &types::AddressingPrefixIdentifier,
        binding: &types::AddressingServiceBindingIdentifier,
    ) -> Result<Response<()>, Error> {
        let call = self
            .inner
            .raw
            .ip_address_management_service_bindings_delete_service_binding(
                account, prefix, binding,
            );
        self.run(Operation::DeleteBinding, call, Ok).await
    }

    pub(crate) async fn list_services_once(
        &self,
        account: &types::AddressingAccountIdentifier,
    ) -> Result<Response<Vec<Service>>, Error> {
        let op = Operation::ListServices;
        let call = self
            .inner
            .raw
            .ip_address_management_service_bindings_list_services(account);
        self.run(op, call, binding::services_from_wire).await
    }

    pub(crate) async fn list_prefixes_once(
        &self,
        account: &types::AddressingAccountIdentifier,
    ) -> Result<Response<Vec<IpPrefix>>, Error> {
        let call = self
            .inner
            .raw
            .ip_address_management_prefixes_list_prefixes(account);
        self.run(Operation::ListPrefixes, call, prefix::prefixes_from_wire)
            .await
    }

    pub(crate) async fn get_prefix_once(
        &self,
        account: &types::AddressingAccountIdentifier,
        prefix_id: &types::AddressingPrefixIdentifier,
    ) -> Result<Response<IpPrefix>, Error> {
        let call = self
            .inner
            .raw
            .ip_address_management_prefixes_prefix_details(account, prefix_id);
        self.run(Operation::GetPrefix, call, prefix::one_prefix_from_wire)
            .await
    }
}

/// How many of a successful answer's messages are logged one by one.
const LOGGED_MESSAGES: usize = 3;

/// Logs a successful answer's messages at warn: the first [`LOGGED_MESSAGES`], then
/// one line counting the rest (all of them are in [`Response::messages`]), so an
/// answer with thousands of messages cannot flood the log.
fn log_messages(operation: Operation, cf_ray: &str, messages: &[ApiMessage]) {
    for message in messages.iter().take(LOGGED_MESSAGES) {
        tracing::warn!(
            operation = %operation,
            code = message.code,
            cf_ray,
            "Cloudflare message: {}",
            one_line(&message.message)
        );
    }
    let more = messages.len().saturating_sub(LOGGED_MESSAGES);
    if more > 0 {
        tracing::warn!(
            operation = %operation,
            cf_ray,
            "… and {more} more Cloudflare messages"
        );
    }
}
