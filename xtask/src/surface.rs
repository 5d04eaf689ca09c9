//! A review-friendly description of the generated client's public surface.
//!
//! It is derived from the generated source with syn, never written by hand: for
//! each operation its HTTP method, path, Rust method, parameters, success and
//! error types; for each type its fields with Rust types and wire names. The
//! workspace tests keep it as an insta snapshot, so a spec change shows up in a
//! pull request as a short, readable diff.

use std::fmt::Write;

use syn::{Attribute, Expr, Fields, FnArg, ImplItem, Item, Lit, Meta, ReturnType, Type};

/// Describes the public surface of the generated source `source`.
pub fn describe(source: &str) -> Result<String, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut operations = String::new();
    let mut types = String::new();
    for item in &file.items {
        match item {
            Item::Impl(block) if is_client_impl(block) => {
                for item in &block.items {
                    if let ImplItem::Fn(function) = item {
                        describe_operation(function, &mut operations);
                    }
                }
            }
            Item::Mod(module) if module.ident == "types" => {
                for item in module.content.iter().flat_map(|(_, items)| items) {
                    describe_type(item, &mut types);
                }
            }
            _ => {}
        }
    }
    Ok(format!("# Operations\n{operations}\n# Types\n{types}"))
}

/// `impl Client { ... }` with the operations (not `impl ClientInfo for Client`).
fn is_client_impl(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none() && type_name(&block.self_ty) == "Client"
}

fn describe_operation(function: &syn::ImplItemFn, out: &mut String) {
    if !matches!(function.vis, syn::Visibility::Public(_)) {
        return;
    }
    let sig = &function.sig;
    // Operations say their route in their doc comment; constructors do not.
    let Some(route) = doc_text(&function.attrs)
        .lines()
        .find_map(|line| line.trim().strip_prefix("Sends a `"))
        .map(|rest| rest.replace("` request to `", " ").replace('`', ""))
    else {
        return;
    };
    let _ = writeln!(out, "\n{route}\n  fn {}", sig.ident);
    for input in &sig.inputs {
        if let FnArg::Typed(arg) = input {
            let name = quote_tokens(&arg.pat);
            let _ = writeln!(out, "    {name}: {}", type_name(&arg.ty));
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        let (success, error) = split_result(&type_name(ty));
        let _ = writeln!(out, "  ok: {success}\n  err: {error}");
    }
}

/// Splits `Result<ResponseValue<T>, Error<E>>` into `T` and `E`.
fn split_result(result: &str) -> (String, String) {
    let inner = result
        .strip_prefix("Result<")
        .and_then(|r| r.strip_suffix('>'))
        .unwrap_or(result);
    // The error half is the last top-level `, `.
    let mut depth = 0usize;
    let mut split = None;
    for (i, c) in inner.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => split = Some(i),
            _ => {}
        }
    }
    match split {
        Some(i) => (
            unwrap_generic(inner[..i].trim(), "ResponseValue"),
            unwrap_generic(inner[i + 1..].trim(), "Error"),
        ),
        None => (inner.to_string(), String::new()),
    }
}

fn unwrap_generic(ty: &str, wrapper: &str) -> String {
    ty.strip_prefix(wrapper)
        .and_then(|t| t.strip_prefix('<'))
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(ty)
        .to_string()
}

fn describe_type(item: &Item, out: &mut String) {
    match item {
        Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => match &s.fields {
            Fields::Named(fields) => {
                let _ = writeln!(out, "\nstruct {}", s.ident);
                for field in &fields.named {
                    let name = field.ident.as_ref().map(ToString::to_string);
                    let name = name.unwrap_or_default();
                    let wire = serde_rename(&field.attrs).unwrap_or_else(|| name.clone());
                    let mut notes = vec![format!("wire \"{wire}\"")];
                    if has_serde_word(&field.attrs, "default") {
                        notes.push("default when absent".into());
                    }
                    let notes = format!("  ({})", notes.join(", "));
                    let _ = writeln!(out, "  {name}: {}{notes}", type_name(&field.ty));
                }
            }
            Fields::Unnamed(fields) => {
                let inner: Vec<String> = fields.unnamed.iter().map(|f| type_name(&f.ty)).collect();
                // A private inner value is only reachable through validation.
                let validated = fields
                    .unnamed
                    .iter()
                    .any(|f| !matches!(f.vis, syn::Visibility::Public(_)));
                let note = if validated {
                    "  (validated on parse)"
                } else {
                    ""
                };
                let _ = writeln!(out, "\nnewtype {}({}){note}", s.ident, inner.join(", "));
            }
            Fields::Unit => {
                let _ = writeln!(out, "\nunit {}", s.ident);
            }
        },
        Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
            let _ = writeln!(out, "\nenum {}", e.ident);
            for variant in &e.variants {
                let name = variant.ident.to_string();
                let wire = serde_rename(&variant.attrs).unwrap_or_else(|| name.clone());
                let _ = writeln!(out, "  {name}  (wire \"{wire}\")");
            }
        }
        _ => {}
    }
}

/// The doc comment of an item, lines joined with newlines.
fn doc_text(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(s) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The value of `#[serde(rename = "...")]`, if any.
fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                // Skip the value of any other `key = value`.
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// Whether `#[serde(word)]` or `#[serde(word = ...)]` is present.
fn has_serde_word(attrs: &[Attribute], word: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(word) {
                found = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// A type as a reviewer would write it: no lifetimes, no `::std::...` prefixes,
/// no trailing commas, no spaces.
fn type_name(ty: &Type) -> String {
    let mut ty = ty.clone();
    if let Type::Reference(reference) = &mut ty {
        reference.lifetime = None;
    }
    let mut text = quote_tokens(&ty).replace(",>", ">");
    for prefix in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::serde_json::",
        "types::",
    ] {
        text = text.replace(prefix, "");
    }
    text.replace(',', ", ")
}

fn quote_tokens(tokens: &impl quote::ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_splits_at_the_top_level_comma() {
        let (ok, err) = split_result("Result<ResponseValue<Map<A, B>>, Error<Failure>>");
        assert_eq!((ok.as_str(), err.as_str()), ("Map<A, B>", "Failure"));
    }

    #[test]
    fn renamed_fields_show_their_wire_name() {
        let source = r#"
            pub mod types {
                pub struct Thing {
                    #[serde(rename = "type", default)]
                    pub type_: ::std::option::Option<::std::string::String>,
                }
            }
        "#;
        let surface = describe(source).unwrap_or_default();
        assert!(
            surface.contains("type_: Option<String>  (wire \"type\", default when absent)"),
            "{surface}"
        );
    }
}
