//! `prefixes list | get ID`.

use cf_bindings::IpPrefix;
use serde_json::json;

use super::{Context, account};
use crate::args::{Output, PrefixesCommand};
use crate::exit::Failure;
use crate::output;
use crate::table::Table;

/// Runs a `prefixes` command: `list` prints an array sorted by address, `get` one
/// prefix.
pub async fn run(context: &Context, command: PrefixesCommand) -> Result<(), Failure> {
    match command {
        PrefixesCommand::List => {
            let mut prefixes = context.account().prefixes().list().await?.into_inner();
            account::sort(&mut prefixes);
            match context.output {
                Output::Json => output::json(&json!(prefixes)),
                Output::Table => output::table(&table(&prefixes)),
            }
        }
        PrefixesCommand::Get { id } => {
            let prefix = context
                .account()
                .prefix(id.as_str())
                .get()
                .await?
                .into_inner();
            match context.output {
                Output::Json => output::json(&json!(prefix)),
                Output::Table => output::table(&table(std::slice::from_ref(&prefix))),
            }
        }
    }
}

/// One row per prefix: what a bindings file and `route` need, and its state.
fn table(prefixes: &[IpPrefix]) -> Table {
    let mut table = Table::new(vec!["ID", "CIDR", "APPROVED", "ASN", "DESCRIPTION"]);
    for prefix in prefixes {
        table.row(vec![
            prefix.id.to_string(),
            prefix.cidr.to_string(),
            prefix.approved.to_string(),
            prefix.asn.map(|asn| asn.to_string()).unwrap_or_default(),
            prefix.description.clone(),
        ]);
    }
    table
}
