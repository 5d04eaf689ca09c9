//! The wrapper's own tests, in one binary (one link, the fixtures compiled once):
//! each module is a file of this folder, and `cargo test -p cf-bindings` runs them
//! all. They talk HTTP to the purpose-built local server of `cf-bindings-test-server`
//! (127.0.0.1), or to nothing. What crosses crates (the generated client, the wrapper
//! against the emulator) is tested in the workspace's `tests/`. Snapshots are named
//! `it__<module>__<name>.snap`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

// Every operation and the exact request it sends; configuration; secrecy.
mod client;
mod config;
mod secrecy;

// Errors: envelopes, bodies, transport failures, their `Display`; hostile servers.
mod errors;
mod hostile;

// Retries, create and delete reconciliation, rate limits, waiting.
mod reconcile;
mod retry;
mod wait;

// Property tests of ids, CIDRs and routing.
mod props;

// Bindings as code: parsing, validation, planning and its order, export.
mod desired;
