//! What a dependent of the wrapper crate sees, read from its source: every public
//! path with its signature, one line each, for review like the generated surface.
//!
//! The reader starts at the crate's `lib.rs`, follows `pub mod` (file and inline
//! modules) and `pub use` re-exports to the items they name in the crate's private
//! modules, and leaves out what a normal build or rustdoc leaves out
//! (`#[cfg(test)]`, `#[cfg(feature = ...)]`, `#[doc(hidden)]`). For each public item it
//! prints its declaration (structs with their public fields, enums with their
//! variants, functions without body, constants and statics with their types, traits,
//! type aliases); for each public type the public functions of its inherent impls and
//! its trait impls, written or derived, one line each. Paths in signatures are
//! rewritten to what a dependent writes: the crate's items by their public path,
//! other crates' in full, std's by their short name. A type reachable at two paths
//! is declared at both; its members are listed once, under the shortest path.
//!
//! Not listed: auto traits (`Send`, `Sync`) and blanket impls, which rustdoc derives
//! from the compiler rather than from the source.

mod derives;
mod macro_expand;
mod members;
mod render;
pub(crate) mod resolve;
pub(crate) mod source;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use syn::{Item, Visibility};

use render::PublicPaths;
use resolve::{Namespace, Resolver, Target, use_leaves};
use source::{Modules, hidden};

/// The wrapper crate's root file, from the workspace root.
pub const WRAPPER_LIB: &str = "crates/cf-bindings/src/lib.rs";
/// The wrapper crate's name in Rust paths.
pub const WRAPPER_NAME: &str = "cf_bindings";

/// A source file that could not be read or understood.
#[derive(Debug)]
pub struct ReadError {
    /// The file.
    pub file: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl ReadError {
    fn new(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ReadError {}

/// One line of the listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// The public path the line is listed under.
    pub owner: String,
    rank: u8,
    order: usize,
    /// The line: a public path and its signature.
    pub line: String,
    /// Other crates' paths the line names, in full (`reqwest::Client`).
    pub foreign: BTreeSet<String>,
    /// The crate's own items the line names that have no public path.
    pub private: BTreeSet<String>,
}

/// A crate's public API, sorted.
#[derive(Debug)]
pub struct PublicApi {
    /// The lines, sorted by the path they are listed under.
    pub entries: Vec<Entry>,
}

impl PublicApi {
    /// The listing: one line per item, field, variant, method or impl.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&entry.line);
            text.push('\n');
        }
        text
    }
}

/// Reads the public API of the wrapper crate of the workspace at `root`.
pub fn read_wrapper(root: &Path) -> Result<PublicApi, ReadError> {
    read(&root.join(WRAPPER_LIB), WRAPPER_NAME)
}

/// Reads the public API of the crate whose root file is `lib` and whose name in
/// paths is `crate_name`.
pub fn read(lib: &Path, crate_name: &str) -> Result<PublicApi, ReadError> {
    let modules = source::load(lib)?;
    let resolver = Resolver { modules: &modules };
    let mut exports = Vec::new();
    walk(&resolver, &[], &[], &mut exports, &mut BTreeSet::new());
    let mut public = PublicPaths::new();
    for export in &exports {
        if let Export::Item { module, name, .. } = export {
            public
                .entry((module.clone(), name.clone()))
                .or_default()
                .push(export.path().to_vec());
        }
    }
    for paths in public.values_mut() {
        paths.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        paths.dedup();
    }
    let lister = members::Lister {
        resolver: &resolver,
        public: &public,
        crate_name,
    };
    let mut entries = Vec::new();
    for export in &exports {
        entries.extend(lister.export(export));
    }
    entries.extend(lister.impls());
    entries.sort();
    entries.dedup_by(|a, b| a.line == b.line);
    Ok(PublicApi { entries })
}

/// A public path and what it names.
pub(crate) enum Export {
    Module(Vec<String>),
    Item {
        path: Vec<String>,
        module: Vec<String>,
        name: String,
    },
    External {
        path: Vec<String>,
        target: Vec<String>,
    },
}

impl Export {
    fn path(&self) -> &[String] {
        match self {
            Export::Module(path) | Export::Item { path, .. } | Export::External { path, .. } => {
                path
            }
        }
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Adds what `module`, seen at public path `public`, exports.
fn walk(
    resolver: &Resolver,
    module: &[String],
    public: &[String],
    out: &mut Vec<Export>,
    seen: &mut BTreeSet<(Vec<String>, Vec<String>)>,
) {
    if !seen.insert((module.to_vec(), public.to_vec())) {
        return;
    }
    if !public.is_empty() {
        out.push(Export::Module(public.to_vec()));
    }
    walk_items(resolver, module, public, out, seen);
}

fn walk_items(
    resolver: &Resolver,
    module: &[String],
    public: &[String],
    out: &mut Vec<Export>,
    seen: &mut BTreeSet<(Vec<String>, Vec<String>)>,
) {
    let Some(items) = resolver.modules.get(module).map(|m| &m.items) else {
        return;
    };
    let at = |name: &str| {
        let mut path = public.to_vec();
        path.push(name.to_string());
        path
    };
    for item in items {
        if hidden(source::attrs_of(item)) {
            continue;
        }
        let (vis, ident) = match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                let mut child = module.to_vec();
                child.push(m.ident.to_string());
                walk(resolver, &child, &at(&m.ident.to_string()), out, seen);
                continue;
            }
            Item::Use(u) if is_pub(&u.vis) => {
                for leaf in use_leaves(&u.tree) {
                    re_export(resolver, module, public, &leaf, out, seen);
                }
                continue;
            }
            Item::Struct(i) => (&i.vis, &i.ident),
            Item::Enum(i) => (&i.vis, &i.ident),
            Item::Union(i) => (&i.vis, &i.ident),
            Item::Trait(i) => (&i.vis, &i.ident),
            Item::Type(i) => (&i.vis, &i.ident),
            Item::Fn(i) => (&i.vis, &i.sig.ident),
            Item::Const(i) => (&i.vis, &i.ident),
            Item::Static(i) => (&i.vis, &i.ident),
            _ => continue,
        };
        if is_pub(vis) {
            out.push(Export::Item {
                path: at(&ident.to_string()),
                module: module.to_vec(),
                name: ident.to_string(),
            });
        }
    }
}

fn re_export(
    resolver: &Resolver,
    module: &[String],
    public: &[String],
    leaf: &resolve::UseLeaf,
    out: &mut Vec<Export>,
    seen: &mut BTreeSet<(Vec<String>, Vec<String>)>,
) {
    let Some(name) = &leaf.name else {
        if let Target::Module(glob) = resolver.resolve(module, &leaf.path, Namespace::Type) {
            walk_items(resolver, &glob, public, out, seen);
        }
        return;
    };
    let mut path = public.to_vec();
    path.push(name.clone());
    match resolver.resolve(module, &leaf.path, Namespace::Any) {
        Target::Module(target) => walk(resolver, &target, &path, out, seen),
        Target::Item { module, name, rest } if rest.is_empty() => {
            out.push(Export::Item { path, module, name })
        }
        Target::External(target) => out.push(Export::External { path, target }),
        _ => out.push(Export::External {
            path,
            target: leaf.path.clone(),
        }),
    }
}

/// Items of `modules` by (module, name), for the listing.
pub(crate) fn find<'a>(modules: &'a Modules, module: &[String], name: &str) -> Option<&'a Item> {
    modules.get(module)?.items.iter().find(|item| {
        let ident = match item {
            Item::Struct(i) => &i.ident,
            Item::Enum(i) => &i.ident,
            Item::Union(i) => &i.ident,
            Item::Trait(i) => &i.ident,
            Item::Type(i) => &i.ident,
            Item::Fn(i) => &i.sig.ident,
            Item::Const(i) => &i.ident,
            Item::Static(i) => &i.ident,
            _ => return false,
        };
        ident == name
    })
}
