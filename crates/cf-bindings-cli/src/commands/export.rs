//! `export`: the live bindings of prefixes, as a bindings file.

use cf_bindings::PrefixId;

use super::{Context, account, live};
use crate::args::ExportArgs;
use crate::exit::Failure;
use crate::output;
use crate::write;

/// Runs `export`: the file on stdout, or in `-f FILE` (`--file`, alias `--out`;
/// see [`write::file`]); `--output json` is refused. Reads the account's prefixes
/// (one List Prefixes request), the bindings of each exported prefix (one request
/// each) and the services.
pub async fn run(context: &Context, args: ExportArgs) -> Result<(), Failure> {
    super::no_json(
        context.output,
        "export writes a bindings file (TOML)",
        " (the live bindings as JSON: `cf-bindings bindings list -o json`)",
    )?;
    // Every id, and the file to write, is checked before any request is sent.
    if let Some(path) = &args.out {
        write::check(path, "bindings file", args.force)?;
    }
    let asked = args
        .prefixes
        .iter()
        .map(|text| {
            text.parse::<PrefixId>()
                .map_err(|e| Failure::usage(format!("--prefix {text}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let prefixes = account::prefixes(context).await?;
    let chosen: Vec<PrefixId> = if asked.is_empty() {
        prefixes.iter().map(|p| p.id.clone()).collect()
    } else {
        asked
            .iter()
            .map(|id| account::find(context, &prefixes, id).map(|p| p.id.clone()))
            .collect::<Result<_, _>>()?
    };
    let (live, services) = live::read_prefixes(context, prefixes, &chosen).await?;
    let account = context.account().id().ok().cloned();
    let text = cf_bindings::desired::export(account, &live, &services).to_toml();
    match &args.out {
        None => output::out(&text),
        Some(path) => {
            let replaced = write::file(path, text.as_bytes(), "bindings file", args.force)?;
            output::note(&format!("wrote {}{}", path.display(), replaced.note()));
            Ok(())
        }
    }
}
