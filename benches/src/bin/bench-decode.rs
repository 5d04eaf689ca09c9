//! Decode: a 10,000-binding list envelope, bytes to the wrapper's types exactly as
//! `list()` decodes them (the envelope rules, serde_json into the generated type, then
//! each binding's id, CIDR and state checked; `cf_bindings::bench::decode_bindings`,
//! behind the wrapper's off-by-default `bench` feature) against serde_json into the
//! generated types alone.
//!
//! The two take turns, one decode per sample, `--samples` pairs per run: the ratio
//! of each adjacent pair (generated time ÷ wrapper time, so above 1 means the wrapper
//! is faster) cancels drift in the machine's speed; the figure is each run's median
//! of its pairs (so its min–max is the spread between runs). Also MB/s per run.

#![forbid(unsafe_code)]

use std::{hint::black_box, time::Instant};

use cf_bindings::bench::decode_bindings;
use cf_bindings_benches::{Args, BoxError, emit, list_envelope, median};
use cf_bindings_generated::types::IpAddressManagementServiceBindingsListServiceBindingsResponse as GeneratedList;

fn main() -> Result<(), BoxError> {
    let args = Args::parse(std::env::args().skip(1))?;
    let count = args.count("bindings", 10_000)?;
    let runs = args.count("runs", 5)?;
    let samples = args.count("samples", 400)?;

    let body = list_envelope(count);
    let mb = body.len() as f64 / 1e6;
    emit("decode.body_size", "MB", vec![mb])?;

    let headers = reqwest::header::HeaderMap::new();
    let generated = || serde_json::from_slice::<GeneratedList>(&body).map(|l| l.result.len());
    let wrapper = || decode_bindings(200, &headers, &body).map(|r| r.len());
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
