//! Decode: a 10,000-binding list envelope, bytes to the wrapper's types through its
//! public API (`decode_envelope`, the envelope rules every response goes through,
//! then each binding validated by the public constructors of its id, CIDR and state)
//! against serde_json into the generated types alone.
//!
//! The two take turns, one decode per sample, `--samples` pairs per run: the ratio
//! of each adjacent pair (generated time ÷ wrapper time, so above 1 means the wrapper
//! is faster) cancels drift in the machine's speed; the figure is each run's median
//! of its pairs (so its min–max is the spread between runs). Also MB/s per run.

#![forbid(unsafe_code)]

use std::{hint::black_box, time::Instant};

use cf_bindings::{Operation, ProvisioningState, ServiceBinding, decode_envelope};
use cf_bindings_benches::{Args, BoxError, emit, list_envelope, median};
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
    let samples = args.number("samples", 400)?;

    let body = list_envelope(count);
    let mb = body.len() as f64 / 1e6;
    emit("decode.body_size", "MB", vec![mb])?;

    let headers = reqwest::header::HeaderMap::new();
    let generated = || serde_json::from_slice::<GeneratedList>(&body).map(|l| l.result.len());
    let wrapper = || decode_bindings(&headers, &body).map(|r| r.len());
    if generated()? != count || wrapper()? != count {
        return Err("the two decoders disagree on the envelope".into());
    }

    let time = |f: &dyn Fn() -> usize| {
        let start = Instant::now();
        black_box(f());
        start.elapsed().as_secs_f64()
    };
    let generated = || generated().unwrap_or(0);
    let wrapper = || wrapper().unwrap_or(0);
    let (mut ratios, mut generated_mbs, mut wrapper_mbs) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let (mut g_total, mut w_total) = (0.0, 0.0);
        let mut pairs = Vec::with_capacity(samples);
        for i in 0..samples {
            // Alternate which goes first, so neither always follows the other.
            let (g, w) = if (run + i) % 2 == 0 {
                let g = time(&generated);
                (g, time(&wrapper))
            } else {
                let w = time(&wrapper);
                (time(&generated), w)
            };
            pairs.push(g / w);
            g_total += g;
            w_total += w;
        }
        ratios.push(median(&mut pairs));
        generated_mbs.push(mb * samples as f64 / g_total);
        wrapper_mbs.push(mb * samples as f64 / w_total);
    }
    emit("decode.generated", "MB/s", generated_mbs)?;
    emit("decode.wrapper", "MB/s", wrapper_mbs)?;
    emit("decode.ratio", "×", ratios)
}
