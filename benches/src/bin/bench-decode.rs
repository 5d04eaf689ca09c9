//! Decode: a 10,000-binding list envelope, bytes to the wrapper's types
//! (`envelope::decode_bindings`, what `list()` does with a body) against serde_json
//! into the generated types alone. Prints MB/s per run.

#![forbid(unsafe_code)]

use cf_bindings::envelope::decode_bindings;
use cf_bindings_benches::{Args, BoxError, emit, list_envelope, seconds_per_iteration};
use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as GeneratedList;

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
    let wrapped = decode_bindings(200, &headers, &body)?;
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
            decode_bindings(200, &headers, &body).map(|r| r.len())
        });
        wrapper_mbs.push(mb / t);
    }
    emit("decode.generated", "MB/s", generated_mbs)?;
    emit("decode.wrapper", "MB/s", wrapper_mbs)?;
    Ok(())
}
