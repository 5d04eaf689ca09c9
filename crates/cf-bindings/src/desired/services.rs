//! What bindings as code knows of services: Cloudflare's documented services, by
//! name, for the offline checks (the one list of them in this crate); and, online,
//! the account's own services, found by name or id ([`Resolver`]) for
//! [`plan`](crate::desired::plan), its checks and `export`.

use std::collections::HashMap;

use super::{Diagnostic, DiagnosticKind, Location, ServiceRef};
use crate::types::binding::{Service, ServiceBinding};
use crate::types::ids::ServiceId;

/// Cloudflare's documented services, as Cloudflare names them, and what each is for
/// the rules.
const DOCUMENTED: [(&str, Kind); 3] = [
    ("Magic Transit", Kind::Other),
    ("CDN", Kind::Cdn),
    ("Spectrum", Kind::Spectrum),
];

/// What a service is for the CDN/Spectrum rule, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Cdn,
    Spectrum,
    Other,
}

impl Kind {
    pub(crate) fn of_name(name: &str) -> Kind {
        documented(name).map_or(Kind::Other, |(_, kind)| kind)
    }

    /// Whether one address may not be both.
    pub(crate) fn conflicts(self, other: Kind) -> bool {
        matches!(
            (self, other),
            (Kind::Cdn, Kind::Spectrum) | (Kind::Spectrum, Kind::Cdn)
        )
    }
}

/// The documented service `name` names (in any case, surrounding blanks ignored).
fn documented(name: &str) -> Option<(&'static str, Kind)> {
    let key = Service::name_key(name);
    DOCUMENTED
        .into_iter()
        .find(|(documented, _)| Service::name_key(documented) == key)
}

/// `Magic Transit, CDN, Spectrum`.
fn documented_names() -> String {
    DOCUMENTED.map(|(name, _)| name).join(", ")
}

/// Whether `service` is written as a Cloudflare id: 32 hexadecimal digits.
fn looks_like_id(service: &str) -> bool {
    let service = service.trim();
    service.len() == 32 && service.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A warning for a service that is neither one of Cloudflare's documented services
/// nor written as an id (`Spektrum`), with the documented name it most likely
/// means. It stays a warning: an account may have other services, and `plan` looks
/// the name up among them.
pub(super) fn check_name(service: &str, location: Option<&Location>) -> Option<Diagnostic> {
    if documented(service).is_some() || looks_like_id(service) {
        return None;
    }
    let suggestion = closest(service);
    let hint = match suggestion {
        Some(name) => format!("; did you mean {name:?}?"),
        None => String::new(),
    };
    Some(Diagnostic::warning(
        DiagnosticKind::UndocumentedService {
            suggestion: suggestion.map(str::to_owned),
        },
        format!(
            "service {:?} is none of Cloudflare's documented services ({}){hint} (plan looks it up among the account's services; a service id is written as 32 hexadecimal digits)",
            service.trim(),
            documented_names()
        ),
        location.cloned(),
    ))
}

/// The documented name closest to `service`, when it is close enough to be a typo:
/// at most one edit in three characters (one for `CDN`, two for `Spectrum`).
fn closest(service: &str) -> Option<&'static str> {
    let key = Service::name_key(service);
    DOCUMENTED
        .into_iter()
        .map(|(name, _)| (name, edits(&key, &Service::name_key(name))))
        .filter(|(name, distance)| *distance <= (name.len() / 3).max(1))
        .min_by_key(|(_, distance)| *distance)
        .map(|(name, _)| name)
}

/// The number of single-character insertions, deletions, substitutions and swaps
/// of neighbours that turn `a` into `b` (optimal string alignment distance).
fn edits(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two rows back, the previous one, the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let mut best = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && Some(ca) == b.get(j - 1) && a.get(i - 1) == Some(cb) {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Finds services by name (any case, surrounding spaces ignored) or id; a name wins
/// over an id, as in [`Services::find`](crate::Services::find).
pub(super) struct Resolver<'a> {
    services: &'a [Service],
    by_name: HashMap<String, usize>,
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(services: &'a [Service]) -> Self {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, s) in services.iter().enumerate() {
            by_name.entry(Service::name_key(&s.name)).or_insert(i);
            by_id.entry(s.id.as_str()).or_insert(i);
        }
        Self {
            services,
            by_name,
            by_id,
        }
    }

    pub(super) fn find(&self, name_or_id: &str) -> Option<&'a Service> {
        let wanted = name_or_id.trim();
        let index = self
            .by_name
            .get(&Service::name_key(wanted))
            // An id in any case: ids are kept in lower case.
            .or_else(|| self.by_id.get(ServiceId::new(wanted).ok()?.as_str()))?;
        self.services.get(*index)
    }

    /// The service of a live binding, named from the service list when it came
    /// without a name.
    pub(super) fn of_binding(&self, b: &ServiceBinding) -> ServiceRef {
        let name = if b.service_name.is_empty() {
            self.by_id
                .get(b.service_id.as_str())
                .and_then(|&i| self.services.get(i))
                .map_or_else(|| b.service_id.to_string(), |s| s.name.clone())
        } else {
            b.service_name.clone()
        };
        ServiceRef {
            id: b.service_id.clone(),
            name,
        }
    }

    pub(super) fn names(&self) -> String {
        let mut names: Vec<&str> = self.services.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_names_in_any_case_and_ids_are_known() {
        for known in [
            "Magic Transit",
            "magic transit",
            " CDN ",
            "spectrum",
            "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b",
            "7F3C1A9E5B2D4C6E8A0B1D3F5E7C9A2B",
        ] {
            assert!(check_name(known, None).is_none(), "{known:?}");
        }
        assert_eq!(Kind::of_name(" cdn"), Kind::Cdn);
        assert_eq!(Kind::of_name("SPECTRUM"), Kind::Spectrum);
        assert_eq!(Kind::of_name("Magic Transit"), Kind::Other);
    }

    #[test]
    fn typos_get_a_suggestion() {
        for (typo, meant) in [
            ("Spektrum", "Spectrum"),
            ("spectrun", "Spectrum"),
            ("Sepctrum", "Spectrum"),
            ("cnd", "CDN"),
            ("CDM", "CDN"),
            ("MagicTransit", "Magic Transit"),
            ("magic-transit", "Magic Transit"),
            ("Magic Trasnit", "Magic Transit"),
        ] {
            let warning = check_name(typo, None).unwrap_or_else(|| panic!("{typo:?} passed"));
            assert!(!warning.is_error());
            assert_eq!(
                warning.kind,
                DiagnosticKind::UndocumentedService {
                    suggestion: Some(meant.to_owned())
                },
                "{typo:?}"
            );
            assert!(
                warning
                    .message
                    .contains(&format!("did you mean {meant:?}?")),
                "{}",
                warning.message
            );
        }
    }

    #[test]
    fn other_names_get_no_suggestion() {
        for other in [
            "Magic WAN",
            "dns",
            "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2",
            "Workers",
        ] {
            let warning = check_name(other, None).unwrap_or_else(|| panic!("{other:?} passed"));
            assert_eq!(
                warning.kind,
                DiagnosticKind::UndocumentedService { suggestion: None },
                "{other:?}"
            );
            assert!(!warning.message.contains("did you mean"));
            assert!(
                warning.message.contains(
                    "none of Cloudflare's documented services (Magic Transit, CDN, Spectrum)"
                ),
                "{}",
                warning.message
            );
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edits("", ""), 0);
        assert_eq!(edits("abc", ""), 3);
        assert_eq!(edits("", "ab"), 2);
        assert_eq!(edits("spektrum", "spectrum"), 1);
        assert_eq!(edits("cnd", "cdn"), 1);
        assert_eq!(edits("kitten", "sitting"), 3);
    }
}
