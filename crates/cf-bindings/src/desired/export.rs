//! [`export`]: live bindings as a [`Desired`], and rendering one in the file format.

use std::fmt::Write as _;

use super::{
    Desired, DesiredBinding, DesiredPrefix, Live,
    net::{by_address, enclosing},
    planner::Resolver,
};
use crate::{ids::AccountId, model::Service};

/// The desired state that the `live` bindings already are: every prefix of `live`
/// (by id), its bindings by address, each service by name (by id when its name does
/// not find it back: a service without a name, or two services of one name), and
/// the prefix's CIDR taken from its base binding (the one containing all others).
/// `prune` is off. Planning it against the same live state changes nothing.
pub fn export(account: Option<AccountId>, live: &Live, services: &[Service]) -> Desired {
    let resolver = Resolver::new(services);
    let prefixes = live
        .iter()
        .map(|(id, bindings)| {
            let mut prefix = DesiredPrefix::new(id.clone());
            prefix.cidr = enclosing(bindings.iter().map(|b| b.cidr));
            let mut listed: Vec<DesiredBinding> = bindings
                .iter()
                .map(|b| {
                    let service = resolver.of_binding(b);
                    let by_name = resolver
                        .find(&service.name)
                        .is_some_and(|s| s.id == service.id);
                    let service = if by_name && !service.name.trim().is_empty() {
                        service.name
                    } else {
                        service.id.to_string()
                    };
                    DesiredBinding::new(b.cidr, service)
                })
                .collect();
            listed.sort_by(|a, b| by_address(&a.cidr, &b.cidr));
            listed.dedup_by(|a, b| a.cidr == b.cidr);
            prefix.bindings = listed;
            prefix
        })
        .collect();
    Desired { account, prefixes }
}

/// `value` as a TOML basic string.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn render(desired: &Desired) -> String {
    let mut out = String::new();
    if let Some(account) = &desired.account {
        let _ = writeln!(out, "account = {}", quoted(account.as_str()));
    }
    for prefix in &desired.prefixes {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "[[prefix]]");
        let _ = writeln!(out, "id = {}", quoted(prefix.id.as_str()));
        if let Some(cidr) = prefix.cidr {
            let _ = writeln!(out, "cidr = {}", quoted(&cidr.to_string()));
        }
        let _ = writeln!(out, "prune = {}", prefix.prune);
        if prefix.bindings.is_empty() {
            let _ = writeln!(out, "bindings = []");
            continue;
        }
        let mut bindings: Vec<&DesiredBinding> = prefix.bindings.iter().collect();
        bindings.sort_by(|a, b| by_address(&a.cidr, &b.cidr));
        let cidrs: Vec<String> = bindings
            .iter()
            .map(|b| format!("{},", quoted(&b.cidr.to_string())))
            .collect();
        let width = cidrs.iter().map(String::len).max().unwrap_or(0);
        let _ = writeln!(out, "bindings = [");
        for (b, cidr) in bindings.iter().zip(&cidrs) {
            let _ = writeln!(
                out,
                "  {{ cidr = {cidr:<width$} service = {} }},",
                quoted(&b.service)
            );
        }
        let _ = writeln!(out, "]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quoted("CDN"), "\"CDN\"");
        assert_eq!(quoted("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
