//! A small `macro_rules!` expander for the item macros a crate declares itself
//! (`id_type!(...)` declaring the id types, for example): matchers of tokens,
//! groups, `$name:fragment` and `$( ... ) sep op` repetitions; fragments parsed
//! with syn. Enough for declarative macros that stamp out items; a macro it cannot
//! match is an error rather than a silently missing item.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::Item;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};

/// The crate's `macro_rules!`, by name.
pub(crate) struct Macros(BTreeMap<String, Vec<Rule>>);

struct Rule {
    matcher: Vec<Pat>,
    body: TokenStream,
}

enum Pat {
    Token(String),
    Group(Delimiter, Vec<Pat>),
    Var(String, String),
    Repeat(Vec<Pat>, Option<String>, char),
}

#[derive(Clone)]
enum Bound {
    One(TokenStream),
    Many(Vec<BTreeMap<String, Bound>>),
}

type Env = BTreeMap<String, Bound>;

const MAX_DEPTH: usize = 8;

impl Macros {
    pub(crate) fn collect<'a>(items: impl Iterator<Item = &'a Item>) -> Self {
        let mut macros = BTreeMap::new();
        for item in items {
            if let Item::Macro(def) = item
                && def.mac.path.is_ident("macro_rules")
                && let Some(name) = &def.ident
            {
                macros.insert(name.to_string(), rules(def.mac.tokens.clone()));
            }
        }
        Self(macros)
    }

    /// `items` with every invocation of one of these macros replaced by its expansion.
    pub(crate) fn expand_items(&self, items: Vec<Item>) -> Result<Vec<Item>, String> {
        self.expand_at(items, 0)
    }

    fn expand_at(&self, items: Vec<Item>, depth: usize) -> Result<Vec<Item>, String> {
        let mut out = Vec::new();
        for item in items {
            let Item::Macro(call) = &item else {
                out.push(item);
                continue;
            };
            let name = call.mac.path.get_ident().map(Ident::to_string);
            let Some(rules) = name.as_ref().and_then(|name| self.0.get(name)) else {
                out.push(item);
                continue;
            };
            let name = name.unwrap_or_default();
            if depth >= MAX_DEPTH {
                return Err(format!("`{name}!` expands too deep"));
            }
            let expansion = expand(rules, call.mac.tokens.clone())
                .ok_or_else(|| format!("no rule of `{name}!` matches an invocation"))?;
            let file: syn::File = syn::parse2(expansion)
                .map_err(|e| format!("the expansion of `{name}!` is not items: {e}"))?;
            out.extend(self.expand_at(file.items, depth + 1)?);
        }
        Ok(out)
    }
}

fn rules(tokens: TokenStream) -> Vec<Rule> {
    let mut rules = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        // (matcher) => { body } ;
        if let (Some(TokenTree::Group(matcher)), Some(TokenTree::Group(body))) =
            (trees.get(i), trees.get(i + 3))
        {
            rules.push(Rule {
                matcher: patterns(matcher.stream()),
                body: body.stream(),
            });
            i += 5;
        } else {
            i += 1;
        }
    }
    rules
}

fn patterns(tokens: TokenStream) -> Vec<Pat> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut pats = Vec::new();
    let mut i = 0;
    while let Some(tree) = trees.get(i) {
        i += 1;
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' => match trees.get(i) {
                Some(TokenTree::Ident(name)) => {
                    let fragment = trees.get(i + 2).map(ToString::to_string);
                    pats.push(Pat::Var(name.to_string(), fragment.unwrap_or_default()));
                    i += 3;
                }
                Some(TokenTree::Group(group)) => {
                    let inner = patterns(group.stream());
                    let next = trees.get(i + 1).map(ToString::to_string);
                    let (sep, op) = match next.as_deref() {
                        Some(op @ ("*" | "+" | "?")) => (None, op.chars().next()),
                        _ => (next, trees.get(i + 2).and_then(|t| t.to_string().pop())),
                    };
                    i += if sep.is_some() { 3 } else { 2 };
                    pats.push(Pat::Repeat(inner, sep, op.unwrap_or('*')));
                }
                _ => pats.push(Pat::Token("$".into())),
            },
            TokenTree::Group(group) => {
                pats.push(Pat::Group(group.delimiter(), patterns(group.stream())));
            }
            other => pats.push(Pat::Token(other.to_string())),
        }
    }
    pats
}

fn expand(rules: &[Rule], input: TokenStream) -> Option<TokenStream> {
    rules.iter().find_map(|rule| {
        let mut env = Env::new();
        let parser = |stream: ParseStream| match_all(stream, &rule.matcher, &mut env);
        parser.parse2(input.clone()).ok()?;
        Some(transcribe(rule.body.clone(), &env))
    })
}

fn match_all(input: ParseStream, pats: &[Pat], env: &mut Env) -> syn::Result<()> {
    match_seq(input, pats, env)?;
    if input.is_empty() {
        Ok(())
    } else {
        Err(input.error("unexpected tokens"))
    }
}

fn match_seq(input: ParseStream, pats: &[Pat], env: &mut Env) -> syn::Result<()> {
    for pat in pats {
        match pat {
            Pat::Token(text) => {
                let got: TokenTree = input.parse()?;
                if got.to_string() != *text {
                    return Err(syn::Error::new(got.span(), "token differs"));
                }
            }
            Pat::Group(delimiter, inner) => {
                let got: TokenTree = input.parse()?;
                let TokenTree::Group(group) = got else {
                    return Err(input.error("expected a group"));
                };
                if group.delimiter() != *delimiter {
                    return Err(input.error("delimiter differs"));
                }
                let parser = |stream: ParseStream| match_all(stream, inner, env);
                parser.parse2(group.stream())?;
            }
            Pat::Var(name, fragment) => {
                env.insert(name.clone(), Bound::One(fragment_tokens(input, fragment)?));
            }
            Pat::Repeat(inner, sep, op) => {
                let mut rounds = Vec::new();
                loop {
                    if *op == '?' && !rounds.is_empty() {
                        break;
                    }
                    let fork = input.fork();
                    if let (Some(sep), false) = (sep, rounds.is_empty()) {
                        match fork.parse::<TokenTree>() {
                            Ok(tree) if tree.to_string() == *sep => {}
                            _ => break,
                        }
                    }
                    let mut round = Env::new();
                    if fork.is_empty() || match_seq(&fork, inner, &mut round).is_err() {
                        break;
                    }
                    input.advance_to(&fork);
                    rounds.push(round);
                }
                if *op == '+' && rounds.is_empty() {
                    return Err(input.error("expected at least one repetition"));
                }
                for name in variables(inner) {
                    env.insert(name, Bound::Many(rounds.clone()));
                }
            }
        }
    }
    Ok(())
}

fn fragment_tokens(input: ParseStream, fragment: &str) -> syn::Result<TokenStream> {
    Ok(match fragment {
        "ident" => input.call(Ident::parse_any)?.into_token_stream(),
        "literal" => input.parse::<syn::Lit>()?.into_token_stream(),
        "ty" => input.parse::<syn::Type>()?.into_token_stream(),
        "path" => input.parse::<syn::Path>()?.into_token_stream(),
        "meta" => input.parse::<syn::Meta>()?.into_token_stream(),
        "lifetime" => input.parse::<syn::Lifetime>()?.into_token_stream(),
        "vis" => input.parse::<syn::Visibility>()?.into_token_stream(),
        "item" => input.parse::<syn::Item>()?.into_token_stream(),
        "block" => input.parse::<syn::Block>()?.into_token_stream(),
        "expr" => {
            let expr = input.parse::<syn::Expr>()?.into_token_stream();
            TokenTree::Group(Group::new(Delimiter::None, expr)).into()
        }
        _ => input.parse::<TokenTree>()?.into(),
    })
}

fn variables(pats: &[Pat]) -> Vec<String> {
    let mut names = Vec::new();
    for pat in pats {
        match pat {
            Pat::Var(name, _) => names.push(name.clone()),
            Pat::Group(_, inner) | Pat::Repeat(inner, ..) => names.extend(variables(inner)),
            Pat::Token(_) => {}
        }
    }
    names
}

fn transcribe(body: TokenStream, env: &Env) -> TokenStream {
    let trees: Vec<TokenTree> = body.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while let Some(tree) = trees.get(i) {
        i += 1;
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' => match trees.get(i) {
                Some(TokenTree::Ident(name)) => {
                    i += 1;
                    match env.get(&name.to_string()) {
                        Some(Bound::One(tokens)) => out.extend(tokens.clone()),
                        _ => out.extend([tree.clone(), TokenTree::Ident(name.clone())]),
                    }
                }
                Some(TokenTree::Group(group)) => {
                    let next = trees.get(i + 1).map(ToString::to_string);
                    let sep = match next.as_deref() {
                        Some("*" | "+" | "?") => None,
                        _ => trees.get(i + 1).cloned(),
                    };
                    i += if sep.is_some() { 3 } else { 2 };
                    for (n, round) in rounds(group.stream(), env).iter().enumerate() {
                        if let (Some(sep), true) = (&sep, n > 0) {
                            out.extend([sep.clone()]);
                        }
                        out.extend(transcribe(group.stream(), round));
                    }
                }
                _ => out.extend([TokenTree::Punct(Punct::new('$', Spacing::Alone))]),
            },
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), transcribe(group.stream(), env));
                inner.set_span(group.span());
                out.extend([TokenTree::Group(inner)]);
            }
            other => out.extend([other.clone()]),
        }
    }
    out
}

/// The environments of each round of a `$( ... )` in a body: one per match of the
/// repeated variables it names.
fn rounds(body: TokenStream, env: &Env) -> Vec<Env> {
    let named = mentioned(body);
    let Some(count) = named.iter().find_map(|name| match env.get(name) {
        Some(Bound::Many(rounds)) => Some(rounds.len()),
        _ => None,
    }) else {
        return Vec::new();
    };
    (0..count)
        .map(|n| {
            let mut round = env.clone();
            for name in &named {
                if let Some(Bound::Many(rounds)) = env.get(name)
                    && let Some(matched) = rounds.get(n)
                {
                    round.remove(name);
                    round.extend(matched.clone());
                }
            }
            round
        })
        .collect()
}

fn mentioned(body: TokenStream) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_dollar = false;
    for tree in body {
        match &tree {
            TokenTree::Ident(name) if after_dollar => names.push(name.to_string()),
            TokenTree::Group(group) => names.extend(mentioned(group.stream())),
            _ => {}
        }
        after_dollar = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '$');
    }
    names
}
