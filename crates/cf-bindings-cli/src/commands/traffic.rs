//! The parts of a printed plan about traffic: where each address's traffic goes,
//! step by step, while the plan is applied, and the live bindings the file does not
//! list with the routing they change.

use cf_bindings::desired::{PrefixPlan, Reroute, ServiceRef, Transition, Unlisted};

use super::file::plural;
use crate::exit::Failure;
use crate::output;
use crate::table::{Table, printable};

/// The width lines are wrapped at, where they can be.
const WIDTH: usize = 100;

/// What a pass with no service means, printed once under the transitions that
/// have one.
const GAP: [&str; 2] = [
    "no binding: no binding covers the addresses then; Cloudflare documents no service",
    "for them, so expect their traffic to be dropped",
];

/// Prints, for a prefix whose steps start after `before` steps of the plan: the
/// steps in order when some address passes through anything but its current and
/// final service (so that step numbers can be read), then every address range
/// whose routing changes with the services it passes through.
pub fn print_transitions(prefix: &PrefixPlan, before: usize) -> Result<(), Failure> {
    if prefix.transitions.is_empty() {
        return Ok(());
    }
    let detours = prefix
        .transitions
        .iter()
        .any(|t| !t.in_between().is_empty());
    if detours {
        output::line("Steps, in the order apply makes them:")?;
        for (number, step) in (before + 1..).zip(&prefix.steps) {
            output::line(&printable(&format!("  {number:>2}. {step}")))?;
        }
    }
    output::line(
        "Traffic, step by step (step N: once apply's Nth call is made; four to six hours each):",
    )?;
    for transition in &prefix.transitions {
        for line in transition_lines(transition) {
            output::line(&printable(&line))?;
        }
    }
    if prefix.transitions.iter().any(Transition::has_gap) {
        for line in GAP {
            output::line(&format!("  {line}"))?;
        }
    }
    Ok(())
}

/// `203.0.113.32/27: Magic Transit → no binding (step 3) → CDN (step 4) → Magic
/// Transit (from step 5)`, wrapped before an arrow past [`WIDTH`] columns. A range
/// that moves in one step shows no step: its change says which.
fn transition_lines(transition: &Transition) -> Vec<String> {
    let ranges: Vec<String> = transition.cidrs.iter().map(ToString::to_string).collect();
    let parts: Vec<String> = passes(transition)
        .into_iter()
        .map(|(to, when)| match when {
            Some(when) => format!("{} {when}", service(to)),
            None => service(to),
        })
        .collect();
    wrap(&format!("  {}:", ranges.join(", ")), &parts)
}

/// Each pass of a transition: where the traffic goes (`None`: no binding), and
/// when, `(step 3)`, `(steps 4–5)` or `(from step 6)`: for every pass but the
/// first, when the traffic passes through more than two (a range that moves in
/// one step shows no step: its change says which).
pub fn passes(transition: &Transition) -> Vec<(Option<&ServiceRef>, Option<String>)> {
    let detour = !transition.in_between().is_empty();
    let passes = &transition.passes;
    passes
        .iter()
        .enumerate()
        .map(|(i, pass)| {
            let until = passes.get(i + 1).map(|next| next.after_step);
            let when = match (i, until) {
                (0, _) => None,
                _ if !detour => None,
                (_, Some(next)) if next == pass.after_step + 1 => {
                    Some(format!("(step {})", pass.after_step))
                }
                (_, Some(next)) => Some(format!("(steps {}–{})", pass.after_step, next - 1)),
                (_, None) => Some(format!("(from step {})", pass.after_step)),
            };
            (pass.service.as_ref(), when)
        })
        .collect()
}

/// `head` then `parts` joined by arrows, on lines of at most [`WIDTH`] columns where
/// a break before an arrow allows it; continuation lines are indented.
fn wrap(head: &str, parts: &[String]) -> Vec<String> {
    let width = |s: &str| s.chars().count();
    let mut lines = Vec::new();
    let mut line = head.to_owned();
    for (i, part) in parts.iter().enumerate() {
        let joint = if i == 0 { " " } else { " → " };
        if width(&line) + width(joint) + width(part) > WIDTH {
            lines.push(std::mem::take(&mut line));
            line = if i == 0 {
                format!("    {part}")
            } else {
                format!("      → {part}")
            };
        } else {
            line.push_str(joint);
            line.push_str(part);
        }
    }
    lines.push(line);
    lines
}

/// A service's name, or `no binding`.
pub fn service(service: Option<&ServiceRef>) -> String {
    service.map_or_else(|| "no binding".to_owned(), ToString::to_string)
}

/// Prints the live bindings of a prefix that `source` does not list, if any: each
/// with the routing it changes against the file's.
pub fn print_unlisted(prefix: &PrefixPlan, source: &str) -> Result<(), Failure> {
    if prefix.unlisted.is_empty() {
        return Ok(());
    }
    output::line(&printable(&format!(
        "Not in {source} (kept, prune = false): {}",
        plural(prefix.unlisted.len(), "live binding", "live bindings")
    )))?;
    let mut table = Table::new(vec!["CIDR", "SERVICE", "INSTEAD OF THE FILE'S", "BINDING"]);
    for unlisted in &prefix.unlisted {
        table.row(vec![
            unlisted.cidr.to_string(),
            unlisted.service.to_string(),
            instead(unlisted),
            unlisted.binding.to_string(),
        ]);
    }
    output::table(&table)
}

/// `Magic Transit for 203.0.113.128/25`, one per service the file sends the
/// binding's addresses to, or a dash when it routes them as the file does.
pub fn instead(unlisted: &Unlisted) -> String {
    if unlisted.reroutes.is_empty() {
        return "- (routes as the file does)".to_owned();
    }
    let each = |r: &Reroute| {
        let cidrs: Vec<String> = r.cidrs.iter().map(ToString::to_string).collect();
        format!("{} for {}", service(r.file.as_ref()), cidrs.join(", "))
    };
    unlisted
        .reroutes
        .iter()
        .map(each)
        .collect::<Vec<_>>()
        .join("; ")
}

/// `1 live binding is` / `2 live bindings are`, for the summaries.
pub fn unlisted_count(n: usize) -> String {
    if n == 1 {
        "1 live binding is".to_owned()
    } else {
        format!("{n} live bindings are")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_break_before_an_arrow() {
        let parts: Vec<String> = ["Magic Transit", "no binding (step 3)", "CDN (steps 4–5)"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            wrap("  203.0.113.32/27:", &parts),
            ["  203.0.113.32/27: Magic Transit → no binding (step 3) → CDN (steps 4–5)"]
        );
        let head = format!("  {}:", ["2001:db8:1000:ffff::/64"; 4].join(", "));
        let lines = wrap(&head, &parts);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[1],
            "    Magic Transit → no binding (step 3) → CDN (steps 4–5)"
        );
        let many: Vec<String> = (1..=12)
            .map(|i| format!("Service {i} (step {i})"))
            .collect();
        let lines = wrap("  10.0.0.0/24:", &many);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.chars().count() <= WIDTH),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("      → Service"), "{lines:?}");
    }

    /// A line of exactly [`WIDTH`] columns, arrows counted, is kept whole; one
    /// column more breaks it before its last arrow.
    #[test]
    fn a_line_breaks_only_past_the_width() {
        let head = "  10.0.0.0/24:";
        let first = "a".repeat(40);
        let fits = [first.clone(), "b".repeat(WIDTH - head.len() - 1 - 40 - 3)];
        let lines = wrap(head, &fits);
        assert_eq!(lines, [format!("{head} {} → {}", fits[0], fits[1])]);
        assert_eq!(lines[0].chars().count(), WIDTH);

        let over = [first, "b".repeat(WIDTH - head.len() - 1 - 40 - 3 + 1)];
        assert_eq!(
            wrap(head, &over),
            [
                format!("{head} {}", over[0]),
                format!("      → {}", over[1])
            ]
        );
    }
}
