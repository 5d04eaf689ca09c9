//! The account's prefixes, as the commands that work across the account see them:
//! one List Prefixes request (never one Prefix Details per prefix), the prefix that
//! holds an address, a CIDR or a binding, and how a prefix is named in tables and
//! JSON.

use std::net::IpAddr;

use cf_bindings::{BindingId, Cidr, IpPrefix, PrefixId, ServiceBinding};
use serde_json::{Value, json};

use super::Context;
use crate::exit::{Exit, Failure};
use crate::table::printable;

/// How many prefixes a message names before `and N more`.
const NAMED: usize = 5;

/// The account's prefixes, in one List Prefixes request, sorted by address (IPv4
/// first).
pub async fn prefixes(context: &Context) -> Result<Vec<IpPrefix>, Failure> {
    let mut prefixes = context
        .account()
        .prefixes()
        .list()
        .await
        .map_err(|e| Failure::from(e).context("cannot list the account's prefixes"))?
        .into_inner();
    sort(&mut prefixes);
    Ok(prefixes)
}

/// Sorts prefixes by address, IPv4 first.
pub fn sort(prefixes: &mut [IpPrefix]) {
    prefixes.sort_by_key(|p| p.cidr);
}

/// `{"id", "cidr", "description"}`: a prefix as `route` and `bindings list` name it.
pub fn json(prefix: &IpPrefix) -> Value {
    json!({
        "id": prefix.id,
        "cidr": prefix.cidr,
        "description": prefix.description,
    })
}

/// `Prefix 2af3… (203.0.113.0/24, Demo IPv4 prefix)`, ready for a terminal (the
/// description comes from the server).
pub fn heading(prefix: &IpPrefix) -> String {
    let description = prefix.description.trim();
    if description.is_empty() {
        format!("Prefix {} ({})", prefix.id, prefix.cidr)
    } else {
        format!(
            "Prefix {} ({}, {})",
            prefix.id,
            prefix.cidr,
            printable(description)
        )
    }
}

/// `the account's 2 prefixes (203.0.113.0/24, 2001:db8:1000::/48)`, or `the
/// account's prefixes (it has none)`; at most five named.
pub fn listed(prefixes: &[IpPrefix]) -> String {
    if prefixes.is_empty() {
        return "the account's prefixes (it has none)".to_owned();
    }
    let mut named: Vec<String> = prefixes
        .iter()
        .take(NAMED)
        .map(|p| p.cidr.to_string())
        .collect();
    if prefixes.len() > NAMED {
        named.push(format!("and {} more", prefixes.len() - NAMED));
    }
    let count = if prefixes.len() == 1 {
        "prefix".to_owned()
    } else {
        format!("{} prefixes", prefixes.len())
    };
    format!("the account's {count} ({})", named.join(", "))
}

/// The prefix `id` among the account's `prefixes`; refused (exit 3, as Cloudflare
/// answers for a prefix it does not know) when it is not one of them.
pub fn find<'a>(
    context: &Context,
    prefixes: &'a [IpPrefix],
    id: &PrefixId,
) -> Result<&'a IpPrefix, Failure> {
    prefixes.iter().find(|p| &p.id == id).ok_or_else(|| {
        Failure::new(
            Exit::Api,
            format!(
                "prefix {id} is not one of {} in account {}: `cf-bindings prefixes list` shows them",
                listed(prefixes),
                context.account
            ),
        )
    })
}

/// The prefix of `prefixes` that holds `ip` (the most specific, should two overlap).
pub fn holding_ip(prefixes: &[IpPrefix], ip: IpAddr) -> Option<&IpPrefix> {
    IpPrefix::find_containing(prefixes, ip)
}

/// The prefix of `prefixes` that holds the whole of `cidr` (the most specific,
/// should two overlap).
pub fn holding_cidr<'a>(prefixes: &'a [IpPrefix], cidr: &Cidr) -> Option<&'a IpPrefix> {
    prefixes
        .iter()
        .filter(|p| p.cidr.contains_cidr(cidr))
        .max_by_key(|p| p.cidr.prefix_len())
}

/// The binding `id`, looked for across the account: one List Prefixes request,
/// then one list per prefix until it is found. Returns its prefix and the binding
/// as listed; a binding in none of the prefixes is refused (exit 3, as Cloudflare
/// answers for a binding it does not know).
pub async fn find_binding(
    context: &Context,
    id: &BindingId,
) -> Result<(IpPrefix, ServiceBinding), Failure> {
    let prefixes = prefixes(context).await?;
    for prefix in &prefixes {
        let listed = context
            .account()
            .prefix(prefix.id.clone())
            .bindings()
            .list()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!(
                    "cannot list the bindings of prefix {} while looking for binding {id}",
                    prefix.id
                ))
            })?
            .into_inner();
        if let Some(binding) = listed.into_iter().find(|b| &b.id == id) {
            return Ok((prefix.clone(), binding));
        }
    }
    Err(Failure::new(
        Exit::Api,
        format!(
            "binding {id} is in none of {}: check the id",
            listed(&prefixes)
        ),
    ))
}
