//! `apply -f FILE | apply PLAN`: make the live bindings match, step by step.

use std::cell::Cell;
use std::path::Path;

use cf_bindings::{
    RetryPolicy,
    desired::{Applied, ApplyError, Desired, Plan, PlanMismatch, Step, StopFlag},
};
use serde_json::json;

use super::bindings::{self, Waited};
use super::file::{self, DesiredFile};
use super::live::{self, Wanted};
use super::{Context, confirm};
use crate::args::{ApplyArgs, Output};
use crate::exit::Failure;
use crate::output;
use crate::session::Setup;
use crate::signals::{Signal, Signals};

mod stopped;

use stopped::{exited_at_once, stopped_failure};

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
    // From here SIGINT and SIGTERM stop apply between two steps, and the waits,
    // instead of ending the program (before, nothing was written).
    let mut signals = Signals::listen();
    let applied = execute(context, &plan, &mut signals).await?;
    output::unless_closed(report(context, &applied, &source))?;
    if let Some(signal) = signals.first() {
        // It came during the last step: there was nothing left to stop.
        let wait = if args.wait {
            "; not waiting for the created bindings to become active"
        } else {
            ""
        };
        return Err(Failure::new(
            signal.exit(),
            format!(
                "interrupted by {}: every step was made, the last one while it came{wait}",
                signal.name()
            ),
        ));
    }
    if args.wait {
        let created: Vec<(&Applied, &cf_bindings::ServiceBinding)> = applied
            .iter()
            .filter_map(|a| a.created.as_ref().map(|b| (a, b)))
            .collect();
        for (n, (step, binding)) in created.iter().enumerate() {
            let bindings = context.account().prefix(step.prefix.clone()).bindings();
            let waited =
                bindings::wait_until_active(context, &bindings, binding, &mut signals).await?;
            if let Waited::Stopped { signal, last_seen } = waited {
                let mut pending = vec![(last_seen, true)];
                let later = created.get(n + 1..).unwrap_or_default();
                pending.extend(later.iter().map(|(_, b)| ((*b).clone(), false)));
                return Err(bindings::stopped_waiting(signal, &pending));
            }
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

/// How the run of the steps ended.
// Made once, and matched at once.
#[allow(clippy::large_enum_variant)]
enum Ended {
    /// `apply` returned.
    Returned(Result<Vec<Applied>, ApplyError>),
    /// A second signal came while a step was in flight.
    Again(Signal),
}

/// Makes the steps, one progress line each; on a failure or a signal, says what
/// was done and what was not. The first signal lets the step in flight end and
/// starts no other; a second ends at once, the step in flight unknown.
async fn execute(
    context: &Context,
    plan: &Plan,
    signals: &mut Signals,
) -> Result<Vec<Applied>, Failure> {
    let total = plan.steps().count();
    let bar = output::stderr_is_terminal().then(|| output::Progress::bar(total));
    let say = |line: &str| match &bar {
        Some(bar) => bar.println(line),
        None => output::note(line),
    };
    let made = Cell::new(0);
    let account = context.account();
    let stop = StopFlag::new();
    let mut run = Box::pin(cf_bindings::desired::apply_until_stopped(
        &account,
        plan,
        &stop,
        |applied| {
            made.set(made.get() + 1);
            say(&format!("[{}/{total}] {}", made.get(), describe(applied)));
            if let Some(bar) = &bar {
                bar.inc();
            }
        },
    ));
    // The first signal, and the step in flight when it came (its index).
    let mut interrupted: Option<(Signal, usize)> = None;
    let ended = loop {
        tokio::select! {
            // The run first: when a signal is found, the run was pending, so a
            // step is in flight.
            biased;
            outcome = &mut run => break Ended::Returned(outcome),
            signal = signals.next() => {
                if interrupted.is_some() {
                    break Ended::Again(signal);
                }
                let index = made.get();
                interrupted = Some((signal, index));
                stop.raise();
                let step = plan.steps().nth(index).map(|(_, s)| s.to_string()).unwrap_or_default();
                say(&format!(
                    "{} received: finishing step {} of {total} ({step}), then stopping; a second signal exits at once",
                    signal.name(),
                    index + 1
                ));
            }
        }
    };
    // The request in flight, if any, is dropped; then the progress line is cleared.
    drop(run);
    drop(bar);
    match ended {
        Ended::Returned(Ok(applied)) => Ok(applied),
        Ended::Returned(Err(stopped)) => Err(stopped_failure(plan, stopped, interrupted)),
        Ended::Again(signal) => Err(exited_at_once(plan, made.get(), signal)),
    }
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
