//! The wrapper's public API as a dependent sees it, kept as a reviewed snapshot
//! (`cargo xtask public-api` prints the same text): a pull request that changes what
//! dependents see shows it as a diff of
//! `snapshots/public_api__cf_bindings_public_api.snap`. And what must never be in it:
//! a type of reqwest or of the generated crate, or a private type.

use xtask::public_api::{PublicApi, read, read_wrapper};

/// Crates whose types a public signature of the wrapper must not name: a major
/// release of one of them would break the wrapper's dependents.
const NOT_IN_THE_API: &[&str] = &[
    "reqwest",
    "http",
    "cf_bindings_generated",
    "progenitor_client",
];

fn wrapper() -> PublicApi {
    read_wrapper(&xtask::workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_wrapper_public_api_is_reviewed() {
    insta::assert_snapshot!("cf_bindings_public_api", wrapper().text());
}

#[test]
fn no_type_of_reqwest_or_of_the_generated_crate_is_in_a_public_signature() {
    let leaks: Vec<String> = wrapper()
        .entries
        .iter()
        .flat_map(|entry| {
            entry
                .foreign
                .iter()
                .filter(|path| {
                    let krate = path.split("::").next().unwrap_or_default();
                    NOT_IN_THE_API.contains(&krate)
                })
                .map(move |path| format!("  {path} in: {}", entry.line))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{} public signature(s) of cf-bindings name a type of {}; wrap or hide it:\n{}",
        leaks.len(),
        NOT_IN_THE_API.join(", "),
        leaks.join("\n")
    );
}

#[test]
fn every_type_in_a_public_signature_can_be_named_by_a_dependent() {
    let private: Vec<String> = wrapper()
        .entries
        .iter()
        .filter(|entry| !entry.private.is_empty())
        .map(|entry| format!("  {:?} in: {}", entry.private, entry.line))
        .collect();
    assert!(
        private.is_empty(),
        "public signatures name types that have no public path:\n{}",
        private.join("\n")
    );
}

/// The reader on a small crate: re-exports through private modules (`crate::`,
/// `self::`, `super::`, renames, globs, inline facade modules), what is left out
/// (`#[cfg(test)]`, features, `#[doc(hidden)]`, `pub(crate)`), types a crate macro
/// declares, derives, thiserror's impls, inherent and trait impls.
#[test]
fn the_reader_follows_re_exports_to_their_items_and_leaves_out_what_rustdoc_does() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("inner")).unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(src.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "lib.rs",
        "mod inner;\n\
         pub use inner::{Thing, deep::helper as help};\n\
         pub use crate::inner::Kind;\n\
         pub mod facade { pub use crate::inner::deep::*; }\n\
         #[cfg(feature = \"extra\")] pub fn extra() {}\n\
         #[doc(hidden)] pub fn hidden() {}\n\
         #[cfg(test)] mod tests { pub fn in_tests() {} }\n\
         pub(crate) fn internal() {}\n",
    );
    write(
        "inner/mod.rs",
        "pub(crate) mod deep;\n\
         use std::fmt;\n\
         macro_rules! id { ($(#[$m:meta])* $name:ident) => { $(#[$m])* pub struct $name(String); impl $name { pub fn get(&self) -> &str { &self.0 } } }; }\n\
         id!(#[derive(Clone)] Thing);\n\
         #[derive(Debug, thiserror::Error)]\n\
         #[non_exhaustive]\n\
         pub enum Kind { #[error(\"a\")] A(#[from] fmt::Error), #[error(\"b\")] B { at: Option<Thing> } }\n\
         impl fmt::Display for Thing { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) } }\n",
    );
    write(
        "inner/deep.rs",
        "use super::Thing;\n\
         pub const LIMIT: std::time::Duration = std::time::Duration::from_secs(1);\n\
         pub fn helper(thing: &Thing) -> Result<super::Kind, Box<dyn std::error::Error>> { let _ = thing; todo!() }\n",
    );
    let api = read(&src.join("lib.rs"), "demo").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("reader_on_a_small_crate", api.text());
}
