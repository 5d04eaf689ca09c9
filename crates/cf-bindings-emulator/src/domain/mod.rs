//! The domain: accounts, prefixes, bindings and services, and Cloudflare's rules
//! for them. No HTTP and no JSON here: operations return the model or a
//! [`RuleError`], which the HTTP layer turns into statuses and envelopes.

mod prefix;
mod rules;
mod seed;
#[cfg(test)]
mod tests;

pub(crate) use prefix::{Approval, MAX_DESCRIPTION_CHARS, PrefixDetails, Timestamp};
pub(crate) use rules::{RuleError, parse_cidr};
pub use seed::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_ASN, DEMO_IPV4_BASE_BINDING_ID, DEMO_IPV4_PREFIX_CIDR,
    DEMO_IPV4_PREFIX_DESCRIPTION, DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR,
    DEMO_IPV6_PREFIX_DESCRIPTION, DEMO_IPV6_PREFIX_ID, MAGIC_TRANSIT_SERVICE_ID,
    SPECTRUM_SERVICE_ID, Seed,
};

use ipnet::IpNet;

/// What a service is, for the CDN/Spectrum rule; derived from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceKind {
    Cdn,
    Spectrum,
    Other,
}

/// A service a binding can point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    pub(crate) id: String,
    pub(crate) name: String,
}

impl Service {
    pub(crate) fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }

    pub(crate) fn kind(&self) -> ServiceKind {
        match self.name.to_ascii_lowercase().as_str() {
            "cdn" => ServiceKind::Cdn,
            "spectrum" => ServiceKind::Spectrum,
            _ => ServiceKind::Other,
        }
    }
}

/// Where a binding is in its deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provisioning {
    Provisioning,
    Active,
}

/// A service binding: a CIDR of a prefix bound to a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    pub(crate) id: String,
    pub(crate) cidr: IpNet,
    pub(crate) service_id: String,
    /// When it was created, in Unix milliseconds.
    pub(crate) created_at_ms: u64,
}

impl Binding {
    /// Its state at `now_ms`, when bindings take `delay_ms` to become active.
    pub(crate) fn state_at(&self, now_ms: u64, delay_ms: u64) -> Provisioning {
        if now_ms.saturating_sub(self.created_at_ms) < delay_ms {
            Provisioning::Provisioning
        } else {
            Provisioning::Active
        }
    }
}

/// A BYOIP prefix, its details and its bindings, in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub(crate) id: String,
    pub(crate) cidr: IpNet,
    pub(crate) details: PrefixDetails,
    pub(crate) bindings: Vec<Binding>,
}

/// An account and its prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) prefixes: Vec<Prefix>,
}

/// What a create asks for, as sent (the CIDR is parsed by the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewBinding {
    pub(crate) cidr: String,
    pub(crate) service_id: String,
}

/// The whole emulated state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    pub(crate) services: Vec<Service>,
    pub(crate) accounts: Vec<Account>,
}

impl State {
    pub(crate) fn account(&self, account_id: &str) -> Result<&Account, RuleError> {
        self.accounts
            .iter()
            .find(|a| a.id == account_id)
            .ok_or_else(|| RuleError::AccountNotFound {
                account: account_id.to_owned(),
            })
    }

    /// Prefix Details (and the prefix every binding operation works in).
    pub(crate) fn prefix(&self, account_id: &str, prefix_id: &str) -> Result<&Prefix, RuleError> {
        self.account(account_id)?
            .prefixes
            .iter()
            .find(|p| p.id == prefix_id)
            .ok_or_else(|| RuleError::PrefixNotFound {
                prefix: prefix_id.to_owned(),
            })
    }

    fn prefix_mut(&mut self, account_id: &str, prefix_id: &str) -> Result<&mut Prefix, RuleError> {
        self.account(account_id)?;
        self.accounts
            .iter_mut()
            .find(|a| a.id == account_id)
            .and_then(|a| a.prefixes.iter_mut().find(|p| p.id == prefix_id))
            .ok_or_else(|| RuleError::PrefixNotFound {
                prefix: prefix_id.to_owned(),
            })
    }

    /// List Prefixes: the prefixes of an account.
    pub(crate) fn prefixes(&self, account_id: &str) -> Result<&[Prefix], RuleError> {
        Ok(&self.account(account_id)?.prefixes)
    }

    pub(crate) fn service(&self, service_id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == service_id)
    }

    /// List Services: the services an account can use.
    pub(crate) fn services_of(&self, account_id: &str) -> Result<&[Service], RuleError> {
        self.account(account_id)?;
        Ok(&self.services)
    }

    /// List Service Bindings.
    pub(crate) fn bindings(
        &self,
        account_id: &str,
        prefix_id: &str,
    ) -> Result<&[Binding], RuleError> {
        Ok(&self.prefix(account_id, prefix_id)?.bindings)
    }

    /// Get Service Binding.
    pub(crate) fn binding(
        &self,
        account_id: &str,
        prefix_id: &str,
        binding_id: &str,
    ) -> Result<&Binding, RuleError> {
        self.prefix(account_id, prefix_id)?
            .bindings
            .iter()
            .find(|b| b.id == binding_id)
            .ok_or_else(|| RuleError::BindingNotFound {
                binding: binding_id.to_owned(),
            })
    }

    /// Create Service Binding: checks every rule, then adds the binding, with `id`
    /// or a new one, created at `now_ms`.
    pub(crate) fn create_binding(
        &mut self,
        account_id: &str,
        prefix_id: &str,
        request: NewBinding,
        id: Option<String>,
        now_ms: u64,
    ) -> Result<Binding, RuleError> {
        let prefix = self.prefix(account_id, prefix_id)?;
        let cidr = parse_cidr(&request.cidr)?;
        let kind = self
            .service(&request.service_id)
            .map(Service::kind)
            .ok_or_else(|| RuleError::UnknownService {
                service: request.service_id.clone(),
            })?;
        rules::check_new_binding(self, prefix, cidr, kind)?;
        // A few tries bound the search, so a broken generator cannot loop forever;
        // eight random 128-bit ids all taken does not happen in practice.
        let id = id
            .or_else(|| self.unused_id(std::iter::repeat_with(new_id).take(8)))
            .unwrap_or_else(new_id);
        let binding = Binding {
            id,
            cidr,
            service_id: request.service_id,
            created_at_ms: now_ms,
        };
        self.prefix_mut(account_id, prefix_id)?
            .bindings
            .push(binding.clone());
        Ok(binding)
    }

    /// Delete Service Binding.
    pub(crate) fn delete_binding(
        &mut self,
        account_id: &str,
        prefix_id: &str,
        binding_id: &str,
    ) -> Result<(), RuleError> {
        let prefix = self.prefix_mut(account_id, prefix_id)?;
        let index = rules::check_delete(prefix, binding_id)?;
        prefix.bindings.remove(index);
        Ok(())
    }

    /// The first of `candidates` that no binding uses.
    pub(crate) fn unused_id(&self, candidates: impl IntoIterator<Item = String>) -> Option<String> {
        candidates.into_iter().find(|id| !self.id_in_use(id))
    }

    fn id_in_use(&self, id: &str) -> bool {
        self.accounts.iter().any(|a| {
            a.prefixes
                .iter()
                .any(|p| p.bindings.iter().any(|b| b.id == id))
        })
    }
}

/// A new id: 32 lowercase hex characters.
pub(crate) fn new_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// Whether `id` is 32 lowercase hex characters, as Cloudflare's ids are.
pub(crate) fn is_valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
