//! The impls a `#[derive(...)]` writes: std's derives by their trait, serde's, and
//! thiserror's `Error`, `Display` (when the type or its variants carry `#[error]`)
//! and `From` (for each `#[from]` field).

use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, Item, Token};

use super::Entry;
use super::find;
use super::members::{IMPL, Lister, decl_text};
use super::resolve::{Namespace, Target};

impl Lister<'_> {
    /// The impls a `#[derive(...)]` writes, and thiserror's `Display` and `From`.
    pub(super) fn derives(
        &self,
        owner: &str,
        module: &[String],
        attrs: &[Attribute],
        ident: &syn::Ident,
        generics: &syn::Generics,
        fields: &Fields,
    ) -> Vec<Entry> {
        let mut out = Vec::new();
        for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
            let Ok(paths) =
                attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            else {
                continue;
            };
            for path in paths {
                let segments: Vec<String> =
                    path.segments.iter().map(|s| s.ident.to_string()).collect();
                let target = self.resolver.resolve(module, &segments, Namespace::Type);
                let traits: Vec<syn::Path> = match (&target, segments.last().map(String::as_str)) {
                    (Target::External(full), _)
                        if full.first().is_some_and(|c| c == "thiserror") =>
                    {
                        let mut traits = vec![syn::parse_quote!(::std::error::Error)];
                        if attrs.iter().any(|a| a.path().is_ident("error"))
                            || is_enum_with_messages(module, ident, self)
                        {
                            traits.push(syn::parse_quote!(::std::fmt::Display));
                        }
                        out.extend(
                            self.impls_of_from_fields(owner, module, ident, generics, fields),
                        );
                        traits
                    }
                    (Target::Unknown, Some(name)) => match std_derive(name) {
                        Some(path) => vec![path],
                        None => vec![path.clone()],
                    },
                    _ => vec![path.clone()],
                };
                for trait_path in traits {
                    let base = generics;
                    let mut generics = generics.clone();
                    for param in generics.type_params_mut() {
                        param.bounds.push(syn::parse_quote!(#trait_path));
                    }
                    let mut trait_path = trait_path;
                    if trait_path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Deserialize")
                    {
                        generics.params.insert(0, syn::parse_quote!('de));
                        if let Some(last) = trait_path.segments.last_mut() {
                            last.arguments =
                                syn::PathArguments::AngleBracketed(syn::parse_quote!(<'de>));
                        }
                    }
                    let (impl_generics, _, where_clause) = generics.split_for_impl();
                    let (_, type_generics, _) = base.split_for_impl();
                    let block: syn::ItemImpl = syn::parse_quote!(
                        impl #impl_generics #trait_path for #ident #type_generics #where_clause {}
                    );
                    let mut rw = self.rewriter(module);
                    rw.with_generics(&generics);
                    let text = decl_text(Item::Impl(block), &mut rw);
                    let line = text.strip_suffix(" {}").unwrap_or(&text).to_string();
                    out.push(self.entry(owner, IMPL, 0, line, &rw));
                }
            }
        }
        out
    }

    /// `impl From<T> for Owner` for each `#[from]` field.
    pub(super) fn impls_of_from_fields(
        &self,
        owner: &str,
        module: &[String],
        ident: &syn::Ident,
        generics: &syn::Generics,
        fields: &Fields,
    ) -> Vec<Entry> {
        let mut out = Vec::new();
        for field in fields
            .iter()
            .filter(|f| f.attrs.iter().any(|a| a.path().is_ident("from")))
        {
            let ty = &field.ty;
            let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
            let block: syn::ItemImpl = syn::parse_quote!(
                impl #impl_generics ::std::convert::From<#ty> for #ident #type_generics #where_clause {}
            );
            let mut rw = self.rewriter(module);
            rw.with_generics(generics);
            let text = decl_text(Item::Impl(block), &mut rw);
            let line = text.strip_suffix(" {}").unwrap_or(&text).to_string();
            out.push(self.entry(owner, IMPL, 0, line, &rw));
        }
        out
    }
}

/// Whether `ident` is an enum whose variants carry thiserror's `#[error(...)]`.
fn is_enum_with_messages(module: &[String], ident: &syn::Ident, lister: &Lister) -> bool {
    matches!(
        find(lister.resolver.modules, module, &ident.to_string()),
        Some(Item::Enum(e)) if e.variants.iter().any(|v| v.attrs.iter().any(|a| a.path().is_ident("error")))
    )
}

/// The std trait a built-in derive implements.
fn std_derive(name: &str) -> Option<syn::Path> {
    Some(match name {
        "Debug" => syn::parse_quote!(::std::fmt::Debug),
        "Clone" => syn::parse_quote!(::std::clone::Clone),
        "Copy" => syn::parse_quote!(::std::marker::Copy),
        "PartialEq" => syn::parse_quote!(::std::cmp::PartialEq),
        "Eq" => syn::parse_quote!(::std::cmp::Eq),
        "PartialOrd" => syn::parse_quote!(::std::cmp::PartialOrd),
        "Ord" => syn::parse_quote!(::std::cmp::Ord),
        "Hash" => syn::parse_quote!(::std::hash::Hash),
        "Default" => syn::parse_quote!(::std::default::Default),
        _ => return None,
    })
}
