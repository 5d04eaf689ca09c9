//! The document format shared by seed files and state files: services, accounts,
//! prefixes and bindings; converting it to and from the domain's state, every
//! binding replayed through the rules.

use std::{collections::HashSet, path::Path};

use serde::{Deserialize, Serialize};

use crate::{
    Error, MAX_SEED_FILE_BYTES,
    domain::{Account, NewBinding, Prefix, Seed, Service, State, is_valid_id, parse_cidr},
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
    pub(crate) fn from_document(doc: Document) -> Result<State, String> {
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
                let cidr = parse_cidr(&p.cidr).map_err(|e| format!("prefix {}: {e}", p.id))?;
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
