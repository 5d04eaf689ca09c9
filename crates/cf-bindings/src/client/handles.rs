//! The scoped handles of a [`Client`]: [`Account`], [`Prefixes`], [`Prefix`],
//! [`Bindings`], [`Services`]. Each id is checked once, when it is given, and kept both typed and
//! in the generated client's form.

use std::str::FromStr;

use cf_bindings_generated::types;

use crate::{
    client::Client,
    client::retry,
    client::wait::{self, WaitOptions},
    error::{Error, InvalidInput},
    types::binding::{Service, ServiceBinding},
    types::cidr::Cidr,
    types::ids::{AccountId, BindingId, PrefixId, ServiceId},
    types::operation::Operation,
    types::prefix::IpPrefix,
    types::routing::RoutingTable,
    wire::response::Response,
};

/// An id checked once: its typed form, and the generated client's.
#[derive(Clone, Debug)]
pub(crate) struct Checked<I, W> {
    id: I,
    wire: W,
}

/// An id argument, checked, or why it was refused.
type Arg<I, W> = Result<Checked<I, W>, InvalidInput>;
type AccountArg = Arg<AccountId, types::AddressingAccountIdentifier>;
type PrefixArg = Arg<PrefixId, types::AddressingPrefixIdentifier>;
type BindingArg = Arg<BindingId, types::AddressingServiceBindingIdentifier>;

/// Validates an id argument and converts it to the generated client's type, once.
pub(crate) fn check<I, W>(
    kind: &'static str,
    value: impl TryInto<I, Error: Into<InvalidInput>>,
) -> Arg<I, W>
where
    I: AsRef<str>,
    W: FromStr<Err = types::error::ConversionError>,
{
    let id: I = value.try_into().map_err(Into::into)?;
    // The typed ids are stricter than the schema (at most 32 ASCII letters and
    // digits), so the schema's check passes; it is still not assumed.
    let wire = id
        .as_ref()
        .parse()
        .map_err(|e: types::error::ConversionError| {
            InvalidInput::new(kind, id.as_ref(), e.to_string())
        })?;
    Ok(Checked { id, wire })
}

/// The typed id of a checked argument, or why it was refused.
fn typed<I, W>(arg: &Arg<I, W>) -> Result<&I, InvalidInput> {
    arg.as_ref().map(|c| &c.id).map_err(Clone::clone)
}

/// The wire id of a checked argument, or the refusal as an [`Error`].
fn wire<I, W>(arg: &Arg<I, W>) -> Result<&W, Error> {
    arg.as_ref().map(|c| &c.wire).map_err(|e| e.clone().into())
}

/// The operations of one account. Made by [`Client::account`].
#[derive(Clone, Debug)]
pub struct Account {
    client: Client,
    account: AccountArg,
}

impl Account {
    pub(crate) fn new(client: Client, account: AccountArg) -> Self {
        Self { client, account }
    }

    /// The account's id, or why the given one was refused.
    ///
    /// # Errors
    /// The [`InvalidInput`] of the id given to [`Client::account`].
    pub fn id(&self) -> Result<&AccountId, InvalidInput> {
        typed(&self.account)
    }

    /// The operations of one prefix of this account.
    pub fn prefix(&self, prefix: impl TryInto<PrefixId, Error: Into<InvalidInput>>) -> Prefix {
        Prefix {
            client: self.client.clone(),
            account: self.account.clone(),
            prefix: check("prefix id", prefix),
        }
    }

    /// The account's prefixes.
    pub fn prefixes(&self) -> Prefixes {
        Prefixes {
            client: self.client.clone(),
            account: self.account.clone(),
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
    account: AccountArg,
    prefix: PrefixArg,
}

impl Prefix {
    /// The prefix's id, or why the given one was refused.
    ///
    /// # Errors
    /// The [`InvalidInput`] of the id given to [`Account::prefix`].
    pub fn id(&self) -> Result<&PrefixId, InvalidInput> {
        typed(&self.prefix)
    }

    /// Fetches the prefix's details, its CIDR among them (retried on transient
    /// failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error ([`Error::is_not_found`] when the account has no such prefix).
    pub async fn get(&self) -> Result<Response<IpPrefix>, Error> {
        let (account, prefix) = (wire(&self.account)?, wire(&self.prefix)?);
        let client = &self.client;
        retry::read(client.retries(), Operation::GetPrefix, || {
            client.get_prefix_once(account, prefix)
        })
        .await
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
    account: AccountArg,
    prefix: PrefixArg,
}

impl Bindings {
    fn ids(
        &self,
    ) -> Result<
        (
            &types::AddressingAccountIdentifier,
            &types::AddressingPrefixIdentifier,
        ),
        Error,
    > {
        Ok((wire(&self.account)?, wire(&self.prefix)?))
    }

    /// The id of the prefix these bindings belong to, or why the given one was
    /// refused.
    ///
    /// # Errors
    /// The [`InvalidInput`] of the id given to [`Account::prefix`].
    pub fn prefix_id(&self) -> Result<&PrefixId, InvalidInput> {
        typed(&self.prefix)
    }

    /// Lists the prefix's bindings (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn list(&self) -> Result<Response<Vec<ServiceBinding>>, Error> {
        let (account, prefix) = self.ids()?;
        let client = &self.client;
        retry::read(client.retries(), Operation::ListBindings, || {
            client.list_bindings_once(account, prefix)
        })
        .await
    }

    /// The check of a create or delete whose outcome is in doubt: lists the
    /// bindings and asks `done` whether they show the change made (its result
    /// then, kept with the listing's status and `cf-ray`).
    async fn reconcile<T>(
        &self,
        done: impl FnOnce(Vec<ServiceBinding>) -> Option<T>,
    ) -> Result<Option<Response<T>>, Error> {
        let listed = self.list().await?;
        let Response {
            result,
            messages,
            status,
            cf_ray,
        } = listed;
        Ok(done(result).map(|result| Response {
            result,
            messages,
            status,
            cf_ray,
        }))
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
        let binding: BindingArg = check("binding id", binding);
        let binding = wire(&binding)?;
        let client = &self.client;
        retry::read(client.retries(), Operation::GetBinding, || {
            client.get_binding_once(account, prefix, binding)
        })
        .await
    }

    /// Creates a binding of `cidr` to `service`, never twice: see [`RetryPolicy`]
    /// for how failures are retried and reconciled.
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
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
        let cidr: Cidr = cidr.try_into().map_err(Into::into)?;
        let service: Checked<ServiceId, types::AddressingServiceIdentifier> =
            check("service id", service)?;
        let body = types::AddressingCreateBindingRequest {
            cidr: types::AddressingCidr(cidr.to_string()),
            service_id: service.wire,
        };
        let client = &self.client;
        let service = &service.id;
        retry::write(
            client.retries(),
            Operation::CreateBinding,
            || client.create_binding_once(account, prefix, &body),
            || {
                self.reconcile(|bindings| {
                    bindings
                        .into_iter()
                        .find(|b| b.cidr == cidr && b.service_id == *service)
                })
            },
        )
        .await
    }

    /// Deletes a binding. When an answer leaves the outcome in doubt (no answer, a
    /// 5xx, a 2xx that cannot be read), the bindings are listed: a binding no longer
    /// listed counts as deleted, and the response is then the listing's (status
    /// 200); see [`RetryPolicy`].
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error ([`Error::OutcomeUnknown`] when the listing failed too).
    pub async fn delete(
        &self,
        binding: impl TryInto<BindingId, Error: Into<InvalidInput>>,
    ) -> Result<Response<()>, Error> {
        let (account, prefix) = self.ids()?;
        let binding: BindingArg = check("binding id", binding);
        let id = typed(&binding)?;
        let binding = wire(&binding)?;
        let client = &self.client;
        retry::write(
            client.retries(),
            Operation::DeleteBinding,
            || client.delete_binding_once(account, prefix, binding),
            || self.reconcile(|bindings| bindings.iter().all(|b| b.id != *id).then_some(())),
        )
        .await
    }

    /// Polls a binding until it is active, calling `on_state` with every state
    /// observed; see [`WaitOptions`] for the outcomes.
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
        let binding: BindingArg = check("binding id", binding);
        let binding = typed(&binding)?;
        self.ids()?;
        wait::until_active(
            binding,
            options,
            self.client.observer(),
            || async { self.get(binding).await.map(Response::into_inner) },
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

/// The prefixes of an account. Made by [`Account::prefixes`].
#[derive(Clone, Debug)]
pub struct Prefixes {
    client: Client,
    account: AccountArg,
}

impl Prefixes {
    /// Lists the account's prefixes, in one request (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn list(&self) -> Result<Response<Vec<IpPrefix>>, Error> {
        let account = wire(&self.account)?;
        let client = &self.client;
        retry::read(client.retries(), Operation::ListPrefixes, || {
            client.list_prefixes_once(account)
        })
        .await
    }

    /// The prefix holding `ip` (see [`IpPrefix::find_containing`]), from one list;
    /// `None` when no prefix of the account holds it.
    ///
    /// # Errors
    /// The error of [`list`](Self::list).
    pub async fn find_containing(&self, ip: std::net::IpAddr) -> Result<Option<IpPrefix>, Error> {
        let prefixes = self.list().await?.into_inner();
        Ok(IpPrefix::find_containing(&prefixes, ip).cloned())
    }
}

/// The services of an account. Made by [`Account::services`].
#[derive(Clone, Debug)]
pub struct Services {
    client: Client,
    account: AccountArg,
}

impl Services {
    /// Lists the services (retried on transient failures).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid id (no request sent), or the
    /// request's error.
    pub async fn list(&self) -> Result<Response<Vec<Service>>, Error> {
        let account = wire(&self.account)?;
        let client = &self.client;
        retry::read(client.retries(), Operation::ListServices, || {
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
        let key = Service::name_key(wanted);
        let found = services
            .iter()
            .position(|s| Service::name_key(&s.name) == key)
            .or_else(|| {
                // An id in any case: ids are kept in lower case.
                let id = ServiceId::new(wanted).ok()?;
                services.iter().position(|s| s.id == id)
            });
        if let Some(index) = found {
            return Ok(services.swap_remove(index));
        }
        Err(Error::ServiceNotFound {
            name: wanted.to_owned(),
            available: services.into_iter().map(|s| s.name).collect(),
        })
    }
}

impl Client {
    /// The operations of an account.
    pub fn account(&self, account: impl TryInto<AccountId, Error: Into<InvalidInput>>) -> Account {
        Account::new(self.clone(), check("account id", account))
    }
}
