//! The workspace-level tests: what crosses crates, in one binary (one link, the
//! fixtures of `common` compiled once), each module a file or folder of this
//! folder. The wrapper's own behaviour is tested in its crate
//! (`crates/cf-bindings/tests/it`), the emulator's in its own. Snapshots are named
//! `it__<module>__<name>.snap`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

// The generated client: freshness, public surface, wire format.
mod generated;

// The cf-bindings wrapper against the emulator: faults after a commit, provisioning,
// `desired::apply`.
mod wrapper;
