//! `route IP...`: which service gets each address.

use std::net::IpAddr;

use cf_bindings::RoutingTable;
use serde_json::{Value, json};

use super::Context;
use crate::args::{Output, RouteArgs};
use crate::failure::Failure;
use crate::output;
use crate::table::Table;

/// Runs `route`.
pub async fn run(context: &Context, args: RouteArgs) -> Result<(), Failure> {
    // Every address is checked before any request is sent.
    let ips = args
        .ips
        .iter()
        .map(|text| {
            text.trim()
                .parse::<IpAddr>()
                .map_err(|_| Failure::usage(format!("`{text}` is not an IPv4 or IPv6 address")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let table = context.bindings(&args.prefix)?.routing_table().await?;
    match context.output {
        Output::Json => {
            let routes: Vec<Value> = ips
                .iter()
                .map(|ip| route_json(&table, *ip, args.explain))
                .collect();
            output::json(&json!(routes))
        }
        Output::Table if args.explain => output::table(&explain_table(&table, &ips)),
        Output::Table => output::table(&route_table(&table, &ips)),
    }
}

fn explain_table(table: &RoutingTable, ips: &[IpAddr]) -> Table {
    let mut out = Table::new(vec!["IP", "CIDR", "SERVICE", "BINDING", "DECIDES"]);
    for ip in ips {
        let matches = table.explain(*ip);
        if matches.is_empty() {
            out.row(vec![
                ip.to_string(),
                "-".into(),
                "(no binding)".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        let last = matches.len().saturating_sub(1);
        for (i, binding) in matches.iter().enumerate() {
            let decides = if i == last { "yes" } else { "" };
            out.row(vec![
                ip.to_string(),
                binding.cidr.to_string(),
                binding.service_name.clone(),
                binding.id.to_string(),
                decides.into(),
            ]);
        }
    }
    out
}

fn route_table(table: &RoutingTable, ips: &[IpAddr]) -> Table {
    // The columns of `--explain`, in its order.
    let mut out = Table::new(vec!["IP", "CIDR", "SERVICE", "BINDING"]);
    for ip in ips {
        match table.route(*ip) {
            Some(b) => out.row(vec![
                ip.to_string(),
                b.cidr.to_string(),
                b.service_name.clone(),
                b.id.to_string(),
            ]),
            None => out.row(vec![
                ip.to_string(),
                "-".into(),
                "(no binding)".into(),
                "-".into(),
            ]),
        }
    }
    out
}

fn route_json(table: &RoutingTable, ip: IpAddr, explain: bool) -> Value {
    let mut value = json!({ "ip": ip, "binding": table.route(ip) });
    if explain {
        value["matches"] = json!(table.explain(ip));
    }
    value
}
