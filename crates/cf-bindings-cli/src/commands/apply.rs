//! `apply -f FILE | apply PLAN`: make the live bindings match, step by step.

use std::path::Path;

use cf_bindings::{Applied, ApplyError, Desired, Plan, PlanMismatch, RetryPolicy, Step};
use serde_json::json;

use super::file::{self, DesiredFile};
use super::live::{self, Wanted};
use super::{Context, bindings, confirm, refused};
use crate::args::{ApplyArgs, Output};
use crate::failure::Failure;
use crate::output;
use crate::session::Setup;

/// What to apply: a file (planned now) or a saved plan (checked against itself when
/// read, before any request: its steps must be those its changes call for; and
/// against the live state now).
pub enum Input {
    /// A bindings file, read and checked offline.
    File(DesiredFile),
    /// A plan saved by `plan --out`, and the file's name.
    Saved { name: String, plan: Plan },
}

impl Input {
    /// Reads the file or the saved plan; nothing is sent.
    pub fn load(args: &ApplyArgs) -> Result<Input, Failure> {
        match (&args.file, &args.plan) {
            (Some(path), None) => Ok(Input::File(DesiredFile::load(path)?)),
            (None, Some(path)) => {
                let (name, text) = file::read_text(path, "plan")?;
                let plan: Plan =
                    serde_json::from_str(&text).map_err(|e| not_a_plan(&name, path, &text, &e))?;
                if plan.version != Plan::VERSION {
                    return Err(Failure::usage(format!(
                        "{name} is a plan of format {}, this version reads format {}: plan again",
                        plan.version,
                        Plan::VERSION
                    )));
                }
                // Before any request: a plan whose steps are not what it shows.
                plan.check().map_err(|mismatch| unsound(&name, &mismatch))?;
                // Before any request too: the file it was planned from, unchanged.
                super::source::check(&plan, &name)?;
                Ok(Input::Saved { name, plan })
            }
            _ => Err(Failure::usage("give either -f FILE or a saved PLAN")),
        }
    }

    /// The session it asks for: the account it names, and `retry`.
    pub fn setup(&self, retry: Option<RetryPolicy>) -> Setup {
        match self {
            Input::File(file) => file.setup(retry),
            Input::Saved { plan, .. } => Setup {
                account: plan.account.as_ref().map(ToString::to_string),
                retry,
            },
        }
    }
}

/// Runs `apply`.
pub async fn run(context: &Context, input: Input, args: ApplyArgs) -> Result<(), Failure> {
    let (plan, source) = match input {
        Input::File(file) => (super::plan::compute(context, &file).await?, file.name),
        Input::Saved { name, plan } => {
            refuse_if_stale_or_unsound(context, &plan, &name).await?;
            (plan, name)
        }
    };
    if plan.is_empty() {
        return match context.output {
            Output::Json => output::json(&json!({ "applied": [] })),
            // Nothing to make; live bindings the file does not list are still shown.
            Output::Table if plan.has_drift() => super::plan::print(context, &plan, &source),
            Output::Table => output::line(&format!(
                "No changes: the live bindings already match {source}."
            )),
        };
    }
    // The changes are made even when nobody reads stdout any more.
    if context.output == Output::Table {
        output::unless_closed(super::plan::print(context, &plan, &source))?;
    }
    if !args.yes {
        confirm(
            &format!(
                "Apply {} to account {}? [y/N] ",
                file::plural(plan.steps().count(), "API call", "API calls"),
                context.account
            ),
            "not applying",
        )?;
    }
    let applied = execute(context, &plan).await?;
    output::unless_closed(report(context, &applied, &source))?;
    if args.wait {
        for (step, binding) in applied
            .iter()
            .filter_map(|a| a.created.as_ref().map(|b| (a, b)))
        {
            let bindings = context.account().prefix(step.prefix.clone()).bindings();
            bindings::wait_until_active(context, &bindings, binding).await?;
        }
        output::note("every created binding is active");
    }
    Ok(())
}

/// Lists the live bindings of the plan's prefixes and the services (reads only);
/// refuses the plan when they changed since it was planned (exit 1: planning again
/// fixes it), or when it does not do what it shows (exit 2: its steps are not
/// those its changes call for, or a delete misnames its binding; see
/// [`Plan::verify`]). Either way nothing is written.
async fn refuse_if_stale_or_unsound(
    context: &Context,
    plan: &Plan,
    name: &str,
) -> Result<(), Failure> {
    let wanted: Vec<Wanted<'_>> = plan
        .prefixes
        .iter()
        .map(|p| Wanted {
            id: &p.prefix,
            location: None,
        })
        .collect();
    let (live, services) = live::read(context, &wanted).await?;
    let stale = plan.stale_prefixes(&live);
    if !stale.is_empty() {
        let list: Vec<String> = stale.iter().map(ToString::to_string).collect();
        return Err(Failure::unfulfilled(format!(
            "not applying {name}: the live bindings of prefix {} changed since it was planned; plan again",
            list.join(", ")
        )));
    }
    plan.verify(&live, &services)
        .map_err(|mismatch| unsound(name, &mismatch))
}

/// The refusal of a PLAN that is not one: a bindings file given without `-f` is
/// told so, with the command that applies it; anything else gets that command as
/// a hint.
fn not_a_plan(name: &str, path: &Path, text: &str, error: &serde_json::Error) -> Failure {
    let command = format!(
        "cf-bindings apply -f {}",
        shell_word(&path.to_string_lossy())
    );
    if Desired::parse(name, text).is_ok() {
        Failure::usage(format!(
            "{name} is a bindings file, not a saved plan: apply it with `{command}`"
        ))
    } else {
        Failure::usage(format!(
            "{name} is not a plan saved by `cf-bindings plan --out`: {error}; a bindings file is given with -f: `{command}`"
        ))
    }
}

/// `text` as one word of a shell command: as it is when it holds nothing a shell
/// would read otherwise, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "./_-+:@%,=".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The refusal of a saved plan that does not do what it shows: a usage error (exit
/// 2), like any other input that cannot be used as it is; planning again gives a
/// sound one.
fn unsound(name: &str, mismatch: &PlanMismatch) -> Failure {
    Failure::usage(format!(
        "not applying {name}: {mismatch}; it is not the plan `cf-bindings plan --out` wrote (was it edited?): plan again"
    ))
}

/// Makes the steps, one progress line each; on a failure, says what was done
/// and what was not.
async fn execute(context: &Context, plan: &Plan) -> Result<Vec<Applied>, Failure> {
    let total = plan.steps().count();
    let bar = output::stderr_is_terminal().then(|| output::Progress::bar(total));
    let mut made = 0;
    let outcome = cf_bindings::apply(&context.account(), plan, |applied| {
        made += 1;
        let line = format!("[{made}/{total}] {}", describe(applied));
        match &bar {
            Some(bar) => {
                bar.println(line);
                bar.inc();
            }
            None => output::note(&line),
        }
    })
    .await;
    drop(bar);
    outcome.map_err(|stopped| stopped_failure(plan, stopped))
}

/// `created 203.0.113.7/32 → CDN (binding …)`, `deleted 203.0.113.16/29 (Spectrum, binding …)`.
fn describe(applied: &Applied) -> String {
    match (&applied.step, &applied.created) {
        (Step::Create { cidr, service }, Some(binding)) => {
            format!("created {cidr} → {service} (binding {})", binding.id)
        }
        (Step::Create { cidr, service }, None) => format!("created {cidr} → {service}"),
        (
            Step::Delete {
                binding,
                cidr,
                service,
            },
            _,
        ) => {
            format!("deleted {cidr} ({service}, binding {binding})")
        }
    }
}

fn stopped_failure(plan: &Plan, stopped: ApplyError) -> Failure {
    let (prefix, step) = &stopped.failed;
    output::note(&format!(
        "apply stopped after {} of {} steps; not done:",
        stopped.done.len(),
        stopped.done.len() + 1 + stopped.not_done.len()
    ));
    // A step checked by listing, the listing failing too, was not shown failed.
    let how = if stopped.error.is_outcome_unknown() {
        "outcome unknown"
    } else {
        "failed"
    };
    output::note(&format!("  {step} ({how})"));
    for (_, step) in &stopped.not_done {
        output::note(&format!("  {step}"));
    }
    // A refusal under Cloudflare's rules comes back on every run: no rerun advice.
    let refusal = refused::refusal(plan, prefix, step, &stopped.error);
    match &refusal {
        Some(refusal) => output::note(&refusal.advice),
        None => output::note(
            "run apply again to finish: it reads the live bindings and plans what is left",
        ),
    }
    let mut context = format!("{step} in prefix {prefix}");
    if let Some(place) = refusal.and_then(|r| r.place) {
        context = format!("{place}: {context}");
    }
    Failure::in_prefix(stopped.error, Some(prefix)).context(context)
}

/// The summary on stdout.
fn report(context: &Context, applied: &[Applied], source: &str) -> Result<(), Failure> {
    match context.output {
        Output::Json => {
            let steps: Vec<_> = applied
                .iter()
                .map(|a| {
                    json!({
                        "prefix": a.prefix,
                        "step": a.step,
                        "binding": a.created.as_ref().map(|b| &b.id),
                    })
                })
                .collect();
            output::json(&json!({ "applied": steps }))
        }
        Output::Table => output::line(&format!(
            "Applied {source}: {} made in account {}.",
            file::plural(applied.len(), "API call", "API calls"),
            context.account
        )),
    }
}
