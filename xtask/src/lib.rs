//! Maintainer tasks for the cf-bindings workspace, as a library so that the
//! workspace tests run exactly what `cargo xtask` runs.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

pub mod chaos;
pub mod codegen;
pub mod drill;
pub mod manifest;
pub mod public_api;
pub mod spec_diff;
pub mod surface;
pub mod tidy;

/// The workspace root, found from this crate's manifest directory: what every task's
/// paths are relative to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
