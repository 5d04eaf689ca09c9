//! The lines of the listing: each public item's declaration, its fields or variants,
//! the public functions of its inherent impls, and its trait impls, written or
//! derived (`#[derive(...)]`, thiserror's `Display` and `From` included).

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Fields, ImplItem, Item, Token, Type};

use super::render::{PublicPaths, Rewriter, item_text, type_text};
use super::resolve::{Namespace, Resolver, Target};
use super::source::{compiled_out, hidden};
use super::{Entry, Export, find, is_pub};

pub(crate) struct Lister<'a> {
    pub(crate) resolver: &'a Resolver<'a>,
    pub(crate) public: &'a PublicPaths,
    pub(crate) crate_name: &'a str,
}

const DECLARATION: u8 = 0;
const MEMBER: u8 = 1;
const FUNCTION: u8 = 2;
pub(super) const IMPL: u8 = 3;

impl Lister<'_> {
    fn full(&self, path: &[String]) -> String {
        let mut full = vec![self.crate_name.to_string()];
        full.extend(path.iter().cloned());
        full.join("::")
    }

    pub(super) fn rewriter(&self, module: &[String]) -> Rewriter<'_> {
        Rewriter::new(self.resolver, self.public, self.crate_name, module)
    }

    pub(super) fn entry(
        &self,
        owner: &str,
        rank: u8,
        order: usize,
        line: String,
        rw: &Rewriter,
    ) -> Entry {
        Entry {
            owner: owner.to_string(),
            rank,
            order,
            line,
            foreign: rw.foreign.clone(),
            private: rw.private.clone(),
        }
    }

    /// The lines of one public path.
    pub(crate) fn export(&self, export: &Export) -> Vec<Entry> {
        let empty = self.rewriter(&[]);
        match export {
            Export::Module(path) => {
                let owner = self.full(path);
                vec![self.entry(&owner, DECLARATION, 0, format!("pub mod {owner}"), &empty)]
            }
            Export::External { path, target } => {
                let owner = self.full(path);
                let mut rw = self.rewriter(&[]);
                rw.foreign.insert(target.join("::"));
                let line = format!("pub use {owner} = {}", target.join("::"));
                vec![self.entry(&owner, DECLARATION, 0, line, &rw)]
            }
            Export::Item { path, module, name } => {
                let Some(item) = find(self.resolver.modules, module, name) else {
                    return Vec::new();
                };
                let canonical = self
                    .public
                    .get(&(module.clone(), name.clone()))
                    .and_then(|paths| paths.first())
                    .is_some_and(|first| first == path);
                self.item(&self.full(path), module, item, canonical)
            }
        }
    }

    fn item(&self, owner: &str, module: &[String], item: &Item, canonical: bool) -> Vec<Entry> {
        let mut rw = self.rewriter(module);
        let mut out = Vec::new();
        let mut item = item.clone();
        match &mut item {
            Item::Struct(s) => {
                rw.with_generics(&s.generics);
                let prefix = non_exhaustive(&s.attrs);
                let mut decl = s.clone();
                decl.attrs.clear();
                decl.fields = Fields::Unit;
                decl.semi_token = Some(Token![;](Span::call_site()));
                let line = named(
                    &decl_text(Item::Struct(decl), &mut rw),
                    "struct",
                    &s.ident,
                    owner,
                );
                out.push(self.entry(owner, DECLARATION, 0, format!("{prefix}{line}"), &rw));
                if canonical {
                    for (i, field) in s.fields.iter().enumerate() {
                        if !is_pub(&field.vis) || hidden(&field.attrs) {
                            continue;
                        }
                        let mut rw = self.rewriter(module);
                        rw.with_generics(&s.generics);
                        let mut ty = field.ty.clone();
                        rw.visit_type_mut(&mut ty);
                        let name = field
                            .ident
                            .as_ref()
                            .map_or(i.to_string(), ToString::to_string);
                        let line = format!("pub {owner}::{name}: {}", type_text(&ty));
                        out.push(self.entry(owner, MEMBER, i, line, &rw));
                    }
                    out.extend(self.derives(
                        owner,
                        module,
                        &s.attrs,
                        &s.ident,
                        &s.generics,
                        &s.fields,
                    ));
                }
            }
            Item::Enum(e) => {
                rw.with_generics(&e.generics);
                let prefix = non_exhaustive(&e.attrs);
                let mut decl = e.clone();
                decl.attrs.clear();
                decl.variants.clear();
                let text = decl_text(Item::Enum(decl), &mut rw);
                let text = text.strip_suffix(" {}").unwrap_or(&text);
                let line = named(text, "enum", &e.ident, owner);
                out.push(self.entry(owner, DECLARATION, 0, format!("{prefix}{line}"), &rw));
                if canonical {
                    for (i, variant) in e.variants.iter().enumerate() {
                        if hidden(&variant.attrs) {
                            continue;
                        }
                        let mut rw = self.rewriter(module);
                        rw.with_generics(&e.generics);
                        let fields = fields_text(&variant.fields, &mut rw);
                        let prefix = non_exhaustive(&variant.attrs);
                        let line = format!("{prefix}{owner}::{}{fields}", variant.ident);
                        out.push(self.entry(owner, MEMBER, i, line, &rw));
                    }
                    for variant in &e.variants {
                        out.extend(self.impls_of_from_fields(
                            owner,
                            module,
                            &e.ident,
                            &e.generics,
                            &variant.fields,
                        ));
                    }
                    out.extend(self.derives(
                        owner,
                        module,
                        &e.attrs,
                        &e.ident,
                        &e.generics,
                        &Fields::Unit,
                    ));
                }
            }
            Item::Fn(f) => {
                rw.with_generics(&f.sig.generics);
                let (path, ident) = owner.rsplit_once("::").unwrap_or(("", owner));
                let line = fn_text(&f.sig, path, ident, &mut rw);
                out.push(self.entry(owner, DECLARATION, 0, line, &rw));
            }
            Item::Const(c) => {
                rw.visit_type_mut(&mut c.ty);
                let line = format!("pub const {owner}: {}", type_text(&c.ty));
                out.push(self.entry(owner, DECLARATION, 0, line, &rw));
            }
            Item::Static(s) => {
                rw.visit_type_mut(&mut s.ty);
                let mutability = if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                    "mut "
                } else {
                    ""
                };
                let line = format!("pub static {mutability}{owner}: {}", type_text(&s.ty));
                out.push(self.entry(owner, DECLARATION, 0, line, &rw));
            }
            Item::Type(t) => {
                rw.with_generics(&t.generics);
                let mut decl = t.clone();
                decl.attrs.clear();
                let line = named(
                    &decl_text(Item::Type(decl), &mut rw),
                    "type",
                    &t.ident,
                    owner,
                );
                out.push(self.entry(owner, DECLARATION, 0, line, &rw));
            }
            Item::Trait(t) => {
                rw.with_generics(&t.generics);
                let mut decl = t.clone();
                decl.attrs.clear();
                decl.items.clear();
                let text = decl_text(Item::Trait(decl), &mut rw);
                let text = text.strip_suffix(" {}").unwrap_or(&text);
                out.push(self.entry(
                    owner,
                    DECLARATION,
                    0,
                    named(text, "trait", &t.ident, owner),
                    &rw,
                ));
                if canonical {
                    for item in &t.items {
                        if let syn::TraitItem::Fn(f) = item {
                            let mut rw = self.rewriter(module);
                            rw.with_generics(&t.generics).with_generics(&f.sig.generics);
                            let line = fn_text(&f.sig, owner, &f.sig.ident.to_string(), &mut rw);
                            let line = line.strip_prefix("pub ").unwrap_or(&line).to_string();
                            out.push(self.entry(owner, FUNCTION, 0, line, &rw));
                        }
                    }
                }
            }
            Item::Union(_) => {
                let line = format!("pub union {owner}");
                out.push(self.entry(owner, DECLARATION, 0, line, &rw));
            }
            _ => {}
        }
        out
    }

    /// The public functions and constants of inherent impls, and the trait impls, of
    /// the crate's public types (or naming one).
    pub(crate) fn impls(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for (module, m) in self.resolver.modules {
            for item in &m.items {
                let Item::Impl(block) = item else { continue };
                if hidden(&block.attrs) {
                    continue;
                }
                let mut rw = self.rewriter(module);
                rw.with_generics(&block.generics);
                let Some(owner) = self.impl_owner(module, block) else {
                    continue;
                };
                if block.trait_.is_some() {
                    let mut header = block.clone();
                    header.attrs.clear();
                    header.items.clear();
                    let text = decl_text(Item::Impl(header), &mut rw);
                    // rustdoc leaves out an impl that names a private item (a private
                    // trait, a private type as its argument): no dependent can use it.
                    if rw.private.is_empty() {
                        let line = text.strip_suffix(" {}").unwrap_or(&text).to_string();
                        out.push(self.entry(&owner, IMPL, 0, line, &rw));
                    }
                    continue;
                }
                let mut self_ty = (*block.self_ty).clone();
                rw.visit_type_mut(&mut self_ty);
                let on = if block.generics.params.is_empty() {
                    owner.clone()
                } else {
                    type_text(&self_ty)
                };
                for member in &block.items {
                    let mut rw = self.rewriter(module);
                    rw.with_generics(&block.generics);
                    let line = match member {
                        ImplItem::Fn(f)
                            if is_pub(&f.vis)
                                && !hidden(&f.attrs)
                                && !compiled_out(&f.attrs, false) =>
                        {
                            rw.with_generics(&f.sig.generics);
                            fn_text(&f.sig, &on, &f.sig.ident.to_string(), &mut rw)
                        }
                        ImplItem::Const(c)
                            if is_pub(&c.vis)
                                && !hidden(&c.attrs)
                                && !compiled_out(&c.attrs, false) =>
                        {
                            let mut ty = c.ty.clone();
                            rw.visit_type_mut(&mut ty);
                            format!("pub const {on}::{}: {}", c.ident, type_text(&ty))
                        }
                        _ => continue,
                    };
                    out.push(self.entry(&owner, FUNCTION, 0, line, &rw));
                }
            }
        }
        out
    }

    /// The public path an impl is listed under: its self type's, else the first
    /// public item its trait names (`impl From<Cidr> for IpNet`).
    fn impl_owner(&self, module: &[String], block: &syn::ItemImpl) -> Option<String> {
        let mut candidates = vec![self_path(&block.self_ty)];
        if let Some((path, _)) = &block.trait_ {
            candidates.push(Some(path.clone()));
            for segment in &path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::Type(ty) = arg {
                            candidates.push(self_path(ty));
                        }
                    }
                }
            }
        }
        candidates.into_iter().flatten().find_map(|path| {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            match self.resolver.resolve(module, &segments, Namespace::Type) {
                Target::Item { module, name, rest } if rest.is_empty() => {
                    let public = self.public.get(&(module, name))?.first()?;
                    Some(self.full(public))
                }
                _ => None,
            }
        })
    }
}

fn non_exhaustive(attrs: &[Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        "#[non_exhaustive] "
    } else {
        ""
    }
}

fn self_path(ty: &Type) -> Option<syn::Path> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(p.path.clone()),
        Type::Reference(r) => self_path(&r.elem),
        _ => None,
    }
}

/// An item, its paths rewritten, as one line.
pub(super) fn decl_text(mut item: Item, rw: &mut Rewriter) -> String {
    rw.visit_item_mut(&mut item);
    let text = item_text(item);
    text.strip_suffix(';').unwrap_or(&text).to_string()
}

/// `text` with the item's name (after `keyword`) replaced by its public path.
pub(super) fn named(text: &str, keyword: &str, ident: &syn::Ident, owner: &str) -> String {
    text.replacen(
        &format!("{keyword} {ident}"),
        &format!("{keyword} {owner}"),
        1,
    )
}

/// `pub fn owner::name(...) -> ...`, no body.
fn fn_text(sig: &syn::Signature, owner: &str, name: &str, rw: &mut Rewriter) -> String {
    let mut sig = sig.clone();
    rw.visit_signature_mut(&mut sig);
    // `mut self`, `mut name`: how the body binds an argument, not the signature.
    for input in &mut sig.inputs {
        match input {
            syn::FnArg::Receiver(receiver) => {
                receiver.mutability = None;
            }
            syn::FnArg::Typed(typed) => {
                if let syn::Pat::Ident(ident) = &mut *typed.pat {
                    ident.mutability = None;
                }
            }
        }
    }
    let item: Item = syn::parse_quote!(pub #sig {});
    let text = item_text(item);
    let text = text.strip_suffix(" {}").unwrap_or(&text);
    let path = if owner.is_empty() {
        name.to_string()
    } else {
        format!("{owner}::{name}")
    };
    match text.find("fn ") {
        Some(at) => {
            let after = at + 3 + sig.ident.to_string().len();
            format!(
                "{}fn {path}{}",
                &text[..at],
                text.get(after..).unwrap_or_default()
            )
        }
        None => text.to_string(),
    }
}

fn fields_text(fields: &Fields, rw: &mut Rewriter) -> String {
    let types: Vec<(Option<String>, String)> = fields
        .iter()
        .map(|field| {
            let mut ty = field.ty.clone();
            rw.visit_type_mut(&mut ty);
            (
                field.ident.as_ref().map(ToString::to_string),
                type_text(&ty),
            )
        })
        .collect();
    match fields {
        Fields::Unit => String::new(),
        Fields::Unnamed(_) => {
            let list: Vec<String> = types.into_iter().map(|(_, ty)| ty).collect();
            format!("({})", list.join(", "))
        }
        Fields::Named(_) => {
            let list: Vec<String> = types
                .into_iter()
                .map(|(name, ty)| format!("{}: {ty}", name.unwrap_or_default()))
                .collect();
            format!(" {{ {} }}", list.join(", "))
        }
    }
}
