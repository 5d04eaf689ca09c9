//! The dependencies of `crates/cf-bindings-generated`, kept in step with what the
//! generated code uses.
//!
//! `cargo xtask codegen` owns one block of the generated crate's `Cargo.toml`, between
//! the [`BEGIN`] and [`END`] lines: the crates every progenitor output needs, plus the
//! ones progenitor and typify report for this spec (`chrono` for `format: date-time`,
//! `uuid` for `format: uuid`, `regress` for `pattern`, `futures`, `serde_json`). Each
//! is a `.workspace = true` line, in alphabetical order; versions and features live
//! in the root `[workspace.dependencies]` (chrono without its default features, with
//! `serde`). The rest of the file is the maintainer's.

/// What the generated code needs besides the crates every output uses, as
/// progenitor and typify report it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    /// `chrono`, for `format: date-time` and `date`.
    pub chrono: bool,
    /// `futures`, for streaming operations.
    pub futures: bool,
    /// `regress`, for string `pattern`s.
    pub regress: bool,
    /// `serde_json`, for free-form values.
    pub serde_json: bool,
    /// `uuid`, for `format: uuid`.
    pub uuid: bool,
}

/// The generated crate's manifest, relative to the workspace root.
pub const MANIFEST_PATH: &str = "crates/cf-bindings-generated/Cargo.toml";

/// The first line of the block that codegen owns.
pub const BEGIN: &str =
    "# BEGIN codegen-managed: what generated.rs uses; rewritten by `cargo xtask codegen`.";

/// The last line of that block.
pub const END: &str = "# END codegen-managed";

/// The dependency lines the generated code needs, in a stable order.
pub fn dependency_lines(uses: Uses) -> Vec<&'static str> {
    let mut lines = vec![
        "progenitor-client.workspace = true",
        "reqwest.workspace = true",
        "serde.workspace = true",
    ];
    let optional = [
        (uses.chrono, "chrono.workspace = true"),
        (uses.futures, "futures.workspace = true"),
        (uses.regress, "regress.workspace = true"),
        (uses.serde_json, "serde_json.workspace = true"),
        (uses.uuid, "uuid.workspace = true"),
    ];
    lines.extend(
        optional
            .iter()
            .filter(|(used, _)| *used)
            .map(|(_, line)| *line),
    );
    lines.sort_unstable();
    lines
}

/// `manifest` with its managed block rewritten for `uses`.
///
/// # Errors
/// When the block's [`BEGIN`] and [`END`] lines are missing or out of order.
pub fn rewrite(manifest: &str, uses: Uses) -> Result<String, String> {
    let begin = manifest.find(BEGIN);
    let end = manifest.find(END);
    let (Some(begin), Some(end)) = (begin, end) else {
        return Err(format!(
            "{MANIFEST_PATH} has no codegen-managed block: put the lines\n  {BEGIN}\n  {END}\nunder [dependencies]"
        ));
    };
    if end < begin {
        return Err(format!("{MANIFEST_PATH}: {END:?} comes before {BEGIN:?}"));
    }
    let mut out = String::with_capacity(manifest.len());
    out.push_str(&manifest[..begin]);
    out.push_str(BEGIN);
    out.push('\n');
    for line in dependency_lines(uses) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&manifest[end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[package]\nname = \"g\"\n\n[dependencies]\n# BEGIN codegen-managed: what generated.rs uses; rewritten by `cargo xtask codegen`.\nold.workspace = true\n# END codegen-managed\nhttp.workspace = true\n";

    #[test]
    fn rewrites_only_the_block_in_a_stable_order() {
        let uses = Uses {
            chrono: true,
            uuid: true,
            ..Uses::default()
        };
        let out = rewrite(MANIFEST, uses).unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"g\"\n\n[dependencies]\n# BEGIN codegen-managed: what generated.rs uses; rewritten by `cargo xtask codegen`.\nchrono.workspace = true\nprogenitor-client.workspace = true\nreqwest.workspace = true\nserde.workspace = true\nuuid.workspace = true\n# END codegen-managed\nhttp.workspace = true\n"
        );
        assert_eq!(rewrite(&out, uses).unwrap(), out, "idempotent");
    }

    #[test]
    fn a_manifest_without_the_block_is_an_error() {
        let err = rewrite("[dependencies]\n", Uses::default()).unwrap_err();
        assert!(err.contains("no codegen-managed block"), "{err}");
    }
}
