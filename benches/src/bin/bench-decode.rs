//! Decode: a 10,000-binding list envelope, bytes to the wrapper's types through its
//! public API (`decode_envelope`, the envelope rules every response goes through,
//! then each binding validated by the public constructors of its id, CIDR and state)
//! against serde_json into the generated types alone. Prints MB/s per run.

#![forbid(unsafe_code)]

use cf_bindings::{Operation, ProvisioningState, ServiceBinding, decode_envelope};
use cf_bindings_benches::{Args, BoxError, emit, list_envelope, seconds_per_iteration};
use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as GeneratedList;

/// Bytes to validated bindings, through the wrapper's public decoder.
fn decode_bindings(
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> Result<Vec<ServiceBinding>, BoxError> {
    let response = decode_envelope(Operation::ListBindings, 200, headers, body)?;
    let serde_json::Value::Array(items) = response.into_inner() else {
        return Err("the result is not a list".into());
    };
    items.iter().map(binding).collect()
}

/// One wire binding, validated as the client validates it.
fn binding(item: &serde_json::Value) -> Result<ServiceBinding, BoxError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("{name} is missing"))
    };
    let state = item
        .pointer("/provisioning/state")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    Ok(ServiceBinding::new(
        text("id")?.parse()?,
        text("cidr")?.parse()?,
        text("service_id")?.parse()?,
        text("service_name").unwrap_or_default(),
        ProvisioningState::from(state),
    ))
}

fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let count = args.number("bindings", 10_000)?;
    let runs = args.number("runs", 5)?;
    let iterations = args.number("iterations", 20)?;

    let body = list_envelope(count);
    let mb = body.len() as f64 / 1e6;
    emit("decode.body_size", "MB", vec![mb])?;

    let headers = reqwest::header::HeaderMap::new();
    let generated: GeneratedList = serde_json::from_slice(&body)?;
    let wrapped = decode_bindings(&headers, &body)?;
    if generated.result.len() != count || wrapped.len() != count {
        return Err(format!(
            "decoded {} (generated) and {} (wrapper) of {count}",
            generated.result.len(),
            wrapped.len()
        )
        .into());
    }

    let mut generated_mbs = Vec::new();
    let mut wrapper_mbs = Vec::new();
    for _ in 0..runs {
        let t = seconds_per_iteration(iterations, || {
            serde_json::from_slice::<GeneratedList>(&body).map(|l| l.result.len())
        });
        generated_mbs.push(mb / t);
        let t = seconds_per_iteration(iterations, || {
            decode_bindings(&headers, &body).map(|r| r.len())
        });
        wrapper_mbs.push(mb / t);
    }
    emit("decode.generated", "MB/s", generated_mbs)?;
    emit("decode.wrapper", "MB/s", wrapper_mbs)?;
    Ok(())
}
