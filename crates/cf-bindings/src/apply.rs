//! [`apply`]: make the API calls of a [`Plan`], in order, stopping at the first
//! failure.
//!
//! Each step goes through [`Bindings::create`](crate::Bindings::create) and
//! [`Bindings::delete`](crate::Bindings::delete), so a retried step never makes a
//! duplicate binding, and the client's rate limit and retry policy apply. A run
//! that stops part-way leaves the live state valid (the plan's order guarantees
//! it): planning again from the new live state and applying finishes the job.

use std::fmt;

use crate::{
    desired::{Plan, Step},
    error::Error,
    handles::Account,
    ids::PrefixId,
    model::ServiceBinding,
    retry::RetryPolicy,
};

/// The five minutes for which Cloudflare refuses every call once its global rate
/// limit (1,200 requests per 5 minutes) is reached.
const RATE_LIMIT_BLOCK: std::time::Duration = std::time::Duration::from_secs(300);

/// A retry policy for a long run of changes, such as [`apply`]: like the default,
/// but with four attempts instead of three, a `Retry-After` honoured up to
/// Cloudflare's five-minute block (the default gives up after 60 s), and an overall
/// deadline of ten minutes per call.
pub fn patient_retry_policy() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(4)
        .with_max_retry_after(RATE_LIMIT_BLOCK)
        .with_deadline(Some(2 * RATE_LIMIT_BLOCK))
}

/// One step that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// The prefix of the step.
    pub prefix: PrefixId,
    /// The step.
    pub step: Step,
    /// For a create, the binding made (or found, when a retried create had in fact
    /// succeeded); `None` for a delete.
    pub created: Option<ServiceBinding>,
}

/// Why [`apply`] stopped: the steps made, the one that failed and its error, and
/// those not tried.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApplyError {
    /// The steps made before the failure, in order.
    pub done: Vec<Applied>,
    /// The step that failed, with its prefix.
    pub failed: (PrefixId, Step),
    /// Its error. When [`Error::is_outcome_unknown`], the step may have been made.
    pub error: Error,
    /// The steps after it, not tried.
    pub not_done: Vec<(PrefixId, Step)>,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, step) = &self.failed;
        write!(
            f,
            "{step} in prefix {prefix} failed after {} step(s), {} not tried: {}",
            self.done.len(),
            self.not_done.len(),
            self.error
        )
    }
}

impl std::error::Error for ApplyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Makes every step of `plan` on `account`, in order, calling `on_step` after each
/// one made. It does not check that the plan is fresh: list the live bindings and
/// the services, and refuse a plan that [`Plan::verify`] refuses, first (a plan read
/// back from a file may have been edited).
///
/// # Errors
/// [`ApplyError`] at the first step that fails, saying what was done and what was
/// not.
pub async fn apply(
    account: &Account,
    plan: &Plan,
    mut on_step: impl FnMut(&Applied),
) -> Result<Vec<Applied>, ApplyError> {
    let mut done = Vec::new();
    let mut steps = plan.steps();
    while let Some((prefix, step)) = steps.next() {
        let bindings = account.prefix(prefix.clone()).bindings();
        let outcome = match step {
            Step::Create { cidr, service } => bindings
                .create(*cidr, service.id.clone())
                .await
                .map(|created| Some(created.into_inner())),
            Step::Delete { binding, .. } => bindings.delete(binding.clone()).await.map(|_| None),
        };
        match outcome {
            Ok(created) => {
                let applied = Applied {
                    prefix: prefix.clone(),
                    step: step.clone(),
                    created,
                };
                on_step(&applied);
                done.push(applied);
            }
            Err(error) => {
                return Err(ApplyError {
                    done,
                    failed: (prefix.clone(), step.clone()),
                    error,
                    not_done: steps.map(|(p, s)| (p.clone(), s.clone())).collect(),
                });
            }
        }
    }
    Ok(done)
}
