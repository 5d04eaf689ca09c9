//! What `apply` says when Cloudflare refused one of its steps: which entry of the
//! file the step makes, and that running apply again would meet the same refusal.
//! A network or server failure, a rate limit or a binding gone since the plan was
//! made is not a refusal: running apply again helps there, and says so.

use cf_bindings::{
    Error, PrefixId,
    desired::{Change, ChangeKind, Plan, Step},
};

/// How to report a step that Cloudflare refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What to do instead of running apply again.
    pub advice: String,
    /// Where the file lists the entry the step makes (`bindings.toml:4:12`), when
    /// it does, to start the error line.
    pub place: Option<String>,
}

/// The refusal of `step` of `prefix`, when `error` is one that running apply again
/// would meet again ([`Error::is_rejected`], but not a 404: a binding gone since the
/// plan was made is planned away by the next run); `None` otherwise.
pub fn refusal(plan: &Plan, prefix: &PrefixId, step: &Step, error: &Error) -> Option<Refusal> {
    if !error.is_rejected() || error.is_not_found() {
        return None;
    }
    if error.is_auth() {
        return Some(Refusal {
            advice: "Cloudflare refused the credentials: running apply again with them would \
                     be refused the same way"
                .to_owned(),
            place: None,
        });
    }
    let change = plan
        .prefixes
        .iter()
        .find(|p| &p.prefix == prefix)
        .and_then(|p| p.changes.iter().find(|c| c.cidr == *step.cidr()));
    let place = change
        .and_then(|c| c.location.as_ref())
        .map(ToString::to_string);
    Some(Refusal {
        advice: format!(
            "Cloudflare refused this step under its rules (its message follows): running apply \
             again would make the same request and be refused the same way; change {} or the \
             live bindings it conflicts with, then plan again",
            entry(change, step, place.as_deref())
        ),
        place,
    })
}

/// `the entry bindings.toml:4:12 (2001:db8:2000::/64 → Magic Transit)`, or the live
/// binding a prune deletes.
fn entry(change: Option<&Change>, step: &Step, place: Option<&str>) -> String {
    let cidr = step.cidr();
    let after = change.and_then(|c| c.after.as_ref());
    match (change.map(|c| c.kind), place, after) {
        (Some(ChangeKind::Delete), _, _) => {
            format!("the file (it does not list {cidr}, so prune deletes it)")
        }
        (_, Some(place), Some(after)) => format!("the entry {place} ({cidr} → {after})"),
        (_, None, Some(after)) => format!("the file's entry {cidr} → {after}"),
        _ => format!("the file's entry for {cidr} ({step})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(json: serde_json::Value) -> Change {
        serde_json::from_value(json).expect("a change")
    }

    #[test]
    fn the_entry_is_named_by_its_place_when_the_file_gives_it() {
        let mt = serde_json::json!({ "id": "2db684ee7ca04e159946fd05b99e1bcd", "name": "Magic Transit" });
        let create: Step = serde_json::from_value(serde_json::json!({
            "op": "create", "cidr": "2001:db8:2000::/64", "service": mt
        }))
        .expect("a step");
        let listed = change(serde_json::json!({
            "kind": "create", "cidr": "2001:db8:2000::/64", "before": null, "after": mt,
            "fallback": null, "location": { "file": "b.toml", "line": 4, "column": 12 }
        }));
        assert_eq!(
            entry(Some(&listed), &create, Some("b.toml:4:12")),
            "the entry b.toml:4:12 (2001:db8:2000::/64 → Magic Transit)"
        );
        // A plan saved before locations were recorded.
        assert_eq!(
            entry(Some(&listed), &create, None),
            "the file's entry 2001:db8:2000::/64 → Magic Transit"
        );
        let pruned = change(serde_json::json!({
            "kind": "delete", "cidr": "2001:db8:2000::/64", "before": mt, "after": null,
            "fallback": null
        }));
        assert_eq!(
            entry(Some(&pruned), &create, None),
            "the file (it does not list 2001:db8:2000::/64, so prune deletes it)"
        );
        assert_eq!(
            entry(None, &create, None),
            "the file's entry for 2001:db8:2000::/64 (create 2001:db8:2000::/64 (Magic Transit))"
        );
    }
}
