//! [`Client`] and its scoped handles: [`Account`], [`Prefix`], [`Bindings`],
//! [`Services`].

use std::{fmt, future::Future, str::FromStr, sync::Arc, time::Duration};

use cf_bindings_generated::{ResponseRecorder, types};
use progenitor_client::ResponseValue;

use crate::{
    cidr::Cidr,
    config::ClientBuilder,
    envelope::{self, Envelope, GenError, Response},
    error::{Error, InvalidInput, Operation},
    ids::{AccountId, BindingId, PrefixId, ServiceId},
    model::{self, Service, ServiceBinding},
    pace::Pacer,
    redact::Redactor,
    retry::{self, RetryPolicy},
    routing::RoutingTable,
    wait::{self, WaitOptions},
};

/// A client of the Service Bindings API. Cheap to clone; clones share the
/// connection pool.
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

/// What a client is made of: set once by [`ClientBuilder::build`].
pub(crate) struct Inner {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) auth: &'static str,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) redactor: Redactor,
    pub(crate) pacer: Option<Pacer>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.rate_limit())
            .finish_non_exhaustive()
    }
}

/// Converts a validated id to the generated client's type.
fn wire_id<T>(kind: &'static str, value: &str) -> Result<T, Error>
where
    T: FromStr<Err = types::error::ConversionError>,
{
    value.parse().map_err(|e: types::error::ConversionError| {
        InvalidInput::new(kind, value, e.to_string()).into()
    })
}

/// Validates an id or CIDR argument.
fn id_arg<T>(value: impl TryInto<T, Error: Into<InvalidInput>>) -> Result<T, InvalidInput> {
    value.try_into().map_err(Into::into)
}

impl Client {
    /// A builder, to set the base URL, credentials, timeouts and retry policy.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `CLOUDFLARE_API_TOKEN` (or `CLOUDFLARE_EMAIL` +
    /// `CLOUDFLARE_API_KEY`) and `CLOUDFLARE_BASE_URL`; see [`crate::config`].
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable at fault.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_parts(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
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

    /// The client-side rate limit, in requests per second, if any (see
    /// [`ClientBuilder::rate_limit`]).
    pub fn rate_limit(&self) -> Option<f64> {
        self.inner.pacer.as_ref().map(Pacer::per_second)
    }

    /// The timeout of one request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The operations of an account.
    pub fn account(&self, account: impl TryInto<AccountId, Error: Into<InvalidInput>>) -> Account {
        Account {
            client: self.clone(),
            account: id_arg(account),
        }
    }

    /// A generated client for one request, with its own response recorder.
    fn raw(&self) -> (cf_bindings_generated::Client, ResponseRecorder) {
        let recorder = ResponseRecorder::with_body_limit(self.inner.max_body_bytes);
        let raw = cf_bindings_generated::Client::new_with_client(
            &self.inner.base_url,
            self.inner.http.clone(),
            recorder.clone(),
        );
        (raw, recorder)
    }

    /// Runs one generated call under the request timeout and decodes its envelope.
    async fn run<E: Envelope>(
        &self,
        operation: Operation,
        recorder: &ResponseRecorder,
        call: impl Future<Output = Result<ResponseValue<E>, GenError>>,
    ) -> Result<Response<E::Result>, Error> {
        let timeout = self.inner.timeout;
        if let Some(pacer) = &self.inner.pacer {
            pacer.wait().await;
        }
        tracing::debug!(operation = %operation, "sending request");
        let attempt = async {
            let result = call.await;
            envelope::decode(operation, result, recorder, timeout).await
        };
        let outcome = match tokio::time::timeout(timeout, attempt).await {
            // What the server sent is shown and logged only with our credentials masked.
            Ok(outcome) => outcome.map_err(|e| self.inner.redactor.error(e)),
            Err(_) => Err(Error::Timeout {
                operation,
                after: timeout,
            }),
        };
        match &outcome {
            Ok(response) => tracing::debug!(
                operation = %operation,
                status = response.status,
                cf_ray = response.cf_ray.as_deref().unwrap_or("-"),
                "request succeeded"
            ),
            Err(error) => tracing::debug!(operation = %operation, "request failed: {error}"),
        }
        outcome
    }

    async fn list_bindings_once(
        &self,
        account: &AccountId,
        prefix: &PrefixId,
    ) -> Result<Response<Vec<ServiceBinding>>, Error> {
        let op = Operation::ListBindings;
        let a: types::AddressingAccountIdentifier = wire_id("account id", account.as_str())?;
        let p: types::AddressingPrefixIdentifier = wire_id("prefix id", prefix.as_str())?;
        let (raw, recorder) = self.raw();
        self.run(
            op,
            &recorder,
            raw.ip_address_management_service_bindings_list_service_bindings(&a, &p),
        )
        .await?
        .convert(op, model::bindings_from_wire)
    }

    async fn get_binding_once(
        &self,
        account: &AccountId,
        prefix: &PrefixId,
        binding: &BindingId,
    ) -> Result<Response<ServiceBinding>, Error> {
        let op = Operation::GetBinding;
        let a: types::AddressingAccountIdentifier = wire_id("account id", account.as_str())?;
        let p: types::AddressingPrefixIdentifier = wire_id("prefix id", prefix.as_str())?;
        let b: types::AddressingServiceBindingIdentifier = wire_id("binding id", binding.as_str())?;
        let (raw, recorder) = self.raw();
        self.run(
            op,
            &recorder,
            raw.ip_address_management_service_bindings_get_service_binding(&a, &p, &b),
        )
        .await?
        .convert(op, model::one_binding_from_wire)
    }

    async fn create_binding_once(
        &self,
        account: &AccountId,
        prefix: &PrefixId,
        body: &types::AddressingCreateBindingRequest,
    ) -> Result<Response<ServiceBinding>, Error> {
        let op = Operation::CreateBinding;
        let a: types::AddressingAccountIdentifier = wire_id("account id", account.as_str())?;
        let p: types::AddressingPrefixIdentifier = wire_id("prefix id", prefix.as_str())?;
        let (raw, recorder) = self.raw();
        self.run(
            op,
            &recorder,
            raw.ip_address_management_service_bindings_create_service_binding(&a, &p, body),
        )
        .await?
        .convert(op, model::one_binding_from_wire)
    }

    async fn delete_binding_once(
        &self,
        account: &AccountId,
        prefix: &PrefixId,
        binding: &BindingId,
    ) -> Result<Response<()>, Error> {
        let op = Operation::DeleteBinding;
        let a: types::AddressingAccountIdentifier = wire_id("account id", account.as_str())?;
        let p: types::AddressingPrefixIdentifier = wire_id("prefix id", prefix.as_str())?;
        let b: types::AddressingServiceBindingIdentifier = wire_id("binding id", binding.as_str())?;
        let (raw, recorder) = self.raw();
        self.run(
            op,
            &recorder,
            raw.ip_address_management_service_bindings_delete_service_binding(&a, &p, &b),
        )
        .await
    }

    async fn list_services_once(
        &self,
        account: &AccountId,
    ) -> Result<Response<Vec<Service>>, Error> {
        let op = Operation::ListServices;
        let a: types::AddressingAccountIdentifier = wire_id("account id", account.as_str())?;
        let (raw, recorder) = self.raw();
        self.run(
            op,
            &recorder,
            raw.ip_address_management_service_bindings_list_services(&a),
        )
        .await?
        .convert(op, model::services_from_wire)
    }
}

/// The operations of one account. Made by [`Client::account`].
#[derive(Clone, Debug)]
pub struct Account {
    client: Client,
    account: Result<AccountId, InvalidInput>,
}

impl Account {
    /// The account's id, or why the given one was refused.
    ///
    /// # Errors
    /// The [`InvalidInput`] of the id given to [`Client::account`].
    pub fn id(&self) -> Result<&AccountId, InvalidInput> {
        self.account.as_ref().map_err(Clone::clone)
    }

    /// The operations of one prefix of this account.
    pub fn prefix(&self, prefix: impl TryInto<PrefixId, Error: Into<InvalidInput>>) -> Prefix {
        Prefix {
            client: self.client.clone(),
            account: self.account.clone(),
            prefix: id_arg(prefix),
        }
    }

    /// The services available to this account.
    pub fn services(&self) -> Services {
        Services {
            client: self.client.clone(),
            account: self.account.clone(),
        }
    }
}

/// One prefix of an account. Made by [`Account::prefix`].
#[derive(Clone, Debug)]
pub struct Prefix {
    client: Client,
    account: Result<AccountId, InvalidInput>,
    prefix: Result<PrefixId, InvalidInput>,
}

impl Prefix {
    /// The prefix's id, or why the given one was refused.
    ///
    /// # Errors
    /// The [`InvalidInput`] of the id given to [`Account::prefix`].
    pub fn id(&self) -> Result<&PrefixId, InvalidInput> {
        self.prefix.as_ref().map_err(Clone::clone)
    }

    /// The service bindings of this prefix.
    pub fn bindings(&self) -> Bindings {
        Bindings {
            client: self.client.clone(),
            account: self.account.clone(),
            prefix: self.prefix.clone(),
        }
    }
}

/// The service bindings of one prefix. Made by [`Prefix::bindings`].
#[derive(Clone, Debug)]
pub struct Bindings {
    client: Client,
    account: Result<AccountId, InvalidInput>,
    prefix: Result<PrefixId, InvalidInput>,
}

impl Bindings {
    fn ids(&self) -> Result<(&AccountId, &PrefixId), Error> {
        let account = self.account.as_ref().map_err(|e| Error::from(e.clone()))?;
        let prefix = self.prefix.as_ref().map_err(|e| Error::from(e.clone()))?;
        Ok((account, prefix))
    }

    /// Lists the prefix's bindings (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn list(&self) -> Result<Response<Vec<ServiceBinding>>, Error> {
        let (account, prefix) = self.ids()?;
        let client = &self.client;
        retry::read(client.retry_policy(), Operation::ListBindings, || {
            client.list_bindings_once(account, prefix)
        })
        .await
    }

    /// Fetches one binding (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error ([`Error::is_not_found`] when there is no such binding).
    pub async fn get(
        &self,
        binding: impl TryInto<BindingId, Error: Into<InvalidInput>>,
    ) -> Result<Response<ServiceBinding>, Error> {
        let (account, prefix) = self.ids()?;
        let binding = id_arg(binding)?;
        let client = &self.client;
        retry::read(client.retry_policy(), Operation::GetBinding, || {
            client.get_binding_once(account, prefix, &binding)
        })
        .await
    }

    /// Creates a binding of `cidr` to `service`, never twice: see
    /// [`crate::retry`] for how failures are retried and reconciled.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id or CIDR (no request sent), or the
    /// request's error.
    pub async fn create(
        &self,
        cidr: impl TryInto<Cidr, Error: Into<InvalidInput>>,
        service: impl TryInto<ServiceId, Error: Into<InvalidInput>>,
    ) -> Result<Response<ServiceBinding>, Error> {
        let (account, prefix) = self.ids()?;
        let cidr: Cidr = id_arg(cidr)?;
        let service: ServiceId = id_arg(service)?;
        let body = types::AddressingCreateBindingRequest {
            cidr: types::AddressingCidr(cidr.to_string()),
            service_id: wire_id("service id", service.as_str())?,
        };
        let client = &self.client;
        let (cidr, service) = (&cidr, &service);
        retry::create(
            client.retry_policy(),
            || client.create_binding_once(account, prefix, &body),
            || async move {
                let listed = retry::read(client.retry_policy(), Operation::ListBindings, || {
                    client.list_bindings_once(account, prefix)
                })
                .await?;
                let found = listed
                    .result
                    .iter()
                    .find(|b| b.cidr == *cidr && b.service_id == *service)
                    .cloned();
                Ok(found.map(|binding| listed.map(|_| binding)))
            },
        )
        .await
    }

    /// Deletes a binding. A 404 on a retry after an ambiguous attempt counts as
    /// done (the response's status is then 404); see [`crate::retry`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn delete(
        &self,
        binding: impl TryInto<BindingId, Error: Into<InvalidInput>>,
    ) -> Result<Response<()>, Error> {
        let (account, prefix) = self.ids()?;
        let binding = id_arg(binding)?;
        let client = &self.client;
        retry::delete(client.retry_policy(), || {
            client.delete_binding_once(account, prefix, &binding)
        })
        .await
    }

    /// Polls a binding until it is active, calling `on_state` with every state
    /// observed; see [`crate::wait`] for the outcomes.
    ///
    /// # Errors
    /// [`Error::RouteMissing`], [`Error::BindingGone`], [`Error::WaitTimeout`],
    /// [`Error::InvalidInput`] or a request's error.
    pub async fn wait_until_active(
        &self,
        binding: impl TryInto<BindingId, Error: Into<InvalidInput>>,
        options: &WaitOptions,
        on_state: impl FnMut(&ServiceBinding),
    ) -> Result<ServiceBinding, Error> {
        let binding = id_arg(binding)?;
        self.ids()?;
        wait::until_active(
            &binding,
            options,
            || async { self.get(&binding).await.map(Response::into_inner) },
            on_state,
        )
        .await
    }

    /// Lists the bindings and builds their [`RoutingTable`].
    ///
    /// # Errors
    /// As [`list`](Self::list).
    pub async fn routing_table(&self) -> Result<RoutingTable, Error> {
        Ok(RoutingTable::new(self.list().await?.into_inner()))
    }
}

/// The services of an account. Made by [`Account::services`].
#[derive(Clone, Debug)]
pub struct Services {
    client: Client,
    account: Result<AccountId, InvalidInput>,
}

impl Services {
    /// Lists the services (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn list(&self) -> Result<Response<Vec<Service>>, Error> {
        let account = self.account.as_ref().map_err(|e| Error::from(e.clone()))?;
        let client = &self.client;
        retry::read(client.retry_policy(), Operation::ListServices, || {
            client.list_services_once(account)
        })
        .await
    }

    /// Finds a service by name, ignoring case and surrounding spaces ("cdn" finds
    /// "CDN"), or by id; a name wins over an id.
    ///
    /// # Errors
    /// [`Error::ServiceNotFound`] listing the available names when none matches, or
    /// the error of [`list`](Self::list).
    pub async fn find(&self, name_or_id: &str) -> Result<Service, Error> {
        let mut services = self.list().await?.into_inner();
        let wanted = name_or_id.trim();
        let found = services
            .iter()
            .position(|s| s.name.trim().eq_ignore_ascii_case(wanted))
            .or_else(|| services.iter().position(|s| s.id.as_str() == wanted));
        if let Some(index) = found {
            return Ok(services.swap_remove(index));
        }
        Err(Error::ServiceNotFound {
            name: wanted.to_owned(),
            available: services.into_iter().map(|s| s.name).collect(),
        })
    }
}
