//! The domain's model as the API's JSON.

use serde_json::{Value, json};

use crate::domain::{Binding, Prefix, PrefixDetails, Provisioning, Service, State};

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

/// A prefix of account `account_id`: every field of Cloudflare's prefix object,
/// `null` where Cloudflare answers `null` (an unset ASN, LOA document or
/// advertisement).
pub(crate) fn prefix(account_id: &str, prefix: &Prefix) -> Value {
    let PrefixDetails {
        description,
        asn,
        approved,
        advertised,
        advertised_modified_at,
        created_at,
        modified_at,
        on_demand_enabled,
        on_demand_locked,
        delegate_loa_creation,
        loa_document_id,
        irr_validation_state,
        ownership_validation_state,
        rpki_validation_state,
        ownership_validation_token,
    } = &prefix.details;
    json!({
        "id": prefix.id,
        "account_id": account_id,
        "cidr": prefix.cidr.to_string(),
        "description": description,
        "asn": asn,
        "approved": approved.code(),
        "advertised": advertised,
        "advertised_modified_at": advertised_modified_at.map(|t| t.to_string()),
        "created_at": created_at.to_string(),
        "modified_at": modified_at.to_string(),
        "on_demand_enabled": on_demand_enabled,
        "on_demand_locked": on_demand_locked,
        "delegate_loa_creation": delegate_loa_creation,
        "loa_document_id": loa_document_id,
        "irr_validation_state": irr_validation_state,
        "ownership_validation_state": ownership_validation_state,
        "rpki_validation_state": rpki_validation_state,
        "ownership_validation_token": ownership_validation_token,
    })
}

/// The prefixes of account `account_id`.
pub(crate) fn prefixes(account_id: &str, prefixes: &[Prefix]) -> Value {
    Value::Array(prefixes.iter().map(|p| prefix(account_id, p)).collect())
}
