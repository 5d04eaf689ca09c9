//! What `cf-bindings apply` reported, and whether the server's state bears it out.
//!
//! The steps reported done come from the JSON summary on success
//! (`{"applied": [{"prefix", "step", "binding"}]}`), else from the progress lines on
//! stderr (`[3/10] created 203.0.113.7/32 → CDN (binding …)`, `[4/10] deleted
//! 203.0.113.16/29 (Spectrum, binding …)`). After a failure, the first step listed
//! under `not done:` is the one that failed; with exit code 5 its outcome is unknown,
//! and the server may show it done or not.

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde_json::Value;

use super::model::{Bindings, LiveBinding, PREFIXES, prefix_of, without_ids};

/// One API call of an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A binding of `cidr` to `service` created (as `binding`, when said).
    Create {
        cidr: IpNet,
        service: String,
        binding: Option<String>,
    },
    /// The binding `binding` (of `cidr`) deleted.
    Delete { cidr: IpNet, binding: String },
}

/// What a run of `apply` said it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reported {
    /// The steps it reported done, in order.
    pub done: Vec<Step>,
    /// The step it stopped at, when it said which.
    pub failed: Option<Step>,
}

/// Reads the report of a run that exited with `exit`.
pub fn parse(exit: Option<i32>, stdout: &str, stderr: &str) -> Result<Reported, String> {
    if exit == Some(0) {
        return parse_json(stdout);
    }
    let mut reported = Reported::default();
    let mut not_done = false;
    for line in stderr.lines() {
        if let Some(rest) = progress(line) {
            reported.done.push(parse_done(rest)?);
        } else if line.contains("not done:") {
            not_done = true;
        } else if not_done
            && reported.failed.is_none()
            && let Some(step) = line.strip_prefix("  ")
        {
            reported.failed = Some(parse_planned(step)?);
        }
    }
    Ok(reported)
}

/// The text after `[k/n] ` of a progress line.
fn progress(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (count, rest) = rest.split_once("] ")?;
    let (k, n) = count.split_once('/')?;
    (k.parse::<usize>().is_ok() && n.parse::<usize>().is_ok()).then_some(rest)
}

fn net(text: &str) -> Result<IpNet, String> {
    text.parse()
        .map_err(|_| format!("not a CIDR in the report: {text:?}"))
}

/// `created CIDR → SERVICE (binding ID)`, `created CIDR → SERVICE`, or
/// `deleted CIDR (SERVICE, binding ID)`.
fn parse_done(text: &str) -> Result<Step, String> {
    if let Some(rest) = text.strip_prefix("created ") {
        let (cidr, rest) = rest
            .split_once(" → ")
            .ok_or_else(|| format!("unreadable progress line: {text:?}"))?;
        let (service, binding) = match rest
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once(" (binding "))
        {
            Some((service, id)) => (service, Some(id.to_owned())),
            None => (rest, None),
        };
        return Ok(Step::Create {
            cidr: net(cidr)?,
            service: service.to_owned(),
            binding,
        });
    }
    if let Some(rest) = text.strip_prefix("deleted ") {
        return parse_delete(rest).ok_or_else(|| format!("unreadable progress line: {text:?}"));
    }
    Err(format!("unreadable progress line: {text:?}"))
}

/// `CIDR (SERVICE, binding ID)…` of a delete.
fn parse_delete(text: &str) -> Option<Step> {
    let (cidr, rest) = text.split_once(" (")?;
    let (_, rest) = rest.split_once(", binding ")?;
    let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    Some(Step::Delete {
        cidr: cidr.parse().ok()?,
        binding: id,
    })
}

/// A planned step as the summary lists it: `create CIDR (SERVICE)…` or
/// `delete CIDR (SERVICE, binding ID)…`, maybe followed by ` (failed)`.
fn parse_planned(text: &str) -> Result<Step, String> {
    let unreadable = || format!("unreadable step in the summary: {text:?}");
    if let Some(rest) = text.strip_prefix("create ") {
        let (cidr, rest) = rest.split_once(" (").ok_or_else(unreadable)?;
        let (service, _) = rest.split_once(')').ok_or_else(unreadable)?;
        return Ok(Step::Create {
            cidr: net(cidr)?,
            service: service.to_owned(),
            binding: None,
        });
    }
    if let Some(rest) = text.strip_prefix("delete ") {
        return parse_delete(rest).ok_or_else(unreadable);
    }
    Err(unreadable())
}

fn parse_json(stdout: &str) -> Result<Reported, String> {
    let value: Value = serde_json::from_str(stdout)
        .map_err(|e| format!("apply exited 0 without its JSON summary ({e}): {stdout:?}"))?;
    let applied = value["applied"]
        .as_array()
        .ok_or_else(|| format!("no `applied` list in {value}"))?;
    let mut done = Vec::new();
    for entry in applied {
        let step = &entry["step"];
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let cidr = net(step["cidr"].as_str().unwrap_or_default())?;
        done.push(match step["op"].as_str() {
            Some("create") => Step::Create {
                cidr,
                service: text(&step["service"]["name"]).unwrap_or_default(),
                binding: text(&entry["binding"]),
            },
            Some("delete") => Step::Delete {
                cidr,
                binding: text(&step["binding"]).unwrap_or_default(),
            },
            _ => return Err(format!("unknown step in the JSON summary: {entry}")),
        });
    }
    Ok(Reported { done, failed: None })
}

/// A modelled binding: its prefix, CIDR, service and id when known.
type Modelled = (usize, IpNet, String, Option<String>);

fn model(live: &[LiveBinding]) -> Vec<Modelled> {
    live.iter()
        .map(|b| (b.prefix, b.cidr, b.service.clone(), Some(b.id.clone())))
        .collect()
}

/// `state` after `step`, or why the step cannot have been done from it.
fn replay(state: &mut Vec<Modelled>, step: &Step) -> Result<(), String> {
    match step {
        Step::Create {
            cidr,
            service,
            binding,
        } => {
            let prefix =
                prefix_of(cidr).ok_or_else(|| format!("created {cidr}: in no demo prefix"))?;
            state.push((prefix, *cidr, service.clone(), binding.clone()));
        }
        Step::Delete { cidr, binding } => {
            let at = state
                .iter()
                .position(|b| b.3.as_deref() == Some(binding.as_str()))
                .ok_or_else(|| {
                    format!("deleted {cidr} (binding {binding}), which was not there")
                })?;
            state.remove(at);
        }
    }
    Ok(())
}

/// Whether `after` is the modelled `state`: the same bindings, and every id the
/// model knows still there.
fn matches(state: &[Modelled], after: &[LiveBinding]) -> bool {
    let count = |items: &mut dyn Iterator<Item = (usize, IpNet, String)>| {
        let mut map: BTreeMap<(usize, IpNet, String), usize> = BTreeMap::new();
        for item in items {
            *map.entry(item).or_default() += 1;
        }
        map
    };
    let modelled = count(&mut state.iter().map(|b| (b.0, b.1, b.2.clone())));
    let live = count(&mut after.iter().map(|b| (b.prefix, b.cidr, b.service.clone())));
    modelled == live
        && state.iter().all(|b| {
            b.3.as_ref()
                .is_none_or(|id| after.iter().any(|l| &l.id == id && l.cidr == b.1))
        })
}

/// The differences between the modelled state and the live one, for a message.
fn differences(state: &[Modelled], after: &[LiveBinding]) -> String {
    let modelled: Vec<String> = state
        .iter()
        .filter(|b| !after.iter().any(|l| l.cidr == b.1 && l.service == b.2))
        .map(|b| format!("-{} {}", b.1, b.2))
        .collect();
    let live: Vec<String> = after
        .iter()
        .filter(|l| !state.iter().any(|b| l.cidr == b.1 && l.service == b.2))
        .map(|l| format!("+{} {}", l.cidr, l.service))
        .collect();
    [modelled, live].concat().join(", ")
}

/// What in the report of a run that exited with `exit` the server's state
/// contradicts: the bindings `before` the run, with the steps reported done (and,
/// with exit code 5, maybe the step whose outcome is unknown), must be the bindings
/// `after` it; a run that exited 0 must leave them as `wanted`.
pub fn contradictions(
    exit: Option<i32>,
    reported: &Reported,
    before: &[LiveBinding],
    after: &[LiveBinding],
    wanted: &Bindings,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut state = model(before);
    for step in &reported.done {
        if let Err(why) = replay(&mut state, step) {
            found.push(format!("reported {why}"));
        }
    }
    if !matches(&state, after) {
        let unknown_was_done = exit == Some(5)
            && reported.failed.as_ref().is_some_and(|step| {
                let mut with = state.clone();
                replay(&mut with, step).is_ok() && matches(&with, after)
            });
        if !unknown_was_done {
            let stop = match (&reported.failed, exit) {
                (Some(step), Some(5)) => format!(", {step:?} unknown"),
                (Some(step), _) => format!(", {step:?} failed"),
                (None, Some(5)) => ", exit 5 without saying which step is unknown".to_owned(),
                (None, _) => String::new(),
            };
            found.push(format!(
                "the live bindings are not what was reported ({} done{stop}): {}",
                reported.done.len(),
                differences(&state, after)
            ));
        }
    }
    if exit == Some(0) && without_ids(after) != *wanted {
        found.push("apply succeeded but the live bindings differ from the file".to_owned());
    }
    found
}

/// Pairs of live bindings with the same CIDR in one prefix.
pub fn duplicates(live: &[LiveBinding]) -> Vec<String> {
    let mut seen: BTreeMap<(usize, IpNet), usize> = BTreeMap::new();
    for b in live {
        *seen.entry((b.prefix, b.cidr)).or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((prefix, cidr), n)| {
            format!("{cidr} bound {n} times in prefix {}", PREFIXES[prefix].id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(prefix: usize, cidr: &str, service: &str, id: &str) -> LiveBinding {
        LiveBinding {
            prefix,
            cidr: cidr.parse().unwrap_or_default(),
            service: service.to_owned(),
            id: id.to_owned(),
        }
    }

    const STOPPED: &str = "[1/3] created 203.0.113.7/32 → CDN (binding aa11)\n\
        [2/3] deleted 203.0.113.16/29 (Spectrum, binding bb22)\n\
        apply stopped after 2 of 3 steps; not done:\n  create 2001:db8:1000::/48 (Magic Transit) (failed)\n\
        run apply again to finish: it reads the live bindings and plans what is left\n\
        error: create 2001:db8:1000::/48 (Magic Transit) in prefix 6b3f: outcome unknown\n";

    #[test]
    fn reads_progress_and_the_failed_step() {
        let reported = parse(Some(5), "", STOPPED).unwrap_or_default();
        assert_eq!(
            reported.done,
            [
                Step::Create {
                    cidr: "203.0.113.7/32".parse().unwrap_or_default(),
                    service: "CDN".to_owned(),
                    binding: Some("aa11".to_owned())
                },
                Step::Delete {
                    cidr: "203.0.113.16/29".parse().unwrap_or_default(),
                    binding: "bb22".to_owned()
                },
            ]
        );
        assert_eq!(
            reported.failed,
            Some(Step::Create {
                cidr: "2001:db8:1000::/48".parse().unwrap_or_default(),
                service: "Magic Transit".to_owned(),
                binding: None
            })
        );
    }

    #[test]
    fn reads_the_json_summary() {
        let json = r#"{"applied": [
            {"prefix": "p", "step": {"op": "delete", "binding": "bb22", "cidr": "203.0.113.16/29", "service": {"id": "s", "name": "Spectrum"}}, "binding": null},
            {"prefix": "p", "step": {"op": "create", "cidr": "203.0.113.16/29", "service": {"id": "c", "name": "CDN"}}, "binding": "cc33"}
        ]}"#;
        let reported = parse(Some(0), json, "").unwrap_or_default();
        assert_eq!(reported.done.len(), 2);
        assert!(
            matches!(&reported.done[1], Step::Create { binding: Some(id), .. } if id == "cc33")
        );
    }

    #[test]
    fn judges_the_report_against_the_state() {
        let base = live(0, "203.0.113.0/24", "Magic Transit", "base");
        let before = vec![base.clone(), live(0, "203.0.113.16/29", "Spectrum", "bb22")];
        let reported = parse(Some(5), "", STOPPED).unwrap_or_default();
        let wanted = Bindings::default();
        let truthful = vec![base.clone(), live(0, "203.0.113.7/32", "CDN", "aa11")];
        assert!(contradictions(Some(5), &reported, &before, &truthful, &wanted).is_empty());
        // With exit 5 the unknown step may have been done.
        let mut with_unknown = truthful.clone();
        with_unknown.push(live(1, "2001:db8:1000::/48", "Magic Transit", "dd44"));
        assert!(contradictions(Some(5), &reported, &before, &with_unknown, &wanted).is_empty());
        // Not with exit 4: it was reported failed.
        assert_eq!(
            contradictions(Some(4), &reported, &before, &with_unknown, &wanted).len(),
            1
        );
        // A step reported done that did not happen.
        let undone = vec![
            base.clone(),
            live(0, "203.0.113.7/32", "CDN", "aa11"),
            live(0, "203.0.113.16/29", "Spectrum", "bb22"),
        ];
        let found = contradictions(Some(5), &reported, &before, &undone, &wanted);
        assert!(found[0].contains("+203.0.113.16/29 Spectrum"), "{found:?}");
        // Success with the file not matched.
        let ok = Reported::default();
        assert_eq!(
            contradictions(Some(0), &ok, &before, &before, &wanted).len(),
            1
        );
        assert!(contradictions(Some(0), &ok, &before, &before, &without_ids(&before)).is_empty());
    }

    #[test]
    fn finds_duplicates() {
        let twice = [
            live(0, "203.0.113.7/32", "CDN", "a"),
            live(0, "203.0.113.7/32", "CDN", "b"),
        ];
        assert_eq!(duplicates(&twice).len(), 1);
        assert!(duplicates(&twice[..1]).is_empty());
    }
}
