//! The workspace-level tests, in one binary: one link instead of one per file, and
//! the shared fixtures of `common.rs` compiled once. Snapshots are named
//! `it__<module>__<name>.snap`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common.rs"]
mod common;

// The generated client: freshness, public surface, wire format.
#[path = "../generated.rs"]
mod generated;

// The cf-bindings wrapper: operations, wire requests, errors, retries, waiting, routing.
#[path = "../wrapper_client.rs"]
mod wrapper_client;
#[path = "../wrapper_errors.rs"]
mod wrapper_errors;
#[path = "../wrapper_hostile.rs"]
mod wrapper_hostile;
#[path = "../wrapper_props.rs"]
mod wrapper_props;
#[path = "../wrapper_retry.rs"]
mod wrapper_retry;
#[path = "../wrapper_wait.rs"]
mod wrapper_wait;

// Bindings as code: parsing, validation, planning and its order, export.
#[path = "../desired/mod.rs"]
mod desired;
