//! Maintainer tasks for the cf-bindings workspace, as a library so that the
//! workspace tests run exactly what `cargo xtask` runs.
#![forbid(unsafe_code)]

pub mod codegen;
pub mod drill;
pub mod manifest;
pub mod spec_diff;
pub mod surface;
