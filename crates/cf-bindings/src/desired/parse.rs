//! Reading the file format into a [`Desired`]: TOML with spans, then every value
//! parsed, collecting all malformed values with their locations.

use serde::Deserialize;
use toml::Spanned;

use std::str::FromStr;

use super::{
    Desired, DesiredBinding, DesiredPrefix, Diagnostic, DiagnosticKind, Diagnostics,
    location::LineIndex,
};
use crate::error::InvalidInput;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    account: Option<Spanned<String>>,
    #[serde(default)]
    prefix: Vec<RawPrefix>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefix {
    id: Spanned<String>,
    cidr: Option<Spanned<String>>,
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    bindings: Vec<RawBinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    cidr: Spanned<String>,
    service: Spanned<String>,
}

/// Parses `raw`'s text, recording an error at its location when it does not parse.
fn read<T>(raw: &Spanned<String>, index: &LineIndex<'_>, errors: &mut Vec<Diagnostic>) -> Option<T>
where
    T: FromStr<Err = InvalidInput>,
{
    raw.get_ref()
        .parse()
        .map_err(|e: InvalidInput| {
            errors.push(Diagnostic::error(
                DiagnosticKind::InvalidValue,
                e.to_string(),
                Some(index.locate(raw.span().start)),
            ));
        })
        .ok()
}

pub(super) fn parse(name: &str, text: &str) -> Result<Desired, Diagnostics> {
    let index = LineIndex::new(name, text);
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        // TOML speaks of keys, serde of fields.
        let message = e
            .message()
            .trim_end()
            .replace('\n', " ")
            .replacen("unknown field", "unknown key", 1)
            .replacen("missing field", "missing key", 1);
        let kind = if message.starts_with("unknown key") {
            DiagnosticKind::UnknownKey
        } else {
            DiagnosticKind::Toml
        };
        let location = index.locate(e.span().map_or(0, |s| s.start));
        Diagnostics::new(vec![Diagnostic::error(kind, message, Some(location))])
    })?;
    let at = |raw: &Spanned<String>| Some(index.locate(raw.span().start));
    let mut errors = Vec::new();
    let account = raw
        .account
        .as_ref()
        .and_then(|a| read(a, &index, &mut errors));
    let mut prefixes = Vec::with_capacity(raw.prefix.len());
    for p in &raw.prefix {
        let id = read(&p.id, &index, &mut errors);
        let cidr = p.cidr.as_ref().and_then(|c| read(c, &index, &mut errors));
        let mut bindings = Vec::with_capacity(p.bindings.len());
        for b in &p.bindings {
            let cidr = read(&b.cidr, &index, &mut errors);
            let service = b.service.get_ref().trim();
            if service.is_empty() {
                errors.push(Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    "service must not be empty: give a service name (e.g. \"CDN\") or id",
                    at(&b.service),
                ));
            }
            if let Some(cidr) = cidr {
                bindings.push(DesiredBinding {
                    cidr,
                    service: service.to_owned(),
                    location: at(&b.cidr),
                    service_location: at(&b.service),
                });
            }
        }
        if let Some(id) = id {
            prefixes.push(DesiredPrefix {
                id,
                cidr,
                prune: p.prune,
                bindings,
                location: at(&p.id),
                cidr_location: p.cidr.as_ref().and_then(at),
                description: None,
            });
        }
    }
    if errors.is_empty() {
        Ok(Desired { account, prefixes })
    } else {
        Err(Diagnostics::new(errors))
    }
}
