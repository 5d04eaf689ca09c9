//! [`InvalidInput`]: a value refused before any request was sent.

/// A value given to the client was refused before any request was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value:?}: {reason}")]
pub struct InvalidInput {
    kind: &'static str,
    value: String,
    reason: String,
}

/// The longest part of a refused value kept in an [`InvalidInput`].
const MAX_VALUE_CHARS: usize = 64;

impl InvalidInput {
    /// A refusal of `value`, a `kind` ("prefix id", "CIDR"), because of `reason`.
    pub fn new(kind: &'static str, value: impl AsRef<str>, reason: impl Into<String>) -> Self {
        let value = value.as_ref();
        let mut kept: String = value.chars().take(MAX_VALUE_CHARS).collect();
        if kept.len() < value.len() {
            kept.push('…');
        }
        Self {
            kind,
            value: kept,
            reason: reason.into(),
        }
    }

    /// What was refused ("account id", "CIDR", ...).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The refused value (cut after 64 characters).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why it was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl From<std::convert::Infallible> for InvalidInput {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}
