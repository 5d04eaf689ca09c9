//! A plan's change counts, the one line both outputs of `plan` show.

use cf_bindings::desired::{ChangeKind, Plan};

/// `Plan: 2 to create, 1 to replace, 0 to delete` (a recreate counts as a replace).
pub fn counts(plan: &Plan) -> String {
    let count = |kinds: &[ChangeKind]| {
        plan.changes()
            .filter(|(_, c)| kinds.contains(&c.kind))
            .count()
    };
    format!(
        "Plan: {} to create, {} to replace, {} to delete",
        count(&[ChangeKind::Create]),
        count(&[ChangeKind::Replace, ChangeKind::Recreate]),
        count(&[ChangeKind::Delete]),
    )
}
