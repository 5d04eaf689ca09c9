//! A crate's modules read from source as rustc would see them in a normal build:
//! file and inline modules, items behind `#[cfg(test)]`, `#[cfg(doctest)]` or a
//! feature left out, and the invocations of the crate's own `macro_rules!` at item
//! position expanded (`macro_expand`), so that the types a macro declares are seen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use syn::{Attribute, Item};

use super::ReadError;
use super::macro_expand::Macros;

/// One module: the file it is written in and its items (compiled-out ones removed,
/// item macros expanded).
pub(crate) struct Module {
    pub(crate) file: PathBuf,
    pub(crate) items: Vec<Item>,
}

/// Every module of a crate by its path from the crate root (`[]` is the root,
/// `["client", "builder"]` is `crate::client::builder`).
pub(crate) type Modules = BTreeMap<Vec<String>, Module>;

/// Reads the crate whose root file is `root_file` (its `lib.rs`) as a build without
/// features sees it.
pub(crate) fn load(root_file: &Path) -> Result<Modules, ReadError> {
    load_with(root_file, false)
}

/// Reads the crate whose root file is `root_file` with the code of every feature (but
/// not the tests).
pub(crate) fn load_all(root_file: &Path) -> Result<Modules, ReadError> {
    load_with(root_file, true)
}

fn load_with(root_file: &Path, features: bool) -> Result<Modules, ReadError> {
    let mut modules = Modules::new();
    let items = parse(root_file)?;
    let dir = root_file.parent().unwrap_or(Path::new("."));
    let keep = Keep { features };
    load_module(Vec::new(), root_file, items, dir, keep, &mut modules)?;
    let macros = Macros::collect(modules.values().flat_map(|module| &module.items));
    for module in modules.values_mut() {
        let items = std::mem::take(&mut module.items);
        module.items = macros
            .expand_items(items)
            .map_err(|message| ReadError::new(&module.file, message))?;
    }
    Ok(modules)
}

fn parse(file: &Path) -> Result<Vec<Item>, ReadError> {
    let text = std::fs::read_to_string(file).map_err(|e| ReadError::new(file, e.to_string()))?;
    let parsed = syn::parse_file(&text).map_err(|e| {
        let at = e.span().start();
        ReadError::new(file, format!("line {}: {e}", at.line))
    })?;
    Ok(parsed.items)
}

fn load_module(
    path: Vec<String>,
    file: &Path,
    items: Vec<Item>,
    dir: &Path,
    keep: Keep,
    modules: &mut Modules,
) -> Result<(), ReadError> {
    let items: Vec<Item> = items
        .into_iter()
        .filter(|item| !keep.leaves_out(attrs_of(item)))
        .collect();
    for item in &items {
        let Item::Mod(module) = item else { continue };
        let name = module.ident.to_string();
        let mut child = path.clone();
        child.push(name.clone());
        let child_dir = dir.join(&name);
        match &module.content {
            Some((_, inner)) => load_module(child, file, inner.clone(), &child_dir, keep, modules)?,
            None => {
                let (child_file, by_path) = module_file(&module.attrs, file, dir, &name)?;
                let inner = parse(&child_file)?;
                // A module read through `#[path]` owns its file's folder, as `mod.rs` does.
                let child_dir = match child_file.parent() {
                    Some(parent) if by_path => parent.to_path_buf(),
                    _ => child_dir,
                };
                load_module(child, &child_file, inner, &child_dir, keep, modules)?;
            }
        }
    }
    modules.insert(
        path,
        Module {
            file: file.to_path_buf(),
            items,
        },
    );
    Ok(())
}

/// `dir/name.rs` or `dir/name/mod.rs`, or what a `#[path]` attribute says (relative
/// to the declaring file's folder; then `true`).
fn module_file(
    attrs: &[Attribute],
    declared_in: &Path,
    dir: &Path,
    name: &str,
) -> Result<(PathBuf, bool), ReadError> {
    for attr in attrs {
        if let syn::Meta::NameValue(pair) = &attr.meta
            && pair.path.is_ident("path")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(value),
                ..
            }) = &pair.value
        {
            let base = declared_in.parent().unwrap_or(Path::new("."));
            return Ok((base.join(value.value()), true));
        }
    }
    let flat = dir.join(format!("{name}.rs"));
    if flat.is_file() {
        return Ok((flat, false));
    }
    let nested = dir.join(name).join("mod.rs");
    if nested.is_file() {
        return Ok((nested, false));
    }
    Err(ReadError::new(
        declared_in,
        format!(
            "module `{name}`: neither {} nor {}",
            flat.display(),
            nested.display()
        ),
    ))
}

/// The attributes of an item (empty for the kinds that have none here).
pub(crate) fn attrs_of(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

#[derive(Clone, Copy)]
struct Keep {
    features: bool,
}

impl Keep {
    fn leaves_out(self, attrs: &[Attribute]) -> bool {
        compiled_out(attrs, self.features)
    }
}

/// Whether a `#[cfg(...)]` leaves the item out of a normal build: `test`, `doctest`
/// or (unless `features`) a `feature` anywhere in the predicate, unless it is a `not(...)`.
pub(crate) fn compiled_out(attrs: &[Attribute], features: bool) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = attr.meta.require_list() else {
            return false;
        };
        let text = list.tokens.to_string();
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        words.first() != Some(&"not")
            && words
                .iter()
                .any(|w| matches!(*w, "test" | "doctest") || (*w == "feature" && !features))
    })
}

/// `#[doc(hidden)]`: public to the compiler, not part of the documented API.
pub(crate) fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("doc")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string().trim() == "hidden")
    })
}
