//! [`Operation`]: which API call a result or an error belongs to.

use std::fmt;

/// The API operation an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// List the service bindings of a prefix.
    ListBindings,
    /// Get one service binding.
    GetBinding,
    /// Create a service binding.
    CreateBinding,
    /// Delete a service binding.
    DeleteBinding,
    /// List the services of an account.
    ListServices,
    /// List the prefixes of an account.
    ListPrefixes,
    /// Get one prefix's details.
    GetPrefix,
}

impl Operation {
    /// The operation in words, as used in error messages.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ListBindings => "list service bindings",
            Self::GetBinding => "get service binding",
            Self::CreateBinding => "create service binding",
            Self::DeleteBinding => "delete service binding",
            Self::ListServices => "list services",
            Self::ListPrefixes => "list prefixes",
            Self::GetPrefix => "get prefix details",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
