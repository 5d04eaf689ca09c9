//! No import circle between a crate's modules. Each file module is a node; an edge
//! goes from a module to the module that declares what a `crate::…` or `super::…`
//! path in its code names (a `use`, a path in an expression or a type, a path inside
//! a macro call), re-exports followed to the declaring module. A module reaching down
//! into its own children by a relative path (`builder::ClientBuilder`) is no edge.
//! `#[cfg(test)]` modules are left out; doc comments are not code.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

use super::Offence;
use crate::public_api::resolve::{Namespace, Resolver, Target};
use crate::public_api::source::{self, Modules};

/// Where an edge comes from: the file, the line and the path written there.
type Evidence = (PathBuf, usize, String);
type Graph = BTreeMap<Vec<String>, BTreeMap<Vec<String>, Evidence>>;

/// The crate roots of the workspace: each member's library, binaries and integration
/// tests, as its manifest names them or cargo finds them (`src/lib.rs`,
/// `src/main.rs`, `src/bin/*.rs`, `tests/*.rs`, `tests/*/main.rs`).
pub fn crate_roots(root: &Path) -> Vec<PathBuf> {
    let table = |path: &Path| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
            .unwrap_or_default()
    };
    let members: Vec<String> = table(&root.join("Cargo.toml"))
        .get("workspace")
        .and_then(|w| w.get("members")?.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    let mut roots = Vec::new();
    for member in members {
        let dir = root.join(&member);
        let manifest = table(&dir.join("Cargo.toml"));
        let mut candidates = vec![dir.join("src/lib.rs"), dir.join("src/main.rs")];
        if let Some(path) = manifest.get("lib").and_then(|l| l.get("path")?.as_str()) {
            candidates.push(dir.join(path));
        }
        for kind in ["bin", "test"] {
            for target in manifest
                .get(kind)
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(path) = target.get("path").and_then(|p| p.as_str()) {
                    candidates.push(dir.join(path));
                }
            }
        }
        for folder in ["src/bin", "tests"] {
            for entry in std::fs::read_dir(dir.join(folder))
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = entry.path();
                candidates.push(if path.is_dir() {
                    path.join("main.rs")
                } else {
                    path
                });
            }
        }
        for path in candidates {
            if path.is_file()
                && path.extension().is_some_and(|e| e == "rs")
                && !roots.contains(&path)
            {
                roots.push(path);
            }
        }
    }
    roots.sort();
    roots
}

/// The import circles of every crate of the workspace, one offence per circle.
pub fn import_cycles(root: &Path) -> Vec<Offence> {
    let mut offences = Vec::new();
    for crate_root in crate_roots(root) {
        match source::load_all(&crate_root) {
            Ok(modules) => offences.extend(cycles_of(root, &crate_root, &modules)),
            Err(e) => offences.push(Offence::new(root, &e.file, 0, e.message)),
        }
    }
    offences
}

fn cycles_of(root: &Path, crate_root: &Path, modules: &Modules) -> Vec<Offence> {
    let graph = graph(modules);
    let mut offences = Vec::new();
    for component in components(&graph) {
        let Some(start) = component.iter().next() else {
            continue;
        };
        let Some(cycle) = shortest_cycle(&graph, start, &component) else {
            continue;
        };
        let names: Vec<String> = cycle.iter().map(|m| name(m)).collect();
        let mut evidence = Vec::new();
        for pair in cycle.windows(2) {
            if let [from, to] = pair
                && let Some((file, line, path)) = graph.get(from).and_then(|edges| edges.get(to))
            {
                let file = file.strip_prefix(root).unwrap_or(file);
                evidence.push(format!("{}:{line} `{path}`", file.display()));
            }
        }
        let (file, line) = cycle
            .first()
            .zip(cycle.get(1))
            .and_then(|(a, b)| graph.get(a)?.get(b))
            .map_or((crate_root.to_path_buf(), 0), |(file, line, _)| {
                (file.clone(), *line)
            });
        let mut message = format!("import circle {}", names.join(" -> "));
        if component.len() + 1 > cycle.len() {
            let all: Vec<String> = component.iter().map(|m| name(m)).collect();
            message.push_str(&format!(" (one circle of {})", all.join(", ")));
        }
        message.push_str(&format!(": {}", evidence.join("; ")));
        message.push_str("; make the imports point one way");
        offences.push(Offence::new(root, &file, line, message));
    }
    offences
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The module whose file holds `module` (an inline module belongs to its file's).
fn file_module(modules: &Modules, module: &[String]) -> Vec<String> {
    let file = modules.get(module).map(|m| &m.file);
    (0..=module.len())
        .map(|n| &module[..n])
        .find(|prefix| modules.get(*prefix).map(|m| &m.file) == file)
        .unwrap_or(module)
        .to_vec()
}

fn graph(modules: &Modules) -> Graph {
    let resolver = Resolver { modules };
    let mut graph = Graph::new();
    for (module, m) in modules {
        let from = file_module(modules, module);
        graph.entry(from.clone()).or_default();
        let mut paths = Paths::default();
        for item in &m.items {
            if !matches!(item, syn::Item::Mod(_)) {
                paths.visit_item(item);
            }
        }
        for (segments, line) in paths.found {
            let target = match resolver.resolve(module, &segments, Namespace::Any) {
                Target::Module(target) => target,
                Target::Item { module, .. } => module,
                _ => continue,
            };
            let to = file_module(modules, &target);
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| (m.file.clone(), line, segments.join("::")));
            }
        }
    }
    graph
}

/// The `crate::…` and `super::…` paths of some code, with their lines.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, usize)>,
}

impl Paths {
    fn add(&mut self, segments: Vec<String>, line: usize) {
        if segments
            .first()
            .is_some_and(|s| s == "crate" || s == "super")
            && segments.len() > 1
        {
            self.found.push((segments, line));
        }
    }

    fn scan(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while let Some(tree) = trees.get(i) {
            i += 1;
            match tree {
                TokenTree::Ident(ident) if ident == "crate" || ident == "super" => {
                    let mut segments = vec![ident.to_string()];
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (trees.get(i), trees.get(i + 1), trees.get(i + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        i += 3;
                    }
                    self.add(segments, ident.span().start().line);
                }
                TokenTree::Group(group) => self.scan(group.stream()),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let line = item.use_token.span.start().line;
        for leaf in crate::public_api::resolve::use_leaves(&item.tree) {
            self.add(leaf.path, line);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        self.add(segments, line);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.scan(mac.tokens.clone());
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn components(graph: &Graph) -> Vec<BTreeSet<Vec<String>>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        out: Vec<BTreeSet<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, node: &'a Vec<String>) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        for next in s.graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[next].min(s.low[node]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.index[next].min(s.low[node]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = BTreeSet::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.insert(top.clone());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.out.sort();
    state.out
}

/// The shortest way from `start` back to itself within `component` (breadth first).
fn shortest_cycle(
    graph: &Graph,
    start: &Vec<String>,
    component: &BTreeSet<Vec<String>>,
) -> Option<Vec<Vec<String>>> {
    let mut parent: BTreeMap<&Vec<String>, &Vec<String>> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            if next == start {
                let mut cycle = vec![node.clone()];
                let mut at = node;
                while at != start {
                    at = parent.get(at)?;
                    cycle.push(at.clone());
                }
                cycle.reverse();
                cycle.push(start.clone());
                return Some(cycle);
            }
            if component.contains(next) && !parent.contains_key(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}
