//! House rules, checked on the workspace by `cargo test` (xtask/src/tidy.rs); and each
//! check shown to catch what it is for, on a small workspace written for the test.

use xtask::tidy::{self, MAX_LINES, Offence, report};

fn assert_clean(rule: &str, offences: Vec<Offence>) {
    assert!(offences.is_empty(), "{}", report(rule, &offences));
}

#[test]
fn no_hand_written_source_file_is_longer_than_450_lines() {
    assert_clean(
        "source files over 450 lines",
        tidy::long_files(&xtask::workspace_root()),
    );
}

#[test]
fn no_test_file_uses_a_path_attribute() {
    assert_clean(
        "#[path] in tests",
        tidy::path_attributes(&xtask::workspace_root()),
    );
}

#[test]
fn only_the_cli_output_module_prints() {
    assert_clean(
        "print macros outside crates/cf-bindings-cli/src/output.rs",
        tidy::print_macros(&xtask::workspace_root()),
    );
}

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    assert_clean(
        "import circles",
        tidy::import_cycles(&xtask::workspace_root()),
    );
}

#[test]
fn every_curated_comment_has_its_sidecar_entry_and_back() {
    assert_clean(
        "CURATED comments and openapi/service-bindings.curated.toml",
        tidy::curated_comments(&xtask::workspace_root()),
    );
}

#[test]
fn every_crate_takes_the_workspace_rust_version_and_it_is_what_the_code_needs() {
    assert_clean(
        "rust-version",
        tidy::rust_versions(&xtask::workspace_root()),
    );
}

/// A workspace of one crate, `crates/a`, with `files` (paths from the root) added.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut all = vec![
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/a\"]\n[workspace.package]\nrust-version = \"1.70\"\n",
        ),
        (
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\nrust-version.workspace = true\n",
        ),
        ("Cargo.lock", "version = 4\n"),
    ];
    all.extend_from_slice(files);
    for (path, text) in all {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

fn lines(offences: &[Offence]) -> Vec<String> {
    offences.iter().map(ToString::to_string).collect()
}

#[test]
fn a_long_file_is_named_with_its_length() {
    let long = "//\n".repeat(MAX_LINES + 1);
    let ok = "//\n".repeat(MAX_LINES);
    let dir = workspace(&[("crates/a/src/lib.rs", &long), ("crates/a/src/ok.rs", &ok)]);
    assert_eq!(
        lines(&tidy::long_files(dir.path())),
        ["crates/a/src/lib.rs: 451 lines, more than 450: split it by concern"]
    );
}

#[test]
fn a_path_attribute_in_a_test_is_named_with_its_line() {
    let dir = workspace(&[
        (
            "crates/a/tests/it.rs",
            "mod a;\n#[path = \"../x.rs\"]\nmod x;\n",
        ),
        ("crates/a/src/lib.rs", "#[path = \"y.rs\"]\nmod y;\n"),
    ]);
    assert_eq!(
        lines(&tidy::path_attributes(dir.path())),
        [
            "crates/a/tests/it.rs:2: `#[path]` in a test: move the module into the binary's own folder"
        ]
    );
}

#[test]
fn a_print_macro_is_named_but_not_in_comments_docs_or_strings() {
    let dir = workspace(&[(
        "crates/a/src/lib.rs",
        "//! println!(\"doc\");\n// eprintln!(\"comment\");\nfn f() {\n    let _ = \"print!(x)\";\n    format!(\"{}\", dbg!(1));\n    std::println!(\"y\");\n}\n",
    )]);
    let found = lines(&tidy::print_macros(dir.path()));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("crates/a/src/lib.rs:5: `dbg!`"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("crates/a/src/lib.rs:6: `println!`"),
        "{found:?}"
    );
}

#[test]
fn an_import_circle_is_named_with_the_paths_that_make_it() {
    let dir = workspace(&[
        (
            "crates/a/src/lib.rs",
            "mod x;\nmod y;\nmod z;\n#[cfg(test)]\nmod tests;\n",
        ),
        (
            "crates/a/src/x.rs",
            "pub struct X;\npub fn f() -> crate::y::Y { crate::y::Y }\n",
        ),
        (
            "crates/a/src/y.rs",
            "use super::x::X;\npub struct Y;\n/// [`crate::z::Z`]\npub fn g(_: X) {}\n",
        ),
        ("crates/a/src/z.rs", "pub struct Z;\n"),
        ("crates/a/src/tests.rs", "use crate::x::X;\n"),
    ]);
    let found = lines(&tidy::import_cycles(dir.path()));
    assert_eq!(
        found,
        [
            "crates/a/src/x.rs:2: import circle x -> y -> x: crates/a/src/x.rs:2 `crate::y::Y`; \
          crates/a/src/y.rs:1 `super::x::X`; make the imports point one way"
        ]
    );
}

#[test]
fn curated_comments_and_sidecar_entries_without_each_other_are_named() {
    let dir = workspace(&[
        (
            "openapi/service-bindings.yaml",
            "# Every deviation is marked CURATED(id).\na: 1 # not a marker\n  # CURATED(kept): why\n  # CURATED(new): why\n  # CURATED: no id\n",
        ),
        (
            "openapi/service-bindings.curated.toml",
            "[[deviation]]\nid = \"kept\"\nreason = \"r\"\n\n[[deviation]]\nid = \"gone\"\nreason = \"r\"\n",
        ),
    ]);
    let found = lines(&tidy::curated_comments(dir.path()));
    assert_eq!(
        found,
        [
            "openapi/service-bindings.yaml:5: a CURATED comment names no id: write `CURATED(id)`",
            "openapi/service-bindings.curated.toml:6: `gone` has no `CURATED(gone)` comment in \
             openapi/service-bindings.yaml: add it beside the node, or remove the entry",
            "openapi/service-bindings.yaml:4: `CURATED(new)` has no `[[deviation]]` with id = \"new\" \
             in openapi/service-bindings.curated.toml",
        ]
    );
}

#[test]
fn a_crate_with_its_own_rust_version_and_a_workspace_below_the_code_are_named() {
    let dir = workspace(&[
        (
            "crates/a/src/lib.rs",
            "fn f(a: Option<u8>) -> bool { a.is_none_or(|b| b > 1) }\n",
        ),
        (
            "crates/b/Cargo.toml",
            "[package]\nname = \"b\"\nrust-version = \"1.80\"\n",
        ),
    ]);
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    std::fs::write(
        &manifest,
        text.replace("\"crates/a\"", "\"crates/a\", \"crates/b\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        lines(&tidy::rust_versions(dir.path())),
        [
            "crates/b/Cargo.toml:3: says rust-version = \"1.80\", the workspace says \"1.70\": \
             write `rust-version.workspace = true`",
            "Cargo.toml:4: the workspace says rust-version = \"1.70\", the code needs 1.82: \
             Option::is_none_or (crates/a/src/lib.rs:1); set it to \"1.82\"",
        ]
    );
}
