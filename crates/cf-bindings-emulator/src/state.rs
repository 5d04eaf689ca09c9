//! The emulated data (accounts, prefixes, services, bindings), its rules, and the
//! document format shared by seed files and state files.

use std::{collections::HashSet, path::Path, str::FromStr};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Error, envelope::ApiError, error_codes};

/// Id of the demo account of the default seed.
pub const DEMO_ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// Id of the default seed's IPv4 prefix.
pub const DEMO_IPV4_PREFIX_ID: &str = "2af39739cc4e3b5910c918468bb89828";
/// CIDR of the default seed's IPv4 prefix.
pub const DEMO_IPV4_PREFIX_CIDR: &str = "203.0.113.0/24";
/// Id of the default seed's IPv4 base binding (Magic Transit on the whole prefix, active).
pub const DEMO_IPV4_BASE_BINDING_ID: &str = "0429b49b6a5155297b78e75a44b09e14";
/// Id of the default seed's IPv6 prefix (no bindings).
pub const DEMO_IPV6_PREFIX_ID: &str = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b";
/// CIDR of the default seed's IPv6 prefix.
pub const DEMO_IPV6_PREFIX_CIDR: &str = "2001:db8:1000::/48";
/// Id of the Magic Transit service.
pub const MAGIC_TRANSIT_SERVICE_ID: &str = "2db684ee7ca04e159946fd05b99e1bcd";
/// Id of the CDN service.
pub const CDN_SERVICE_ID: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
/// Id of the Spectrum service.
pub const SPECTRUM_SERVICE_ID: &str = "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d";

/// What a service is, for the CDN/Spectrum rule; derived from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServiceKind {
    Cdn,
    Spectrum,
    Other,
}

#[derive(Debug, Clone)]
struct Service {
    id: String,
    name: String,
}

impl Service {
    fn kind(&self) -> ServiceKind {
        match self.name.to_ascii_lowercase().as_str() {
            "cdn" => ServiceKind::Cdn,
            "spectrum" => ServiceKind::Spectrum,
            _ => ServiceKind::Other,
        }
    }
}

#[derive(Debug, Clone)]
struct Binding {
    id: String,
    cidr: IpNet,
    service_id: String,
    created_at_ms: u64,
}

#[derive(Debug, Clone)]
struct Prefix {
    id: String,
    cidr: IpNet,
    bindings: Vec<Binding>,
}

#[derive(Debug, Clone)]
struct Account {
    id: String,
    prefixes: Vec<Prefix>,
}

/// The whole emulated state.
#[derive(Debug, Clone)]
pub(crate) struct State {
    services: Vec<Service>,
    accounts: Vec<Account>,
}

/// A validated body of a Create request.
#[derive(Debug, Clone)]
pub(crate) struct CreateRequest {
    pub(crate) cidr: String,
    pub(crate) service_id: String,
}

/// How a binding is rendered: the provisioning delay and the current time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) now_ms: u64,
    pub(crate) delay_ms: u64,
}

/// The initial data of an emulator: services, accounts, prefixes and bindings.
///
/// [`Seed::demo`] is the default; [`Seed::load`] reads a TOML or JSON seed file (see
/// `seed.example.toml` in this crate and the crate documentation for the format).
#[derive(Debug, Clone)]
pub struct Seed {
    pub(crate) state: State,
}

impl Default for Seed {
    fn default() -> Self {
        Self::demo()
    }
}

impl Seed {
    /// The default seed: the demo account [`DEMO_ACCOUNT_ID`] with the IPv4 prefix
    /// [`DEMO_IPV4_PREFIX_CIDR`] (its base Magic Transit binding active) and the IPv6
    /// prefix [`DEMO_IPV6_PREFIX_CIDR`] (no bindings), and the services Magic Transit,
    /// CDN and Spectrum.
    pub fn demo() -> Self {
        let base = Binding {
            id: DEMO_IPV4_BASE_BINDING_ID.to_owned(),
            cidr: parse_net(DEMO_IPV4_PREFIX_CIDR),
            service_id: MAGIC_TRANSIT_SERVICE_ID.to_owned(),
            created_at_ms: 0,
        };
        let state = State {
            services: vec![
                service(MAGIC_TRANSIT_SERVICE_ID, "Magic Transit"),
                service(CDN_SERVICE_ID, "CDN"),
                service(SPECTRUM_SERVICE_ID, "Spectrum"),
            ],
            accounts: vec![Account {
                id: DEMO_ACCOUNT_ID.to_owned(),
                prefixes: vec![
                    Prefix {
                        id: DEMO_IPV4_PREFIX_ID.to_owned(),
                        cidr: parse_net(DEMO_IPV4_PREFIX_CIDR),
                        bindings: vec![base],
                    },
                    Prefix {
                        id: DEMO_IPV6_PREFIX_ID.to_owned(),
                        cidr: parse_net(DEMO_IPV6_PREFIX_CIDR),
                        bindings: Vec::new(),
                    },
                ],
            }],
        };
        Self { state }
    }

    /// Reads a seed file: TOML if its name ends in `.toml`, JSON otherwise.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::SeedIo {
            path: path.to_owned(),
            source,
        })?;
        let is_toml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        let parsed = if is_toml {
            Self::from_toml(&text)
        } else {
            Self::from_json(&text)
        };
        parsed.map_err(|err| match err {
            Error::InvalidSeed { message, .. } => Error::InvalidSeed {
                path: Some(path.to_owned()),
                message,
            },
            other => other,
        })
    }

    /// Parses a seed in TOML.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let doc: Document = toml::from_str(text).map_err(|err| invalid_seed(err.to_string()))?;
        Ok(Self {
            state: State::from_document(doc).map_err(invalid_seed)?,
        })
    }

    /// Parses a seed in JSON.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let doc: Document =
            serde_json::from_str(text).map_err(|err| invalid_seed(err.to_string()))?;
        Ok(Self {
            state: State::from_document(doc).map_err(invalid_seed)?,
        })
    }
}

fn invalid_seed(message: String) -> Error {
    Error::InvalidSeed {
        path: None,
        message,
    }
}

fn service(id: &str, name: &str) -> Service {
    Service {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

/// Parses one of the constant CIDRs above (known to be valid).
fn parse_net(text: &str) -> IpNet {
    IpNet::from_str(text).unwrap_or_else(|_| IpNet::V4(ipnet::Ipv4Net::default()))
}

/// Parses a CIDR from a request: well-formed and without host bits.
pub(crate) fn parse_cidr(text: &str) -> Result<IpNet, ApiError> {
    if let Some(octet) = leading_zero_octet(text.trim()) {
        return Err(ApiError::bad_request(
            error_codes::INVALID_CIDR,
            format!(
                "Invalid CIDR {text:?}: the IPv4 octet {octet:?} has a leading zero, which some parsers read as octal"
            ),
        )
        .with_pointer("/cidr"));
    }
    let net = IpNet::from_str(text.trim()).map_err(|_| {
        ApiError::bad_request(
            error_codes::INVALID_CIDR,
            format!(
                "Invalid CIDR {text:?}: expected an address and a prefix length, e.g. 192.0.2.0/24"
            ),
        )
        .with_pointer("/cidr")
    })?;
    if net.trunc() != net {
        return Err(ApiError::bad_request(
            error_codes::CIDR_HOST_BITS,
            format!(
                "CIDR {text} has host bits set; did you mean {}?",
                net.trunc()
            ),
        )
        .with_pointer("/cidr"));
    }
    Ok(net)
}

/// The first IPv4 octet written with a leading zero (`010`), if any: `ipnet` would
/// read it as decimal where other tools read octal.
fn leading_zero_octet(text: &str) -> Option<&str> {
    let address = text.split('/').next().unwrap_or(text);
    let dotted = address.rsplit(':').next().unwrap_or(address);
    if !dotted.contains('.') {
        return None;
    }
    dotted
        .split('.')
        .find(|octet| octet.len() > 1 && octet.starts_with('0'))
}

/// A new id: 32 lowercase hex characters.
pub(crate) fn new_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

fn is_valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl State {
    fn account(&self, account_id: &str) -> Result<&Account, ApiError> {
        self.accounts
            .iter()
            .find(|a| a.id == account_id)
            .ok_or_else(|| {
                ApiError::not_found(
                    error_codes::ACCOUNT_NOT_FOUND,
                    format!("Account {account_id} not found"),
                )
            })
    }

    fn prefix(&self, account_id: &str, prefix_id: &str) -> Result<&Prefix, ApiError> {
        self.account(account_id)?
            .prefixes
            .iter()
            .find(|p| p.id == prefix_id)
            .ok_or_else(|| prefix_not_found(prefix_id))
    }

    fn prefix_mut(&mut self, account_id: &str, prefix_id: &str) -> Result<&mut Prefix, ApiError> {
        self.account(account_id)?;
        self.accounts
            .iter_mut()
            .find(|a| a.id == account_id)
            .and_then(|a| a.prefixes.iter_mut().find(|p| p.id == prefix_id))
            .ok_or_else(|| prefix_not_found(prefix_id))
    }

    fn service(&self, service_id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == service_id)
    }

    fn binding_json(&self, binding: &Binding, clock: Clock) -> Value {
        let state = if clock.now_ms.saturating_sub(binding.created_at_ms) < clock.delay_ms {
            "provisioning"
        } else {
            "active"
        };
        json!({
            "id": binding.id,
            "cidr": binding.cidr.to_string(),
            "service_id": binding.service_id,
            "service_name": self.service(&binding.service_id).map(|s| s.name.as_str()),
            "provisioning": { "state": state },
        })
    }

    fn id_in_use(&self, id: &str) -> bool {
        self.accounts.iter().any(|a| {
            a.prefixes
                .iter()
                .any(|p| p.bindings.iter().any(|b| b.id == id))
        })
    }

    /// List Services.
    pub(crate) fn list_services(&self, account_id: &str) -> Result<Value, ApiError> {
        self.account(account_id)?;
        Ok(Value::Array(
            self.services
                .iter()
                .map(|s| json!({ "id": s.id, "name": s.name }))
                .collect(),
        ))
    }

    /// List Service Bindings.
    pub(crate) fn list_bindings(
        &self,
        account_id: &str,
        prefix_id: &str,
        clock: Clock,
    ) -> Result<Value, ApiError> {
        let prefix = self.prefix(account_id, prefix_id)?;
        Ok(Value::Array(
            prefix
                .bindings
                .iter()
                .map(|b| self.binding_json(b, clock))
                .collect(),
        ))
    }

    /// Get Service Binding.
    pub(crate) fn get_binding(
        &self,
        account_id: &str,
        prefix_id: &str,
        binding_id: &str,
        clock: Clock,
    ) -> Result<Value, ApiError> {
        let prefix = self.prefix(account_id, prefix_id)?;
        let binding = prefix
            .bindings
            .iter()
            .find(|b| b.id == binding_id)
            .ok_or_else(|| binding_not_found(binding_id))?;
        Ok(self.binding_json(binding, clock))
    }

    /// Create Service Binding: checks every rule, then adds the binding.
    ///
    /// `body` is the parsed request (or its parse error, reported after the 404s).
    pub(crate) fn create_binding(
        &mut self,
        account_id: &str,
        prefix_id: &str,
        body: Result<CreateRequest, ApiError>,
        id: Option<String>,
        clock: Clock,
    ) -> Result<Value, ApiError> {
        self.prefix(account_id, prefix_id)?;
        let body = body?;
        let cidr = parse_cidr(&body.cidr)?;
        let kind = self
            .service(&body.service_id)
            .map(Service::kind)
            .ok_or_else(|| {
                ApiError::bad_request(
                    error_codes::UNKNOWN_SERVICE,
                    format!(
                        "Service {} not found; List Services gives the available ids",
                        body.service_id
                    ),
                )
                .with_pointer("/service_id")
            })?;
        let prefix = self.prefix(account_id, prefix_id)?;
        check_new_binding(self, prefix, cidr, kind)?;
        let id = match id {
            Some(id) => id,
            None => loop {
                let id = new_id();
                if !self.id_in_use(&id) {
                    break id;
                }
            },
        };
        let binding = Binding {
            id,
            cidr,
            service_id: body.service_id,
            created_at_ms: clock.now_ms,
        };
        let rendered = self.binding_json(&binding, clock);
        self.prefix_mut(account_id, prefix_id)?
            .bindings
            .push(binding);
        Ok(rendered)
    }

    /// Delete Service Binding.
    pub(crate) fn delete_binding(
        &mut self,
        account_id: &str,
        prefix_id: &str,
        binding_id: &str,
    ) -> Result<(), ApiError> {
        let prefix = self.prefix_mut(account_id, prefix_id)?;
        let index = prefix
            .bindings
            .iter()
            .position(|b| b.id == binding_id)
            .ok_or_else(|| binding_not_found(binding_id))?;
        if prefix.bindings[index].cidr == prefix.cidr && prefix.bindings.len() > 1 {
            return Err(ApiError::bad_request(
                error_codes::BASE_BINDING_IN_USE,
                format!(
                    "Binding {binding_id} is the base binding of prefix {} and cannot be deleted while {} more-specific binding(s) exist; delete those first",
                    prefix.cidr,
                    prefix.bindings.len() - 1
                ),
            ));
        }
        prefix.bindings.remove(index);
        Ok(())
    }

    /// The state as a document (for the state file).
    pub(crate) fn to_document(&self) -> Document {
        Document {
            version: Some(STATE_VERSION),
            services: self
                .services
                .iter()
                .map(|s| DocService {
                    id: s.id.clone(),
                    name: s.name.clone(),
                })
                .collect(),
            accounts: self
                .accounts
                .iter()
                .map(|a| DocAccount {
                    id: a.id.clone(),
                    prefixes: a
                        .prefixes
                        .iter()
                        .map(|p| DocPrefix {
                            id: p.id.clone(),
                            cidr: p.cidr.to_string(),
                            bindings: p
                                .bindings
                                .iter()
                                .map(|b| DocBinding {
                                    id: Some(b.id.clone()),
                                    cidr: b.cidr.to_string(),
                                    service_id: b.service_id.clone(),
                                    created_at_ms: Some(b.created_at_ms),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Builds a state from a document, checking ids and replaying every binding
    /// through the same rules as Create.
    pub(crate) fn from_document(doc: Document) -> Result<Self, String> {
        if let Some(version) = doc.version
            && version != STATE_VERSION
        {
            return Err(format!(
                "unsupported version {version} (this emulator reads version {STATE_VERSION})"
            ));
        }
        let mut ids = HashSet::new();
        let mut check_id = |what: &str, id: &str| -> Result<(), String> {
            if !is_valid_id(id) {
                return Err(format!(
                    "{what} id {id:?} is not 32 lowercase hexadecimal characters"
                ));
            }
            if !ids.insert(id.to_owned()) {
                return Err(format!("{what} id {id} is used twice"));
            }
            Ok(())
        };
        let mut state = State {
            services: Vec::new(),
            accounts: Vec::new(),
        };
        for s in doc.services {
            check_id("service", &s.id)?;
            state.services.push(Service {
                id: s.id,
                name: s.name,
            });
        }
        let mut pending = Vec::new();
        for a in doc.accounts {
            check_id("account", &a.id)?;
            let mut account = Account {
                id: a.id.clone(),
                prefixes: Vec::new(),
            };
            for p in a.prefixes {
                check_id("prefix", &p.id)?;
                let cidr =
                    parse_cidr(&p.cidr).map_err(|e| format!("prefix {}: {}", p.id, e.message))?;
                account.prefixes.push(Prefix {
                    id: p.id.clone(),
                    cidr,
                    bindings: Vec::new(),
                });
                for (n, b) in p.bindings.into_iter().enumerate() {
                    if let Some(id) = &b.id {
                        check_id("binding", id)?;
                    }
                    pending.push((a.id.clone(), p.id.clone(), n + 1, b));
                }
            }
            state.accounts.push(account);
        }
        for (account_id, prefix_id, n, b) in pending {
            let clock = Clock {
                now_ms: b.created_at_ms.unwrap_or(0),
                delay_ms: 0,
            };
            let request = CreateRequest {
                cidr: b.cidr,
                service_id: b.service_id,
            };
            state
                .create_binding(&account_id, &prefix_id, Ok(request), b.id, clock)
                .map_err(|e| format!("prefix {prefix_id}, binding #{n}: {}", e.message))?;
        }
        Ok(state)
    }
}

/// The rules a new binding must satisfy against the prefix's existing bindings.
fn check_new_binding(
    state: &State,
    prefix: &Prefix,
    cidr: IpNet,
    kind: ServiceKind,
) -> Result<(), ApiError> {
    if prefix.bindings.is_empty() {
        if cidr != prefix.cidr {
            return Err(ApiError::bad_request(
                error_codes::FIRST_BINDING_MUST_MATCH_PREFIX,
                format!(
                    "The first service binding of prefix {} must exactly match its CIDR {}, not {cidr}",
                    prefix.id, prefix.cidr
                ),
            )
            .with_pointer("/cidr"));
        }
        return Ok(());
    }
    if !prefix.cidr.contains(&cidr) {
        return Err(ApiError::bad_request(
            error_codes::CIDR_OUTSIDE_PREFIX,
            format!("CIDR {cidr} is not within prefix {}", prefix.cidr),
        )
        .with_pointer("/cidr"));
    }
    if let Some(existing) = prefix.bindings.iter().find(|b| b.cidr == cidr) {
        return Err(ApiError::bad_request(
            error_codes::DUPLICATE_BINDING,
            format!(
                "A service binding for {cidr} already exists ({})",
                existing.id
            ),
        )
        .with_pointer("/cidr"));
    }
    let overlapping = prefix
        .bindings
        .iter()
        .filter(|b| b.cidr != prefix.cidr && (b.cidr.contains(&cidr) || cidr.contains(&b.cidr)));
    let mut first_overlap = None;
    for other in overlapping {
        let other_kind = state
            .service(&other.service_id)
            .map_or(ServiceKind::Other, Service::kind);
        if matches!(
            (kind, other_kind),
            (ServiceKind::Cdn, ServiceKind::Spectrum) | (ServiceKind::Spectrum, ServiceKind::Cdn)
        ) {
            return Err(ApiError::bad_request(
                error_codes::CDN_SPECTRUM_CONFLICT,
                format!(
                    "CIDR {cidr} overlaps {} bound to {}: an address is either CDN or Spectrum, never both",
                    other.cidr,
                    if other_kind == ServiceKind::Cdn { "CDN" } else { "Spectrum" }
                ),
            )
            .with_pointer("/cidr"));
        }
        first_overlap.get_or_insert(other);
    }
    if let Some(other) = first_overlap {
        return Err(ApiError::bad_request(
            error_codes::OVERLAPPING_BINDING,
            format!(
                "CIDR {cidr} overlaps the more-specific binding {} ({}); more-specific bindings may not nest or overlap",
                other.cidr, other.id
            ),
        )
        .with_pointer("/cidr"));
    }
    Ok(())
}

fn prefix_not_found(prefix_id: &str) -> ApiError {
    ApiError::not_found(
        error_codes::PREFIX_NOT_FOUND,
        format!("Prefix {prefix_id} not found"),
    )
}

fn binding_not_found(binding_id: &str) -> ApiError {
    ApiError::not_found(
        error_codes::BINDING_NOT_FOUND,
        format!("Service binding {binding_id} not found"),
    )
}

/// Version of the state-file format.
const STATE_VERSION: u32 = 1;

/// The seed and state-file document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(default)]
    services: Vec<DocService>,
    #[serde(default)]
    accounts: Vec<DocAccount>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocService {
    id: String,
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocAccount {
    id: String,
    #[serde(default)]
    prefixes: Vec<DocPrefix>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocPrefix {
    id: String,
    cidr: String,
    #[serde(default)]
    bindings: Vec<DocBinding>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocBinding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    cidr: String,
    service_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at_ms: Option<u64>,
}
