//! Decode: a 10,000-binding list envelope, bytes to the wrapper's types against
//! serde_json into the generated types alone. Prints MB/s per run.
//!
//! Two ways, because the wrapper exposes no public "bytes to `Vec<ServiceBinding>`"
//! function:
//! - in memory: `cf_bindings::envelope::decode_envelope` (the wrapper's public
//!   decoder: envelope rules, `result` as untyped JSON) against
//!   `serde_json::from_slice::<generated list response>`;
//! - over loopback: the same bytes served by a local static server; the wrapper's
//!   `bindings().list()` (full typed decode: ids, CIDRs, states) against reqwest +
//!   serde_json into the generated type, and reqwest alone (transport). Decode time
//!   is the total minus the transport.
//!
//! ```text
//! bench-decode [--bindings 10000] [--runs 5] [--iterations 20]
//! ```
#![forbid(unsafe_code)]

use std::time::Instant;

use axum::{Router, http::header, routing::get};
use cf_bindings::{Operation, envelope::decode_envelope};
use cf_bindings_benches::{Args, BoxError, emit, list_envelope, seconds_per_iteration};
use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as GeneratedList;

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let count = args.number("bindings", 10_000)?;
    let runs = args.number("runs", 5)?;
    let iterations = args.number("iterations", 20)?;

    let body = list_envelope(count);
    let mb = body.len() as f64 / 1e6;
    emit("decode.body_size", "MB", vec![mb])?;

    // Sanity: both decode, to the same number of bindings.
    let generated: GeneratedList = serde_json::from_slice(&body)?;
    let headers = reqwest::header::HeaderMap::new();
    let wrapped = decode_envelope(Operation::ListBindings, 200, &headers, &body)?;
    let wrapped_len = wrapped.as_array().map(Vec::len).unwrap_or_default();
    if generated.result.len() != count || wrapped_len != count {
        return Err(format!(
            "decoded {} (generated) and {wrapped_len} (wrapper) of {count}",
            generated.result.len()
        )
        .into());
    }

    let mut gen_mbs = Vec::new();
    let mut env_mbs = Vec::new();
    let mut tracked_mbs = Vec::new();
    for _ in 0..runs {
        let t = seconds_per_iteration(iterations, || {
            serde_json::from_slice::<GeneratedList>(&body).map(|l| l.result.len())
        });
        gen_mbs.push(mb / t);
        let t = seconds_per_iteration(iterations, || {
            decode_envelope(Operation::ListBindings, 200, &headers, &body).map(|r| r.status)
        });
        env_mbs.push(mb / t);
        // What path tracking (serde_path_to_error, as the wrapper uses) costs alone.
        let t = seconds_per_iteration(iterations, || {
            let mut de = serde_json::Deserializer::from_slice(&body);
            serde_path_to_error::deserialize::<_, GeneratedList>(&mut de).map(|l| l.result.len())
        });
        tracked_mbs.push(mb / t);
    }
    emit("decode.memory.generated", "MB/s", gen_mbs)?;
    emit("decode.memory.wrapper_envelope", "MB/s", env_mbs)?;
    emit("decode.memory.generated_path_tracked", "MB/s", tracked_mbs)?;

    // Over loopback: a static server answering every GET with the envelope.
    let served = body.clone();
    let app = Router::new().route(
        "/client/v4/accounts/{account}/addressing/prefixes/{prefix}/bindings",
        get(move || {
            let served = served.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], served) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let base_url = format!("http://{addr}/client/v4");
    let url = format!("{base_url}/accounts/{ACCOUNT}/addressing/prefixes/{PREFIX}/bindings");

    let client = cf_bindings::Client::builder()
        .base_url(&base_url)
        .api_token("token")
        .build()?;
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    let http = reqwest::Client::new();

    let mut transport = Vec::new();
    let mut generated_e2e = Vec::new();
    let mut wrapper_e2e = Vec::new();
    // Warm up.
    bindings.list().await?;
    for _ in 0..runs {
        let start = Instant::now();
        for _ in 0..iterations {
            let bytes = http.get(&url).send().await?.bytes().await?;
            std::hint::black_box(bytes.len());
        }
        transport.push(start.elapsed().as_secs_f64() / iterations as f64);

        let start = Instant::now();
        for _ in 0..iterations {
            let bytes = http.get(&url).send().await?.bytes().await?;
            let list: GeneratedList = serde_json::from_slice(&bytes)?;
            std::hint::black_box(list.result.len());
        }
        generated_e2e.push(start.elapsed().as_secs_f64() / iterations as f64);

        let start = Instant::now();
        for _ in 0..iterations {
            let list = bindings.list().await?;
            if list.len() != count {
                return Err(format!("wrapper listed {} of {count}", list.len()).into());
            }
            std::hint::black_box(list.len());
        }
        wrapper_e2e.push(start.elapsed().as_secs_f64() / iterations as f64);
    }
    let ms = |v: &[f64]| v.iter().map(|s| s * 1e3).collect::<Vec<_>>();
    emit("decode.loopback.transport", "ms/call", ms(&transport))?;
    emit("decode.loopback.generated", "ms/call", ms(&generated_e2e))?;
    emit("decode.loopback.wrapper", "ms/call", ms(&wrapper_e2e))?;
    // Decode throughput: run by run, the total minus that run's transport.
    let derived = |totals: &[f64]| {
        totals
            .iter()
            .zip(&transport)
            .map(|(total, t)| mb / (total - t).max(1e-9))
            .collect::<Vec<_>>()
    };
    emit(
        "decode.loopback.generated_decode",
        "MB/s",
        derived(&generated_e2e),
    )?;
    emit(
        "decode.loopback.wrapper_decode",
        "MB/s",
        derived(&wrapper_e2e),
    )?;
    Ok(())
}
