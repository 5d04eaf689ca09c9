//! The API's values, validated on the way in: the ids, [`Cidr`], the provisioning
//! states, bindings, services and prefixes, the [`Operation`]s, and the routing
//! table over a prefix's bindings. Pure: no I/O, nothing of the client.

pub(crate) mod binding;
pub(crate) mod cidr;
pub(crate) mod ids;
pub(crate) mod invalid;
pub(crate) mod operation;
pub(crate) mod prefix;
pub(crate) mod routing;
pub(crate) mod state;

pub use binding::{Service, ServiceBinding};
pub use cidr::Cidr;
pub use ids::{AccountId, BindingId, MAX_ID_LEN, PrefixId, ServiceId};
pub use invalid::InvalidInput;
pub use operation::Operation;
pub use prefix::{ApprovalState, IpPrefix};
pub use routing::RoutingTable;
pub use state::ProvisioningState;
