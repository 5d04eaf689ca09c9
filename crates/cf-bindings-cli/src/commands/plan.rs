//! `plan -f FILE`: what would change to make the live bindings match a file.

use std::path::Path;

use cf_bindings::{Change, ChangeKind, Plan};

use super::Context;
use super::file::{self, DesiredFile};
use super::live::{self, Wanted};
use crate::args::{Output, PlanArgs};
use crate::failure::{Exit, Failure};
use crate::output;
use crate::table::{Table, Tone};
use crate::write;

/// Runs `plan`: prints the plan, saves it with `--out`, and with `--exit-code`
/// exits 6 when there is something to change.
pub async fn run(context: &Context, file: &DesiredFile, args: PlanArgs) -> Result<(), Failure> {
    if let Some(path) = &args.out {
        write::check(path, "plan", args.force)?;
    }
    let plan = compute(context, file).await?;
    if let Some(path) = &args.out {
        save(&plan, path, args.force)?;
    }
    // A reader that went away does not change the outcome: drift still exits 6.
    output::unless_closed(print(context, &plan, &file.name))?;
    if args.exit_code && !plan.is_empty() {
        return Err(Failure::new(
            Exit::Drift,
            format!(
                "the live bindings differ from {}: {} to make",
                file.name,
                file::plural(plan.changes().count(), "change", "changes")
            ),
        ));
    }
    Ok(())
}

/// Reads the live bindings of the file's prefixes and the services, and plans.
/// The plan records the account it was made for.
pub async fn compute(context: &Context, file: &DesiredFile) -> Result<Plan, Failure> {
    let wanted: Vec<Wanted<'_>> = file
        .desired
        .prefixes
        .iter()
        .map(|p| Wanted {
            id: &p.id,
            location: p.location.as_ref(),
        })
        .collect();
    let (live, services) = live::read(context, &wanted).await?;
    let mut plan = cf_bindings::plan(&file.desired, &live, &services)
        .map_err(|diagnostics| file::invalid(&file.name, &diagnostics, "nothing was changed"))?;
    plan.account = context.account().id().ok().cloned();
    Ok(plan)
}

/// Writes the plan as JSON, for `apply PLAN` (see [`write::file`]).
fn save(plan: &Plan, path: &Path, force: bool) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(plan)
        .map_err(|e| Failure::unfulfilled(format!("cannot render the plan: {e}")))?;
    let replaced = write::file(path, (text + "\n").as_bytes(), "plan", force)?;
    output::note(&format!(
        "saved the plan to {}{}",
        path.display(),
        replaced.note()
    ));
    Ok(())
}

/// Prints a plan: JSON (the saved form), or a table per prefix and a summary.
pub fn print(context: &Context, plan: &Plan, source: &str) -> Result<(), Failure> {
    if context.output == Output::Json {
        let value = serde_json::to_value(plan)
            .map_err(|e| Failure::unfulfilled(format!("cannot render the plan: {e}")))?;
        return output::json(&value);
    }
    if plan.is_empty() {
        return output::line(&format!("No changes: the live bindings match {source}."));
    }
    for prefix in plan.prefixes.iter().filter(|p| !p.changes.is_empty()) {
        let cidr = prefix.cidr.map(|c| format!(" ({c})")).unwrap_or_default();
        output::line(&format!(
            "Prefix {}{cidr}: {}",
            prefix.prefix,
            file::plural(prefix.changes.len(), "change", "changes")
        ))?;
        output::table(&changes_table(&prefix.changes))?;
    }
    output::line(&summary(plan))
}

fn changes_table(changes: &[Change]) -> Table {
    let mut table = Table::new(vec!["CHANGE", "CIDR", "BEFORE", "AFTER", "WHILE IN FLIGHT"]);
    let name = |s: &Option<cf_bindings::ServiceRef>| {
        s.as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    };
    for change in changes {
        let in_flight = match (change.kind, &change.fallback) {
            (ChangeKind::Create, _) => "-".to_owned(),
            (_, Some(fallback)) => format!("falls back to {fallback}"),
            (_, None) => "no binding: traffic may be dropped".to_owned(),
        };
        let tone = match change.kind {
            ChangeKind::Create => Tone::Good,
            ChangeKind::Delete => Tone::Bad,
            ChangeKind::Replace | ChangeKind::Recreate => Tone::Pending,
        };
        table.toned_row(vec![
            (change.kind.to_string(), tone),
            (change.cidr.to_string(), Tone::Plain),
            (name(&change.before), Tone::Plain),
            (name(&change.after), Tone::Plain),
            (in_flight, Tone::Plain),
        ]);
    }
    table
}

/// `Plan: 2 to create, 1 to replace, 0 to delete (4 API calls). ...`
fn summary(plan: &Plan) -> String {
    let count = |kinds: &[ChangeKind]| {
        plan.changes()
            .filter(|(_, c)| kinds.contains(&c.kind))
            .count()
    };
    format!(
        "Plan: {} to create, {} to replace, {} to delete ({}). Each create or delete takes four to six hours to propagate.",
        count(&[ChangeKind::Create]),
        count(&[ChangeKind::Replace, ChangeKind::Recreate]),
        count(&[ChangeKind::Delete]),
        file::plural(plan.steps().count(), "API call", "API calls"),
    )
}
