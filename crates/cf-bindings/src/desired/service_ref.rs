//! [`ServiceRef`]: a service as plans and transitions name it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::types::{Service, ServiceId};

/// A service, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceRef {
    /// The service's id.
    pub id: ServiceId,
    /// The service's name (its id when it has none).
    pub name: String,
}

impl From<&Service> for ServiceRef {
    fn from(service: &Service) -> Self {
        Self {
            id: service.id.clone(),
            name: service.name.clone(),
        }
    }
}

impl fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.name.is_empty() {
            self.id.as_str()
        } else {
            &self.name
        })
    }
}
