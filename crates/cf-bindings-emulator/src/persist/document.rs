//! The document format shared by seed files and state files: services, accounts,
//! prefixes (with their details) and bindings; converting it to and from the domain's
//! state, every binding replayed through the rules.

use std::{collections::HashSet, path::Path};

use serde::{Deserialize, Serialize};

use crate::{
    Error, MAX_SEED_FILE_BYTES,
    domain::{
        Account, Approval, MAX_DESCRIPTION_CHARS, NewBinding, Prefix, PrefixDetails, Seed, Service,
        State, Timestamp, is_valid_id, parse_cidr,
    },
};

impl Seed {
    /// Reads a seed file: TOML if its name ends in `.toml`, JSON otherwise. It must
    /// be a regular file (a FIFO or a device is refused at once) of at most
    /// [`MAX_SEED_FILE_BYTES`].
    pub fn load(path: &Path) -> Result<Self, Error> {
        let io_error = |source| Error::SeedIo {
            path: path.to_owned(),
            source,
        };
        let bytes = crate::files::read_regular(path, MAX_SEED_FILE_BYTES).map_err(io_error)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            io_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8 text",
            ))
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

/// Converts between the domain's state and its document.
impl State {
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
                        .map(|p| {
                            let bindings = p
                                .bindings
                                .iter()
                                .map(|b| DocBinding {
                                    id: Some(b.id.clone()),
                                    cidr: b.cidr.to_string(),
                                    service_id: b.service_id.clone(),
                                    created_at_ms: Some(b.created_at_ms),
                                })
                                .collect();
                            DocPrefix::new(p, bindings)
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Builds a state from a document, checking ids and replaying every binding
    /// through the same rules as Create.
    pub(crate) fn from_document(doc: Document) -> Result<State, String> {
        if let Some(version) = doc.version
            && !(1..=STATE_VERSION).contains(&version)
        {
            return Err(format!(
                "unsupported version {version} (this emulator reads versions 1 to {STATE_VERSION})"
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
                let cidr = parse_cidr(&p.cidr).map_err(|e| format!("prefix {}: {e}", p.id))?;
                let details = p.details().map_err(|e| format!("prefix {}: {e}", p.id))?;
                account.prefixes.push(Prefix {
                    id: p.id.clone(),
                    cidr,
                    details,
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
            let request = NewBinding {
                cidr: b.cidr,
                service_id: b.service_id,
            };
            state
                .create_binding(
                    &account_id,
                    &prefix_id,
                    request,
                    b.id,
                    b.created_at_ms.unwrap_or(0),
                )
                .map_err(|e| format!("prefix {prefix_id}, binding #{n}: {e}"))?;
        }
        Ok(state)
    }
}

/// Version of the state-file format this emulator writes. Version 2 added the
/// prefixes' details; a version 1 file (without them) still loads, with defaults.
const STATE_VERSION: u32 = 2;

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

/// A prefix. Its details are optional: what is missing takes the defaults of
/// [`PrefixDetails::defaults`]; `null` and missing mean the same (for the fields
/// that may be `null` on the wire, the default is `null`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocPrefix {
    id: String,
    cidr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    asn: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approved: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    advertised: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    advertised_modified_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modified_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_demand_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_demand_locked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delegate_loa_creation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    loa_document_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    irr_validation_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ownership_validation_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rpki_validation_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ownership_validation_token: Option<String>,
    #[serde(default)]
    bindings: Vec<DocBinding>,
}

impl DocPrefix {
    /// `prefix` with every detail written out, and its `bindings`.
    fn new(prefix: &Prefix, bindings: Vec<DocBinding>) -> Self {
        let PrefixDetails {
            description,
            asn,
            approved,
            advertised,
            advertised_modified_at,
            created_at,
            modified_at,
            on_demand_enabled,
            on_demand_locked,
            delegate_loa_creation,
            loa_document_id,
            irr_validation_state,
            ownership_validation_state,
            rpki_validation_state,
            ownership_validation_token,
        } = &prefix.details;
        Self {
            id: prefix.id.clone(),
            cidr: prefix.cidr.to_string(),
            description: Some(description.clone()),
            asn: *asn,
            approved: Some(approved.code().to_owned()),
            advertised: *advertised,
            advertised_modified_at: advertised_modified_at.map(|t| t.to_string()),
            created_at: Some(created_at.to_string()),
            modified_at: Some(modified_at.to_string()),
            on_demand_enabled: Some(*on_demand_enabled),
            on_demand_locked: Some(*on_demand_locked),
            delegate_loa_creation: Some(*delegate_loa_creation),
            loa_document_id: loa_document_id.clone(),
            irr_validation_state: Some(irr_validation_state.clone()),
            ownership_validation_state: Some(ownership_validation_state.clone()),
            rpki_validation_state: Some(rpki_validation_state.clone()),
            ownership_validation_token: Some(ownership_validation_token.clone()),
            bindings,
        }
    }

    /// Its details, each missing one taking its default; refuses values Cloudflare
    /// would not answer with.
    fn details(&self) -> Result<PrefixDetails, String> {
        let approved = match &self.approved {
            None => Approval::Active,
            Some(code) => Approval::from_code(code).ok_or_else(|| {
                format!("approved must be \"P\" (pending) or \"V\" (active), not {code:?}")
            })?,
        };
        let defaults = PrefixDetails::defaults(&self.id, approved);
        let time = |name: &str, text: &Option<String>| -> Result<Option<Timestamp>, String> {
            text.as_deref()
                .map(Timestamp::parse)
                .transpose()
                .map_err(|e| format!("{name}: {e}"))
        };
        let created_at = time("created_at", &self.created_at)?.unwrap_or(defaults.created_at);
        let modified_at = time("modified_at", &self.modified_at)?.unwrap_or(created_at);
        if modified_at < created_at {
            return Err(format!(
                "modified_at {modified_at} is before created_at {created_at}"
            ));
        }
        let description = self.description.clone().unwrap_or(defaults.description);
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(format!(
                "description is longer than {MAX_DESCRIPTION_CHARS} characters"
            ));
        }
        if let Some(loa) = &self.loa_document_id
            && !is_valid_id(loa)
        {
            return Err(format!(
                "loa_document_id {loa:?} is not 32 lowercase hexadecimal characters"
            ));
        }
        let text = |value: &Option<String>, default: String| value.clone().unwrap_or(default);
        Ok(PrefixDetails {
            description,
            asn: self.asn.or(defaults.asn),
            approved,
            advertised: self.advertised.or(defaults.advertised),
            advertised_modified_at: time("advertised_modified_at", &self.advertised_modified_at)?
                .or(defaults.advertised_modified_at),
            created_at,
            modified_at,
            on_demand_enabled: self.on_demand_enabled.unwrap_or(defaults.on_demand_enabled),
            on_demand_locked: self.on_demand_locked.unwrap_or(defaults.on_demand_locked),
            delegate_loa_creation: self
                .delegate_loa_creation
                .unwrap_or(defaults.delegate_loa_creation),
            loa_document_id: self.loa_document_id.clone().or(defaults.loa_document_id),
            irr_validation_state: text(&self.irr_validation_state, defaults.irr_validation_state),
            ownership_validation_state: text(
                &self.ownership_validation_state,
                defaults.ownership_validation_state,
            ),
            rpki_validation_state: text(
                &self.rpki_validation_state,
                defaults.rpki_validation_state,
            ),
            ownership_validation_token: text(
                &self.ownership_validation_token,
                defaults.ownership_validation_token,
            ),
        })
    }
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
