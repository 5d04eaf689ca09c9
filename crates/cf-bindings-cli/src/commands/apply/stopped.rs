//! What `apply` says when it stops before the end: after a failure, or a signal
//! (whose step in flight ended, or not), the steps done and not done, and where
//! the addresses of a replace cut between its delete and its create go now.

use cf_bindings::{
    Error,
    desired::{ApplyError, Change, ChangeKind, Plan, PrefixPlan, ServiceRef, Step, StopReason},
};

use crate::commands::refused;
use crate::exit::Failure;
use crate::output;
use crate::signals::Signal;

/// What became of the step that ended the run, when it did not end well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unfinished {
    /// It failed: not made.
    Failed,
    /// Its answer was lost and checking by listing failed too: it may have been
    /// made.
    Unknown,
}

impl Unfinished {
    fn of(error: &Error) -> Unfinished {
        // A step checked by listing, the listing failing too, is not shown failed.
        if error.is_outcome_unknown() {
            Unfinished::Unknown
        } else {
            Unfinished::Failed
        }
    }

    fn label(self) -> &'static str {
        match self {
            Unfinished::Failed => "failed",
            Unfinished::Unknown => "outcome unknown",
        }
    }
}

/// The summary of a run that stopped before the end (a failure, or a signal
/// whose step in flight ended), and the failure to exit with.
pub(super) fn stopped_failure(
    plan: &Plan,
    stopped: ApplyError,
    interrupted: Option<(Signal, usize)>,
) -> Failure {
    let made = stopped.done.len();
    let (failed, error) = match stopped.reason {
        StopReason::Failed {
            prefix,
            step,
            error,
        } => (Some((prefix, step)), Some(error)),
        // Asked through the flag, which only a signal raises.
        _ => (None, None),
    };
    let unfinished = error.as_ref().map(Unfinished::of);
    summary(plan, made, unfinished, interrupted);
    let refusal = match (&failed, &error) {
        (Some((prefix, step)), Some(error)) => refused::refusal(plan, prefix, step, error),
        _ => None,
    };
    // A refusal under Cloudflare's rules comes back on every run: no rerun advice.
    match &refusal {
        Some(refusal) => output::note(&refusal.advice),
        None => output::note(
            "run apply again to finish: it reads the live bindings and plans what is left",
        ),
    }
    let failure = match (failed, error) {
        (Some((prefix, step)), Some(error)) => {
            let mut context = format!("{step} in prefix {prefix}");
            if let Some(place) = refusal.and_then(|r| r.place) {
                context = format!("{place}: {context}");
            }
            Failure::in_prefix(error, Some(&prefix)).context(context)
        }
        _ => Failure::unfulfilled(format!(
            "apply stopped after {made} of {} steps",
            plan.steps().count()
        )),
    };
    match interrupted {
        Some((signal, _)) => failure
            .context(format!("interrupted by {}", signal.name()))
            .with_exit(signal.exit()),
        None => failure,
    }
}

/// The summary of a run that a second signal ended while step `made + 1` was in
/// flight, and the failure to exit with.
pub(super) fn exited_at_once(plan: &Plan, made: usize, signal: Signal) -> Failure {
    summary(plan, made, Some(Unfinished::Unknown), None);
    let (step, list) = plan
        .steps()
        .nth(made)
        .map(|(prefix, step)| {
            (
                format!("{step} in prefix {prefix}"),
                format!("cf-bindings bindings list -p {prefix}"),
            )
        })
        .unwrap_or_default();
    Failure::new(
        signal.exit(),
        format!(
            "interrupted again by {}: exited at once; the outcome of step {} of {} ({step}) is unknown: check with `{list}` before trying again, or run apply again (it reads the live bindings and plans what is left)",
            signal.name(),
            made + 1,
            plan.steps().count()
        ),
    )
}

/// Says on stderr what a run that stopped after the plan's first `made` steps
/// did not do: the step after them when it did not end well (`unfinished`), the
/// steps not tried, the step in flight when a signal came and what became of it,
/// and where the addresses go now of every replace cut between its delete and its
/// create.
fn summary(
    plan: &Plan,
    made: usize,
    unfinished: Option<Unfinished>,
    interrupted: Option<(Signal, usize)>,
) {
    let total = plan.steps().count();
    output::note(&format!(
        "apply stopped after {made} of {total} steps; not done:"
    ));
    for (index, (_, step)) in plan.steps().enumerate().skip(made) {
        match unfinished {
            Some(how) if index == made => output::note(&format!("  {step} ({})", how.label())),
            _ => output::note(&format!("  {step}")),
        }
    }
    if let Some((signal, index)) = interrupted
        && let Some((_, step)) = plan.steps().nth(index)
    {
        let outcome = match (index < made, unfinished) {
            (true, _) => "made",
            (false, Some(Unfinished::Failed)) => "not made: it failed",
            (false, Some(Unfinished::Unknown)) => "of unknown outcome",
            (false, None) => "not started",
        };
        output::note(&format!(
            "{} came during step {} of {total} ({step}): it was {outcome}",
            signal.name(),
            index + 1
        ));
    }
    let maybe_made = unfinished == Some(Unfinished::Unknown);
    for (prefix, cut) in cut_replaces(plan, made, maybe_made) {
        print_cut(prefix, &cut, made, maybe_made);
    }
}

/// The replaces and recreates of each prefix cut between their delete and their
/// create when the plan's first `made` steps are made (and, when `maybe_made`,
/// perhaps the next one), in the plan's order.
fn cut_replaces(plan: &Plan, made: usize, maybe_made: bool) -> Vec<(&PrefixPlan, Vec<&Change>)> {
    let made_at_most = made + usize::from(maybe_made);
    let mut before = 0;
    let mut out = Vec::new();
    for prefix in &plan.prefixes {
        let index = |create: bool, change: &Change| {
            prefix
                .steps
                .iter()
                .position(|s| {
                    s.cidr() == &change.cidr && matches!(s, Step::Create { .. }) == create
                })
                .map(|i| before + i)
        };
        let cut: Vec<&Change> = prefix
            .changes
            .iter()
            .filter(|c| matches!(c.kind, ChangeKind::Replace | ChangeKind::Recreate))
            .filter(|c| {
                matches!(
                    (index(false, c), index(true, c)),
                    (Some(delete), Some(create)) if delete < made_at_most && create >= made
                )
            })
            .collect();
        if !cut.is_empty() {
            out.push((prefix, cut));
        }
        before += prefix.steps.len();
    }
    out
}

/// Prints the replaces `cut` of `prefix` and where their addresses go after the
/// plan's first `made` steps (and after one more, when `maybe_made` and it differs).
fn print_cut(prefix: &PrefixPlan, cut: &[&Change], made: usize, maybe_made: bool) {
    let names: Vec<String> = cut.iter().map(|c| describe_change(c)).collect();
    let (its, go) = if cut.len() == 1 {
        ("its delete and its create", "its addresses go")
    } else {
        ("their delete and their create", "their addresses go")
    };
    output::note(&format!(
        "cut between {its}: {}; {go} now:",
        names.join(", ")
    ));
    // The outermost CIDRs: those inside them are told with them.
    let outermost: Vec<&Change> = cut
        .iter()
        .filter(|c| {
            !cut.iter()
                .any(|o| o.cidr != c.cidr && o.cidr.contains_cidr(&c.cidr))
        })
        .copied()
        .collect();
    let now = routes(prefix, &outermost, made);
    let next = maybe_made
        .then(|| routes(prefix, &outermost, made + 1))
        .filter(|next| *next != now);
    match next {
        None => print_routes(&now),
        // It depends on the step of unknown outcome.
        Some(next) => {
            output::note(&format!("  if step {} was not made:", made + 1));
            print_routes(&indented(&now));
            output::note("  if it was:");
            print_routes(&indented(&next));
        }
    }
}

fn indented(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| format!("  {l}")).collect()
}

/// `replace 203.0.113.7/32 (CDN → Spectrum)`, `recreate 203.0.113.32/27 (Magic Transit)`.
fn describe_change(change: &Change) -> String {
    let service = |s: Option<&ServiceRef>| s.map_or_else(|| "-".to_owned(), ToString::to_string);
    let before = service(change.before.as_ref());
    let after = service(change.after.as_ref());
    if before == after {
        format!("{} {} ({after})", change.kind, change.cidr)
    } else {
        format!("{} {} ({before} → {after})", change.kind, change.cidr)
    }
}

/// Where the addresses of the `cut` CIDRs go after the plan's first `made` steps:
/// one line each service (`no binding` for none), in the order of their first
/// address. The routing is the plan's ([`PrefixPlan::routing_after`]).
fn routes(prefix: &PrefixPlan, cut: &[&Change], made: usize) -> Vec<String> {
    let mut groups: Vec<(Option<&ServiceRef>, Vec<String>)> = Vec::new();
    for (cidr, service) in cut.iter().flat_map(|c| prefix.routing_after(&c.cidr, made)) {
        let key = service.map(|s| &s.id);
        match groups.iter_mut().find(|(s, _)| s.map(|s| &s.id) == key) {
            Some((_, cidrs)) => cidrs.push(cidr.to_string()),
            None => groups.push((service, vec![cidr.to_string()])),
        }
    }
    groups
        .into_iter()
        .map(|(service, cidrs)| match service {
            Some(service) => format!("  {}: {service}", cidrs.join(", ")),
            None => format!(
                "  {}: no binding (Cloudflare documents no service for them: expect their traffic to be dropped)",
                cidrs.join(", ")
            ),
        })
        .collect()
}

fn print_routes(lines: &[String]) {
    if lines.is_empty() {
        // A plan saved before plans recorded their transitions.
        output::note(
            "  (the plan does not record it: `cf-bindings route --explain ADDRESS` tells)",
        );
    }
    for line in lines {
        output::note(line);
    }
}
