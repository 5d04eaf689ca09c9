//! [`ServiceBinding`] and [`Service`], converted from the generated wire types.

use cf_bindings_generated::types;
use serde::{Deserialize, Serialize};

use crate::{
    text::capped,
    types::cidr::Cidr,
    types::ids::{BindingId, ServiceId},
    types::state::ProvisioningState,
};

/// The longest service name or provisioning state kept from the server; the ones
/// Cloudflare sends are under 20 characters.
const MAX_NAME_CHARS: usize = 100;

/// A service binding: a CIDR of a prefix routed to a Cloudflare service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceBinding {
    /// The binding's id.
    pub id: BindingId,
    /// The CIDR it binds (the whole prefix, or a more-specific part of it).
    pub cidr: Cidr,
    /// The id of the service traffic goes to.
    pub service_id: ServiceId,
    /// The name of that service ("Magic Transit", "CDN", "Spectrum"); empty when the
    /// server sent none. As received from a client, cut after 100 characters and
    /// with the client's own credentials masked.
    pub service_name: String,
    /// Where the binding is in its deployment.
    pub state: ProvisioningState,
}

impl ServiceBinding {
    /// A binding built from its parts (for tests, and for [`RoutingTable`](crate::RoutingTable)s
    /// of planned bindings).
    pub fn new(
        id: BindingId,
        cidr: Cidr,
        service_id: ServiceId,
        service_name: impl Into<String>,
        state: ProvisioningState,
    ) -> Self {
        Self {
            id,
            cidr,
            service_id,
            service_name: service_name.into(),
            state,
        }
    }
}

/// A service on Cloudflare's network that a CIDR can be bound to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Service {
    /// The service's id, used when creating a binding.
    pub id: ServiceId,
    /// The service's name ("Magic Transit", "CDN", "Spectrum"). As received from a
    /// client, cut after 100 characters and with the client's own credentials
    /// masked.
    pub name: String,
}

impl Service {
    /// A service built from its parts.
    pub fn new(id: ServiceId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
        }
    }

    /// A service name as it is matched, everywhere in this crate: without
    /// surrounding blanks, in any ASCII case ("cdn" finds "CDN").
    pub(crate) fn name_key(name: &str) -> String {
        name.trim().to_ascii_lowercase()
    }
}

impl From<&Service> for ServiceId {
    fn from(service: &Service) -> ServiceId {
        service.id.clone()
    }
}

/// A server value that does not fit: the field's path and what is wrong with it.
pub(crate) type FieldError = (String, String);

/// Where a value sits in the envelope: the `result` itself, or an item of it. The
/// path is spelled out only for an error, so a large list decodes without building
/// a string per item.
#[derive(Clone, Copy)]
pub(crate) enum At {
    Result,
    Item(usize),
}

impl At {
    pub(crate) fn field(self, name: &str) -> String {
        match self {
            At::Result => format!("result.{name}"),
            At::Item(i) => format!("result[{i}].{name}"),
        }
    }

    pub(crate) fn required<T>(self, value: Option<T>, name: &str) -> Result<T, FieldError> {
        value.ok_or_else(|| (self.field(name), "is missing".to_owned()))
    }
}

// Every conversion below destructures the generated type with no `..`: when the spec
// gains or loses a field, the build fails here, at the one place that must decide
// whether users see it. Expose it in the wrapper's type, or bind it as `name: _`
// with a comment saying why it is left out (CONTRIBUTING.md: "How a spec change flows").

fn binding_from_wire(
    wire: types::AddressingServiceBinding,
    at: At,
) -> Result<ServiceBinding, FieldError> {
    let types::AddressingServiceBinding {
        cidr,
        id,
        provisioning,
        service_id,
        service_name,
    } = wire;
    let id = String::from(at.required(id, "id")?);
    let id = BindingId::new(id).map_err(|e| (at.field("id"), e.reason().to_owned()))?;
    let cidr = at.required(cidr, "cidr")?;
    let cidr: Cidr = cidr.parse().map_err(|e: crate::types::InvalidInput| {
        (
            at.field("cidr"),
            // The value as `InvalidInput` keeps it: cut after 64 characters.
            format!("{:?}: {}", e.value(), e.reason()),
        )
    })?;
    let service_id = String::from(at.required(service_id, "service_id")?);
    let service_id =
        ServiceId::new(service_id).map_err(|e| (at.field("service_id"), e.reason().to_owned()))?;
    let service_name = capped(
        service_name.map(|n| n.0).unwrap_or_default(),
        MAX_NAME_CHARS,
    );
    let state = provisioning
        .and_then(state_from_wire)
        .unwrap_or_else(|| ProvisioningState::Unknown(String::new()));
    Ok(ServiceBinding {
        id,
        cidr,
        service_id,
        service_name,
        state,
    })
}

fn state_from_wire(wire: types::AddressingProvisioning) -> Option<ProvisioningState> {
    let types::AddressingProvisioning { state } = wire;
    state.map(|s| ProvisioningState::from(capped(s, MAX_NAME_CHARS).as_str()))
}

pub(crate) fn bindings_from_wire(
    wire: Vec<types::AddressingServiceBinding>,
) -> Result<Vec<ServiceBinding>, FieldError> {
    wire.into_iter()
        .enumerate()
        .map(|(i, b)| binding_from_wire(b, At::Item(i)))
        .collect()
}

pub(crate) fn one_binding_from_wire(
    wire: Option<types::AddressingServiceBinding>,
) -> Result<ServiceBinding, FieldError> {
    let wire = wire.ok_or_else(|| ("result".to_owned(), "is missing".to_owned()))?;
    binding_from_wire(wire, At::Result)
}

pub(crate) fn services_from_wire(
    wire: Vec<types::AddressingService>,
) -> Result<Vec<Service>, FieldError> {
    wire.into_iter()
        .enumerate()
        .map(|(i, wire)| {
            let at = At::Item(i);
            let types::AddressingService { id, name } = wire;
            let id = String::from(at.required(id, "id")?);
            let id = ServiceId::new(id).map_err(|e| (at.field("id"), e.reason().to_owned()))?;
            let name = capped(at.required(name, "name")?.0, MAX_NAME_CHARS);
            Ok(Service { id, name })
        })
        .collect()
}
