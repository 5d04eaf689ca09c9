//! `plan -f FILE`: what would change to make the live bindings match a file.

use std::path::Path;

use cf_bindings::desired::{Change, ChangeKind, Plan};

use super::file::{self, DesiredFile};
use super::live::{self, Wanted};
use super::{Context, counts::counts, markdown, traffic};
use crate::args::{Output, PlanArgs};
use crate::exit::{Exit, Failure};
use crate::output;
use crate::table::{Table, Tone, printable};
use crate::write;

/// Runs `plan`: prints the plan, saves it with `--out`, and with `--exit-code`
/// exits 6 when there is something to change.
pub async fn run(context: &Context, file: &DesiredFile, args: PlanArgs) -> Result<(), Failure> {
    if let Some(path) = &args.out {
        write::check(path, "plan", args.force)?;
    }
    let mut plan = compute(context, file).await?;
    // What was reviewed is what is applied: `apply PLAN` checks the file again.
    plan.source = file.source.clone();
    if let Some(path) = &args.out {
        save(&plan, path, args.force)?;
    }
    let printed = if context.markdown {
        markdown::print(&plan, file)
    } else {
        print(context, &plan, &file.name)
    };
    // A reader that went away does not change the outcome: drift still exits 6.
    output::unless_closed(printed)?;
    if args.exit_code && plan.has_drift() {
        return Err(Failure::new(Exit::Drift, drift(&plan, &file.name)));
    }
    Ok(())
}

/// `the live bindings differ from bindings.toml: 1 change to make, 1 live binding
/// not in the file`.
fn drift(plan: &Plan, source: &str) -> String {
    let mut what = Vec::new();
    let changes = plan.changes().count();
    if changes > 0 {
        what.push(format!(
            "{} to make",
            file::plural(changes, "change", "changes")
        ));
    }
    let unlisted = plan.unlisted().count();
    if unlisted > 0 {
        what.push(format!(
            "{} not in the file",
            file::plural(unlisted, "live binding", "live bindings")
        ));
    }
    format!(
        "the live bindings differ from {source}: {}",
        what.join(", ")
    )
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
    let mut plan = cf_bindings::desired::plan(&file.desired, &live, &services)
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
    if plan.source.is_none() {
        output::note(
            "the plan records no bindings file (it was planned from standard input): apply PLAN checks only the live bindings",
        );
    }
    Ok(())
}

/// Prints a plan: JSON (the saved form), or a table per prefix and a summary.
pub fn print(context: &Context, plan: &Plan, source: &str) -> Result<(), Failure> {
    if context.output == Output::Json {
        let value = serde_json::to_value(plan)
            .map_err(|e| Failure::unfulfilled(format!("cannot render the plan: {e}")))?;
        return output::json(&value);
    }
    if !plan.has_drift() {
        return output::line(&format!("No changes: the live bindings match {source}."));
    }
    let mut before = 0;
    for prefix in &plan.prefixes {
        let first = before;
        before += prefix.steps.len();
        if prefix.changes.is_empty() && prefix.unlisted.is_empty() {
            continue;
        }
        let cidr = prefix.cidr.map(|c| format!(" ({c})")).unwrap_or_default();
        let changes = match prefix.changes.len() {
            0 => "no changes".to_owned(),
            n => file::plural(n, "change", "changes"),
        };
        output::line(&format!("Prefix {}{cidr}: {changes}", prefix.prefix))?;
        if !prefix.changes.is_empty() {
            output::table(&changes_table(&prefix.changes))?;
            traffic::print_transitions(prefix, first)?;
        }
        traffic::print_unlisted(prefix, source)?;
    }
    // Line by line: the file's name is escaped, the summary's line breaks kept.
    for line in summary(plan, source).lines() {
        output::line(&printable(line))?;
    }
    Ok(())
}

/// The changes: what each does to its CIDR's binding. Where the traffic goes meanwhile
/// is in the transitions printed after it.
fn changes_table(changes: &[Change]) -> Table {
    let mut table = Table::new(vec!["CHANGE", "CIDR", "BEFORE", "AFTER"]);
    let name = |s: &Option<cf_bindings::desired::ServiceRef>| {
        s.as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    };
    for change in changes {
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
        ]);
    }
    table
}

/// `Plan: 2 to create, 1 to replace, 0 to delete (4 API calls).` and, on a line of
/// its own to fit in 80 columns, how long changes take; and what is not in the
/// file.
fn summary(plan: &Plan, source: &str) -> String {
    let unlisted = plan.unlisted().count();
    let them = if unlisted == 1 { "it" } else { "them" };
    let kept = format!(
        "{} not in {source} (kept because prune = false):\nlist {them} in the file, or set prune = true to delete {them}.",
        traffic::unlisted_count(unlisted)
    );
    if plan.is_empty() {
        return format!("No changes to make, but {kept}");
    }
    let made = format!(
        "{} ({}).\nEach create or delete takes four to six hours to propagate.",
        counts(plan),
        file::plural(plan.steps().count(), "API call", "API calls"),
    );
    if unlisted == 0 {
        made
    } else {
        format!("{made}\n{kept}")
    }
}
