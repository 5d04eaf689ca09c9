//! Tests of `cargo xtask spec-diff` on small upstream-shaped fixtures.
//!
//! `fixtures/spec_diff/upstream.json` is the curated spec written the way Cloudflare's
//! openapi.json is (inline parameters and failure responses, inline List Services and
//! message items, other descriptions and examples, an `x-` extension, an unrelated
//! operation): it must compare equal. Each test changes one thing in it, or in the
//! curated spec, and checks the exact lines reported.
//! `upstream-older.json` is `upstream.json` with the deviations that the curated
//! spec's CURATED comments name undone, as Cloudflare's older schema has them.
#![allow(clippy::unwrap_used)]
//!
//! `support` holds what the tests share; `compare` tests the comparison,
//! `deviations` the gate of accepted deviations, `command` the command line.

mod command;
mod compare;
mod deviations;
mod support;
