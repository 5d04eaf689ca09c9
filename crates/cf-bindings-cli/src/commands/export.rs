//! `export`: the live bindings of prefixes, as a bindings file.

use cf_bindings::PrefixId;

use super::Context;
use super::live::{self, Wanted};
use crate::args::ExportArgs;
use crate::failure::Failure;
use crate::output;
use crate::write;

/// Runs `export`: the file on stdout, or in `-f FILE` (`--file`, alias `--out`;
/// see [`write::file`]); `--output json` is refused.
pub async fn run(context: &Context, args: ExportArgs) -> Result<(), Failure> {
    super::no_json(
        context.output,
        "export writes a bindings file (TOML)",
        " (the live bindings as JSON: `cf-bindings bindings list -o json`)",
    )?;
    let texts: Vec<&str> = if args.prefixes.is_empty() {
        context.default_prefixes.to_vec()
    } else {
        args.prefixes.iter().map(String::as_str).collect()
    };
    if texts.is_empty() {
        return Err(Failure::usage(
            "no prefix: pass --prefix ID (repeat it for several)",
        ));
    }
    // Every id, and the file to write, is checked before any request is sent.
    if let Some(path) = &args.out {
        write::check(path, "bindings file", args.force)?;
    }
    let ids = texts
        .iter()
        .map(|text| {
            text.parse::<PrefixId>()
                .map_err(|e| Failure::usage(format!("--prefix {text}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let wanted: Vec<Wanted<'_>> = ids.iter().map(|id| Wanted { id, location: None }).collect();
    let (live, services) = live::read(context, &wanted).await?;
    let account = context.account().id().ok().cloned();
    let text = cf_bindings::export(account, &live, &services).to_toml();
    match &args.out {
        None => output::out(&text),
        Some(path) => {
            let replaced = write::file(path, text.as_bytes(), "bindings file", args.force)?;
            output::note(&format!("wrote {}{}", path.display(), replaced.note()));
            Ok(())
        }
    }
}
