//! [`export`]: live bindings as a [`Desired`], and rendering one in the file format.

use std::fmt::Write as _;

use super::{
    Desired, DesiredBinding, DesiredPrefix, Live,
    net::{by_address, enclosing},
    services::Resolver,
};
use crate::{types::binding::Service, types::ids::AccountId};

/// The desired state that the `live` bindings already are: every prefix of `live`
/// whose bindings it holds (by id), its bindings by address, each service by name
/// (by id when its name does not find it back: a service without a name, or two
/// services of one name). The prefix's CIDR and description come from the account's
/// prefixes when `live` holds them ([`Live::set_account_prefixes`]): so a prefix
/// with no binding gets its real CIDR too. Otherwise the CIDR is that of its base
/// binding (the one containing all others), if any, and there is no description.
/// `prune` is off. Planning it against the same live state changes nothing.
pub fn export(account: Option<AccountId>, live: &Live, services: &[Service]) -> Desired {
    let resolver = Resolver::new(services);
    let prefixes = live
        .iter()
        .map(|(id, bindings)| {
            let mut prefix = DesiredPrefix::new(id.clone());
            let known = live.account_prefix(id);
            prefix.cidr = known
                .map(|p| p.cidr)
                .or_else(|| enclosing(bindings.iter().map(|b| b.cidr)));
            prefix.description = known
                .map(|p| p.description.trim())
                .filter(|d| !d.is_empty())
                .map(str::to_owned);
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

/// `text` as one TOML comment line's content: control characters (a line break
/// would end the comment and start TOML of the server's choosing), invisible format
/// characters (bidirectional overrides, which could make a reviewer read the file
/// otherwise than TOML does) and line separators are written as escapes
/// (`\n`, `\u{202e}`). Other text, quotes and backslashes included, stays as it is.
fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        crate::text::push_visible(&mut out, c);
    }
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
        if let Some(description) = &prefix.description {
            let _ = writeln!(out, "# {}", comment(description));
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
    fn comments_stay_one_line_and_show_what_is_invisible() {
        assert_eq!(
            comment("Demo \"IPv4\" prefix, O'Neil's \\ #1"),
            "Demo \"IPv4\" prefix, O'Neil's \\ #1"
        );
        assert_eq!(
            comment("a\nid = \"x\"\r\t\u{1b}[2J"),
            "a\\nid = \"x\"\\r\\t\\u{1b}[2J"
        );
        assert_eq!(comment("ab\u{202e}cd\u{2028}"), "ab\\u{202e}cd\\u{2028}");
        assert_eq!(comment("préfixe 東京"), "préfixe 東京");
    }

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quoted("CDN"), "\"CDN\"");
        assert_eq!(quoted("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
