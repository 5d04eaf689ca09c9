//! [`apply`]: make the API calls of a [`Plan`], in order, stopping at the first
//! failure; [`apply_until_stopped`] also stops between two steps when its caller
//! asks ([`StopFlag`]).
//!
//! Each step goes through [`Bindings::create`](crate::Bindings::create) and
//! [`Bindings::delete`](crate::Bindings::delete), so a retried step never makes a
//! duplicate binding, and the client's rate limit and retry policy apply. A run
//! that stops part-way leaves the live state valid (the plan's order guarantees
//! it): planning again from the new live state and applying finishes the job.

use std::fmt;
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use crate::{
    Account, Error,
    desired::{Plan, Step},
    types::{PrefixId, ServiceBinding},
};

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

/// Why [`apply`] or [`apply_until_stopped`] stopped before the end of the plan:
/// the steps made, the reason, and the steps not tried.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApplyError {
    /// The steps made, in order.
    pub done: Vec<Applied>,
    /// Why it stopped: a step failed, or the caller asked it to stop.
    pub reason: StopReason,
    /// The steps not tried, in order (the failed step is not among them).
    pub not_done: Vec<(PrefixId, Step)>,
}

/// Why a run of [`apply_until_stopped`] stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum StopReason {
    /// A step failed. When its error [`is_outcome_unknown`](Error::is_outcome_unknown),
    /// the step may have been made.
    Failed {
        /// The prefix of the step.
        prefix: PrefixId,
        /// The step.
        step: Step,
        /// Its error.
        error: Error,
    },
    /// The caller's [`StopFlag`] was raised: the step in flight, if any, was made
    /// (it is the last of [`ApplyError::done`]) and no other was started.
    Requested,
}

impl ApplyError {
    /// The step that failed, with its prefix; `None` when the run stopped on request.
    pub fn failed(&self) -> Option<(&PrefixId, &Step)> {
        match &self.reason {
            StopReason::Failed { prefix, step, .. } => Some((prefix, step)),
            StopReason::Requested => None,
        }
    }

    /// The error of the step that failed; `None` when the run stopped on request.
    pub fn error(&self) -> Option<&Error> {
        match &self.reason {
            StopReason::Failed { error, .. } => Some(error),
            StopReason::Requested => None,
        }
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            StopReason::Failed {
                prefix,
                step,
                error,
            } => write!(
                f,
                "{step} in prefix {prefix} failed after {} step(s), {} not tried: {error}",
                self.done.len(),
                self.not_done.len(),
            ),
            StopReason::Requested => write!(
                f,
                "stopped on request after {} step(s), {} not tried",
                self.done.len(),
                self.not_done.len()
            ),
        }
    }
}

impl std::error::Error for ApplyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error().map(|e| e as _)
    }
}

/// A request to stop [`apply_until_stopped`] between two steps, shared between the
/// run and whoever may ask it to stop (a signal handler, a timer, another task).
///
/// Once raised, the run starts no other step. A step already in flight is not
/// cut: it ends as it would have (its own time limit and retry policy apply, and an
/// answer that cannot be read is checked by listing), so the run knows whether it
/// was made. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct StopFlag {
    raised: Arc<AtomicBool>,
}

impl StopFlag {
    /// A flag not raised yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop before its next step. Raising it again does nothing.
    pub fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
    }

    /// Whether the flag was raised.
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }
}

/// Makes every step of `plan` on `account`, in order, calling `on_step` after each
/// one made. It does not check that the plan is fresh: list the live bindings and
/// the services, and refuse a plan that [`Plan::verify`] refuses, first (a plan read
/// back from a file may have been edited).
///
/// # Errors
/// [`ApplyError`] at the first step that fails ([`StopReason::Failed`]), saying what
/// was done and what was not.
pub async fn apply(
    account: &Account,
    plan: &Plan,
    on_step: impl FnMut(&Applied),
) -> Result<Vec<Applied>, ApplyError> {
    apply_until_stopped(account, plan, &StopFlag::new(), on_step).await
}

/// [`apply`], which also stops before any step once `stop` is raised: the step in
/// flight when it is raised ends as it would have, and no other starts.
///
/// # Errors
/// [`ApplyError`] at the first step that fails ([`StopReason::Failed`]), or before
/// the first step not started once `stop` is raised ([`StopReason::Requested`]),
/// saying what was done and what was not. A run whose last step was in flight when
/// `stop` was raised returns `Ok`: everything was done.
pub async fn apply_until_stopped(
    account: &Account,
    plan: &Plan,
    stop: &StopFlag,
    mut on_step: impl FnMut(&Applied),
) -> Result<Vec<Applied>, ApplyError> {
    let mut done = Vec::new();
    let mut steps = plan.steps();
    while let Some((prefix, step)) = steps.next() {
        if stop.is_raised() {
            return Err(ApplyError {
                done,
                reason: StopReason::Requested,
                not_done: owned(std::iter::once((prefix, step)).chain(steps)),
            });
        }
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
                    reason: StopReason::Failed {
                        prefix: prefix.clone(),
                        step: step.clone(),
                        error,
                    },
                    not_done: owned(steps),
                });
            }
        }
    }
    Ok(done)
}

fn owned<'a>(steps: impl Iterator<Item = (&'a PrefixId, &'a Step)>) -> Vec<(PrefixId, Step)> {
    steps.map(|(p, s)| (p.clone(), s.clone())).collect()
}
