//! The retry rules in one table: what the client does after each kind of failure
//! of each kind of operation ([`next`]), as documented on
//! [`RetryPolicy`](crate::RetryPolicy). The loops that apply it are in
//! `client/retry.rs`.

use crate::{error::Error, text::human, types::operation::Operation};

/// The operations, as the retry rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// List bindings, get a binding, list services: idempotent.
    Read,
    /// Create a binding: not idempotent.
    Create,
    /// Delete a binding: idempotent, but a repeat answers 404.
    Delete,
}

impl Kind {
    /// The kind of `operation`.
    pub(crate) fn of(operation: Operation) -> Kind {
        match operation {
            Operation::ListBindings
            | Operation::GetBinding
            | Operation::ListServices
            | Operation::ListPrefixes
            | Operation::GetPrefix => Kind::Read,
            Operation::CreateBinding => Kind::Create,
            Operation::DeleteBinding => Kind::Delete,
        }
    }
}

/// How an attempt failed, as the retry rules tell failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The connection could not be made: the request never left.
    NotSent,
    /// HTTP 429: refused before being processed.
    RateLimited,
    /// No complete answer: a timeout, or the connection lost after the request was
    /// sent (a body cut short included).
    NoAnswer,
    /// HTTP 408 or 5xx.
    ServerError,
    /// A 2xx (or no status) whose body is not Cloudflare's envelope: truncated,
    /// malformed, empty.
    Unreadable,
    /// A 2xx envelope with `success: false`.
    Unsuccessful,
    /// A 2xx envelope whose `result` does not fit.
    Misfit,
    /// A body larger than the cap, with a 2xx, 408 or 5xx status or none.
    TooLarge,
    /// HTTP 404.
    NotFound,
    /// Any other status: a 4xx client mistake or rule, or a 1xx or 3xx.
    Refused,
    /// Not an answer to the request: invalid input, configuration, an error of the
    /// HTTP client.
    Local,
}

impl FailureKind {
    /// How `error` failed.
    pub(crate) fn of(error: &Error) -> FailureKind {
        let answered = match error {
            Error::Connect { .. } => return FailureKind::NotSent,
            Error::Transport { .. } | Error::Timeout { .. } => return FailureKind::NoAnswer,
            Error::Api(_) => FailureKind::Unsuccessful,
            Error::UnexpectedBody(_) => FailureKind::Unreadable,
            Error::Decode(_) => FailureKind::Misfit,
            Error::BodyTooLarge { .. } => FailureKind::TooLarge,
            // A 3xx: the server did not act, and following it is what is refused.
            Error::Redirected { .. } => return FailureKind::Refused,
            _ => return FailureKind::Local,
        };
        match error.status() {
            Some(429) => FailureKind::RateLimited,
            Some(404) => FailureKind::NotFound,
            Some(408 | 500..=599) if answered != FailureKind::TooLarge => FailureKind::ServerError,
            // No status (0: the head was not kept) counts as a success status: the
            // body is what could not be read.
            None | Some(0 | 200..=299 | 408 | 500..=599) => answered,
            Some(_) => FailureKind::Refused,
        }
    }

    /// The failure in a few words, for a [`WaitReason::Retry`].
    pub(crate) fn describe(self, error: &Error) -> String {
        let status = error
            .status()
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        match (self, error) {
            (FailureKind::NotSent, _) => "could not connect".to_owned(),
            (FailureKind::RateLimited, _) => format!("rate limited by Cloudflare{status}"),
            (FailureKind::NoAnswer, Error::Timeout { after, .. }) => {
                format!("no answer within {}", human(*after))
            }
            (FailureKind::NoAnswer, _) => format!("connection lost{status}"),
            (FailureKind::ServerError, _) => format!("server error{status}"),
            (FailureKind::Unreadable, _) => format!("an answer that could not be read{status}"),
            (FailureKind::Unsuccessful, _) => {
                format!("Cloudflare reported a failure{status}")
            }
            _ => error.to_string(),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send the request again after the delay, if attempts are left.
    Retry,
    /// The request may have taken effect: check by listing, and send it again
    /// only if it did not.
    Reconcile,
    /// Return the error.
    Fail,
}

/// The rules of [`RetryPolicy`], in one table: what to do after an attempt of a
/// `kind` of operation failed with `failure`; `reconciled` is whether an earlier
/// attempt of the same call had to be reconciled.
pub(crate) fn next(kind: Kind, failure: FailureKind, reconciled: bool) -> Next {
    use FailureKind as F;
    match (kind, failure) {
        // Surely not processed: safe to send again, whatever the operation.
        (_, F::NotSent | F::RateLimited) => Next::Retry,
        // A read is idempotent: anything that may pass is tried again.
        (Kind::Read, F::NoAnswer | F::ServerError | F::Unreadable | F::Unsuccessful) => Next::Retry,
        // ... but a body that does not fit or is too large would come back the same.
        (Kind::Read, F::Misfit | F::TooLarge) => Next::Fail,
        // A change that may have been made is checked before it is sent again.
        (
            Kind::Create | Kind::Delete,
            F::NoAnswer
            | F::ServerError
            | F::Unreadable
            | F::Unsuccessful
            | F::Misfit
            | F::TooLarge,
        ) => Next::Reconcile,
        // A delete sent again after it was reconciled: gone, perhaps by our own
        // earlier attempt; the listing tells.
        (Kind::Delete, F::NotFound) if reconciled => Next::Reconcile,
        (_, F::NotFound | F::Refused | F::Local) => Next::Fail,
    }
}

impl Error {
    /// Whether the client retries this failure of a read (list, get, list
    /// services): connection failures, timeouts, HTTP 408, 429 and 5xx, and a 2xx
    /// answer whose body cannot be read or that says `success: false`. A create or
    /// a delete follows stricter rules: see the table of
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        next(Kind::Read, FailureKind::of(self), false) == Next::Retry
    }
}
