//! `cargo xtask spec-diff`: compare an upstream Cloudflare OpenAPI document with the curated spec.
