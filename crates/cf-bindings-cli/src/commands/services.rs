//! `services list`.

use serde_json::json;

use super::Context;
use crate::args::{Output, ServicesCommand};
use crate::exit::Failure;
use crate::output;
use crate::table::Table;

/// Runs a `services` command.
pub async fn run(context: &Context, command: ServicesCommand) -> Result<(), Failure> {
    match command {
        ServicesCommand::List => list(context).await,
    }
}

async fn list(context: &Context) -> Result<(), Failure> {
    let mut services = context.account().services().list().await?.into_inner();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    match context.output {
        Output::Json => output::json(&json!(services)),
        Output::Table => {
            let mut table = Table::new(vec!["ID", "NAME"]);
            for service in &services {
                table.row(vec![service.id.to_string(), service.name.clone()]);
            }
            output::table(&table)
        }
    }
}
