//! `route IP...`: which service gets each address, found across the account's
//! prefixes (or in the one given with `--prefix`).

use std::collections::BTreeMap;
use std::net::IpAddr;

use cf_bindings::{IpPrefix, PrefixId, RoutingTable};
use serde_json::{Value, json};

use super::{Context, account};
use crate::args::{Output, RouteArgs};
use crate::exit::Failure;
use crate::output;
use crate::table::{Table, printable};

/// Where the addresses are looked for.
enum Scope {
    /// Every prefix of the account.
    Account(Vec<IpPrefix>),
    /// The prefix given with `--prefix`.
    One(Box<IpPrefix>),
}

impl Scope {
    fn prefixes(&self) -> &[IpPrefix] {
        match self {
            Scope::Account(prefixes) => prefixes,
            Scope::One(prefix) => std::slice::from_ref(&**prefix),
        }
    }

    /// `198.51.100.1 is in none of the account's 2 prefixes (…)`.
    fn outside(&self, ip: IpAddr) -> String {
        match self {
            Scope::Account(prefixes) => {
                format!("{ip} is in none of {}.", account::listed(prefixes))
            }
            Scope::One(prefix) => format!(
                "{ip} is not in prefix {} ({}); without --prefix, route looks across the account.",
                prefix.id, prefix.cidr
            ),
        }
    }
}

/// One asked address: its prefix, if any, and that prefix's routing table.
struct Route<'a> {
    ip: IpAddr,
    prefix: Option<(&'a IpPrefix, &'a RoutingTable)>,
}

/// Runs `route`: one List Prefixes request (Prefix Details with `--prefix`), then
/// one list of bindings per prefix that holds an asked address.
pub async fn run(context: &Context, args: RouteArgs) -> Result<(), Failure> {
    // Every address, and the prefix id, is checked before any request is sent.
    let ips = args
        .ips
        .iter()
        .map(|text| {
            text.trim()
                .parse::<IpAddr>()
                .map_err(|_| Failure::usage(format!("`{text}` is not an IPv4 or IPv6 address")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scope = match &args.prefix.prefix {
        Some(id) => {
            let id: PrefixId = id.parse().map_err(cf_bindings::Error::from)?;
            Scope::One(Box::new(
                context.account().prefix(id).get().await?.into_inner(),
            ))
        }
        None => Scope::Account(account::prefixes(context).await?),
    };
    let mut tables: BTreeMap<&PrefixId, (&IpPrefix, RoutingTable)> = BTreeMap::new();
    for ip in &ips {
        let Some(prefix) = account::holding_ip(scope.prefixes(), *ip) else {
            continue;
        };
        if tables.contains_key(&prefix.id) {
            continue;
        }
        let table = context
            .bindings(prefix.id.as_str())
            .routing_table()
            .await
            .map_err(|e| {
                Failure::from(e)
                    .context(format!("cannot list the bindings of prefix {}", prefix.id))
            })?;
        tables.insert(&prefix.id, (prefix, table));
    }
    let routes: Vec<Route<'_>> = ips
        .iter()
        .map(|ip| Route {
            ip: *ip,
            prefix: account::holding_ip(scope.prefixes(), *ip)
                .and_then(|p| tables.get(&p.id))
                .map(|(prefix, table)| (*prefix, table)),
        })
        .collect();
    match context.output {
        Output::Json => {
            let routes: Vec<Value> = routes.iter().map(|r| route_json(r, args.explain)).collect();
            output::json(&json!(routes))
        }
        Output::Table => {
            let table = if args.explain {
                explain_table(&routes)
            } else {
                route_table(&routes)
            };
            output::table(&table)?;
            for route in routes.iter().filter(|r| r.prefix.is_none()) {
                output::line(&printable(&scope.outside(route.ip)))?;
            }
            Ok(())
        }
    }
}

/// What the SERVICE column says of an address no binding routes.
const NO_BINDING: &str = "(no binding)";
/// What it says of an address in none of the prefixes looked at.
const NO_PREFIX: &str = "(no prefix)";

fn explain_table(routes: &[Route<'_>]) -> Table {
    let mut out = Table::new(vec![
        "IP", "CIDR", "SERVICE", "BINDING", "DECIDES", "PREFIX",
    ]);
    for route in routes {
        let ip = route.ip.to_string();
        let Some((prefix, table)) = route.prefix else {
            out.row(vec![
                ip,
                "-".into(),
                NO_PREFIX.into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
            continue;
        };
        let matches = table.explain(route.ip);
        if matches.is_empty() {
            out.row(vec![
                ip.clone(),
                "-".into(),
                NO_BINDING.into(),
                "-".into(),
                "-".into(),
                prefix.cidr.to_string(),
            ]);
        }
        let last = matches.len().saturating_sub(1);
        for (i, binding) in matches.iter().enumerate() {
            let decides = if i == last { "yes" } else { "" };
            out.row(vec![
                ip.clone(),
                binding.cidr.to_string(),
                binding.service_name.clone(),
                binding.id.to_string(),
                decides.into(),
                prefix.cidr.to_string(),
            ]);
        }
    }
    out
}

fn route_table(routes: &[Route<'_>]) -> Table {
    // The columns of `--explain`, in its order.
    let mut out = Table::new(vec!["IP", "CIDR", "SERVICE", "BINDING", "PREFIX"]);
    for route in routes {
        let ip = route.ip.to_string();
        let row = match route.prefix {
            None => vec![ip, "-".into(), NO_PREFIX.into(), "-".into(), "-".into()],
            Some((prefix, table)) => match table.route(route.ip) {
                Some(b) => vec![
                    ip,
                    b.cidr.to_string(),
                    b.service_name.clone(),
                    b.id.to_string(),
                    prefix.cidr.to_string(),
                ],
                None => vec![
                    ip,
                    "-".into(),
                    NO_BINDING.into(),
                    "-".into(),
                    prefix.cidr.to_string(),
                ],
            },
        };
        out.row(row);
    }
    out
}

/// `{"ip", "prefix", "binding"}`, and `"matches"` with `--explain`: `prefix` is
/// `null` for an address in none of the prefixes looked at, `binding` when no
/// binding contains it.
fn route_json(route: &Route<'_>, explain: bool) -> Value {
    let (prefix, binding, matches) = match route.prefix {
        Some((prefix, table)) => (
            account::json(prefix),
            json!(table.route(route.ip)),
            json!(table.explain(route.ip)),
        ),
        None => (Value::Null, Value::Null, json!([])),
    };
    let mut value = json!({ "ip": route.ip, "prefix": prefix, "binding": binding });
    if explain {
        value["matches"] = matches;
    }
    value
}
