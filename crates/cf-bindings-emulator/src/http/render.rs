//! The domain's model as the API's JSON.

use serde_json::{Value, json};

use crate::domain::{Binding, Provisioning, Service, State};

/// Now, and how long bindings take to become active: what a binding's state
/// depends on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) now_ms: u64,
    pub(crate) delay_ms: u64,
}

/// A binding, with its service's name and its provisioning state at `clock`.
pub(crate) fn binding(state: &State, binding: &Binding, clock: Clock) -> Value {
    let provisioning = match binding.state_at(clock.now_ms, clock.delay_ms) {
        Provisioning::Provisioning => "provisioning",
        Provisioning::Active => "active",
    };
    json!({
        "id": binding.id,
        "cidr": binding.cidr.to_string(),
        "service_id": binding.service_id,
        "service_name": state.service(&binding.service_id).map(|s| s.name.as_str()),
        "provisioning": { "state": provisioning },
    })
}

/// A list of bindings.
pub(crate) fn bindings(state: &State, bindings: &[Binding], clock: Clock) -> Value {
    Value::Array(bindings.iter().map(|b| binding(state, b, clock)).collect())
}

/// A list of services.
pub(crate) fn services(services: &[Service]) -> Value {
    Value::Array(
        services
            .iter()
            .map(|s| json!({ "id": s.id, "name": s.name }))
            .collect(),
    )
}
