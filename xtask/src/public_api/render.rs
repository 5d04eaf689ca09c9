//! Signatures as text: paths rewritten to what a dependent writes (the crate's own
//! items by their public path, other crates' items in full, std's by their short
//! name), formatted with prettyplease and folded onto one line.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::{self, VisitMut};
use syn::{Generics, Path, PathArguments, PathSegment};

use super::resolve::{Namespace, Resolver, Target};

/// The public paths of the crate's items: (declaring module, name) → the path a
/// dependent writes, the shortest first.
pub(crate) type PublicPaths = BTreeMap<(Vec<String>, String), Vec<Vec<String>>>;

/// Rewrites the paths in a signature written in `module`, and records what they name.
pub(crate) struct Rewriter<'a> {
    pub(crate) resolver: &'a Resolver<'a>,
    pub(crate) public: &'a PublicPaths,
    pub(crate) crate_name: &'a str,
    pub(crate) module: Vec<String>,
    /// Generic parameters in scope: left as written.
    pub(crate) generics: BTreeSet<String>,
    /// The other crates' paths named, in full (`reqwest::Client`).
    pub(crate) foreign: BTreeSet<String>,
    /// The crate's items named that have no public path (`crate::wire::call::Call`).
    pub(crate) private: BTreeSet<String>,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(
        resolver: &'a Resolver<'a>,
        public: &'a PublicPaths,
        crate_name: &'a str,
        module: &[String],
    ) -> Self {
        Self {
            resolver,
            public,
            crate_name,
            module: module.to_vec(),
            generics: BTreeSet::new(),
            foreign: BTreeSet::new(),
            private: BTreeSet::new(),
        }
    }

    pub(crate) fn with_generics(&mut self, generics: &Generics) -> &mut Self {
        for param in generics.type_params() {
            self.generics.insert(param.ident.to_string());
        }
        for param in generics.const_params() {
            self.generics.insert(param.ident.to_string());
        }
        self
    }

    /// The path a dependent writes for a resolved target, or `None` to leave it.
    fn replacement(&mut self, target: &Target) -> Option<Vec<String>> {
        match target {
            Target::Item { module, name, rest } => {
                let key = (module.clone(), name.clone());
                let mut path = match self.public.get(&key).and_then(|paths| paths.first()) {
                    Some(public) => {
                        let mut path = vec![self.crate_name.to_string()];
                        path.extend(public.iter().cloned());
                        path
                    }
                    None => {
                        let mut path = vec!["crate".to_string()];
                        path.extend(module.iter().cloned());
                        path.push(name.clone());
                        self.private.insert(path.join("::"));
                        path
                    }
                };
                path.extend(rest.iter().cloned());
                Some(path)
            }
            Target::External(full) => {
                self.foreign.insert(full.join("::"));
                Some(short_std(full))
            }
            Target::Module(_) | Target::Unknown => None,
        }
    }
}

/// std's traits and everyday types by their last segment (`Display`, `Duration`,
/// `IpAddr`), as a dependent reads them; the rest of std and other crates in full
/// (`std::error::Error`, `std::slice::Iter`, `ipnet::IpNet`).
fn short_std(full: &[String]) -> Vec<String> {
    let std = matches!(
        full.first().map(String::as_str),
        Some("std" | "core" | "alloc")
    );
    let everyday = matches!(
        full.get(1).map(String::as_str),
        Some(
            "fmt"
                | "cmp"
                | "hash"
                | "clone"
                | "marker"
                | "default"
                | "convert"
                | "ops"
                | "str"
                | "iter"
                | "time"
                | "net"
                | "borrow"
                | "string"
                | "vec"
                | "boxed"
        )
    );
    let twice = matches!(full.last().map(String::as_str), Some("Result" | "Error"));
    if std && everyday && full.len() == 3 && !twice {
        return full[2..].to_vec();
    }
    full.to_vec()
}

impl VisitMut for Rewriter<'_> {
    fn visit_path_mut(&mut self, path: &mut Path) {
        visit_mut::visit_path_mut(self, path);
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() == 1 && segments.first().is_some_and(|s| self.generics.contains(s)) {
            return;
        }
        let target = self
            .resolver
            .resolve(&self.module, &segments, Namespace::Type);
        let Some(new) = self.replacement(&target) else {
            return;
        };
        // The generic arguments stay with the segments they were written on, counted
        // from the end (`Response<T>` → `cf_bindings::Response<T>`).
        let old: Vec<PathSegment> = path.segments.iter().cloned().collect();
        let mut rebuilt = syn::punctuated::Punctuated::new();
        for (i, ident) in new.iter().enumerate() {
            let from_end = new.len() - i;
            let arguments = old
                .len()
                .checked_sub(from_end)
                .and_then(|j| old.get(j))
                .map_or(PathArguments::None, |segment| segment.arguments.clone());
            rebuilt.push(PathSegment {
                ident: syn::Ident::new(ident, proc_macro2::Span::call_site()),
                arguments,
            });
        }
        path.leading_colon = None;
        path.segments = rebuilt;
    }
}

/// An item as prettyplease prints it, on one line.
pub(crate) fn item_text(item: syn::Item) -> String {
    let file: syn::File = syn::parse_quote!(#item);
    one_line(&prettyplease::unparse(&file))
}

/// A type as prettyplease prints it, on one line.
pub(crate) fn type_text(ty: &syn::Type) -> String {
    let item: syn::Item = syn::parse_quote!(type __T = #ty;);
    let text = item_text(item);
    text.strip_prefix("type __T = ")
        .and_then(|t| t.strip_suffix(';'))
        .unwrap_or(&text)
        .to_string()
}

/// Folds prettyplease's lines into one, without the commas and spaces its line
/// breaks add.
pub(crate) fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    joined
        .replace("( ", "(")
        .replace(", )", ")")
        .replace(" )", ")")
        .replace("< ", "<")
        .replace(", >", ">")
        .replace(", }", " }")
        .replace(", {", " {")
}
