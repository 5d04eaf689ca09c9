//! Name resolution over a crate's modules, as far as an API listing needs it: what a
//! path written in a module (`crate::…`, `self::…`, `super::…`, a name brought in
//! by `use`, an item of the module, another crate's path) names.

use syn::{Item, UseTree};

use super::source::Modules;

/// What a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A module of the crate.
    Module(Vec<String>),
    /// An item declared in `module`, then `rest` (an enum variant, an associated item).
    Item {
        module: Vec<String>,
        name: String,
        rest: Vec<String>,
    },
    /// A path into another crate (std included), in full.
    External(Vec<String>),
    /// A name the crate does not declare or import: the prelude, a generic parameter.
    Unknown,
}

/// Which namespace a name is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Namespace {
    /// Modules and types: the segments before the last, and type positions.
    Type,
    /// Anything: what a `use` brings in.
    Any,
}

/// One leaf of a `use` tree: the path it imports and the name it binds (`None` for
/// a glob).
pub(crate) struct UseLeaf {
    pub(crate) path: Vec<String>,
    pub(crate) name: Option<String>,
}

/// The leaves of `tree`, each with its full path.
pub(crate) fn use_leaves(tree: &UseTree) -> Vec<UseLeaf> {
    let mut leaves = Vec::new();
    collect_leaves(tree, &mut Vec::new(), &mut leaves);
    leaves
}

fn collect_leaves(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            collect_leaves(&path.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(name) => {
            let name = name.ident.to_string();
            let (path, bound) = if name == "self" {
                (prefix.clone(), prefix.last().cloned().unwrap_or_default())
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                (path, name)
            };
            out.push(UseLeaf {
                path,
                name: Some(bound),
            });
        }
        UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            let name = rename.ident.to_string();
            if name != "self" {
                path.push(name);
            }
            let bound = rename.rename.to_string();
            if bound != "_" {
                out.push(UseLeaf {
                    path,
                    name: Some(bound),
                });
            }
        }
        UseTree::Glob(_) => out.push(UseLeaf {
            path: prefix.clone(),
            name: None,
        }),
        UseTree::Group(group) => {
            for tree in &group.items {
                collect_leaves(tree, prefix, out);
            }
        }
    }
}

/// Resolves paths within one crate's modules.
pub(crate) struct Resolver<'a> {
    pub(crate) modules: &'a Modules,
}

const MAX_DEPTH: usize = 24;

impl Resolver<'_> {
    /// What `segments`, written in `module`, name.
    pub(crate) fn resolve(&self, module: &[String], segments: &[String], ns: Namespace) -> Target {
        self.resolve_at(module, segments, ns, 0)
    }

    fn resolve_at(
        &self,
        module: &[String],
        segments: &[String],
        ns: Namespace,
        depth: usize,
    ) -> Target {
        let Some((first, rest)) = segments.split_first() else {
            return Target::Unknown;
        };
        if depth > MAX_DEPTH {
            return Target::Unknown;
        }
        let first_ns = if rest.is_empty() { ns } else { Namespace::Type };
        let mut target = match first.as_str() {
            "crate" => Target::Module(Vec::new()),
            "self" => Target::Module(module.to_vec()),
            "super" => Target::Module(parent(module)),
            "Self" => return Target::Unknown,
            _ => match self.lookup(module, first, first_ns, depth) {
                Some(found) => found,
                None if rest.is_empty() => return Target::Unknown,
                None => return Target::External(segments.to_vec()),
            },
        };
        for (i, segment) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            let seg_ns = if last { ns } else { Namespace::Type };
            target = match target {
                Target::Module(m) if segment == "super" => Target::Module(parent(&m)),
                Target::Module(m) => match self.lookup(&m, segment, seg_ns, depth) {
                    Some(found) => found,
                    None => return Target::Unknown,
                },
                Target::External(mut path) => {
                    path.push(segment.clone());
                    Target::External(path)
                }
                Target::Item {
                    module,
                    name,
                    mut rest,
                } => {
                    rest.push(segment.clone());
                    Target::Item { module, name, rest }
                }
                Target::Unknown => return Target::Unknown,
            };
        }
        target
    }

    /// `name` in `module`: an item declared there, then a `use`, then a glob import.
    fn lookup(&self, module: &[String], name: &str, ns: Namespace, depth: usize) -> Option<Target> {
        let items = &self.modules.get(module)?.items;
        for item in items {
            if let Some(found) = declared(module, item, name, ns) {
                return Some(found);
            }
        }
        let leaves: Vec<UseLeaf> = items
            .iter()
            .filter_map(|item| match item {
                Item::Use(u) => Some(use_leaves(&u.tree)),
                _ => None,
            })
            .flatten()
            .collect();
        for leaf in leaves.iter().filter(|l| l.name.as_deref() == Some(name)) {
            let found = self.resolve_at(module, &leaf.path, ns, depth + 1);
            if fits(&found, ns, self.modules) {
                return Some(found);
            }
        }
        for leaf in leaves.iter().filter(|l| l.name.is_none()) {
            if let Target::Module(glob) =
                self.resolve_at(module, &leaf.path, Namespace::Type, depth + 1)
                && glob.as_slice() != module
                && let Some(found) = self.lookup(&glob, name, ns, depth + 1)
            {
                return Some(found);
            }
        }
        None
    }
}

fn declared(module: &[String], item: &Item, name: &str, ns: Namespace) -> Option<Target> {
    let (ident, is_type) = match item {
        Item::Mod(m) => {
            if m.ident != name {
                return None;
            }
            let mut path = module.to_vec();
            path.push(name.to_string());
            return Some(Target::Module(path));
        }
        Item::Struct(i) => (&i.ident, true),
        Item::Enum(i) => (&i.ident, true),
        Item::Union(i) => (&i.ident, true),
        Item::Trait(i) => (&i.ident, true),
        Item::Type(i) => (&i.ident, true),
        Item::Fn(i) => (&i.sig.ident, false),
        Item::Const(i) => (&i.ident, false),
        Item::Static(i) => (&i.ident, false),
        _ => return None,
    };
    (ident == name && (is_type || ns == Namespace::Any)).then(|| Target::Item {
        module: module.to_vec(),
        name: name.to_string(),
        rest: Vec::new(),
    })
}

/// Whether a found target belongs to the namespace asked for (a `use` of a function
/// does not answer a type position).
fn fits(target: &Target, ns: Namespace, modules: &Modules) -> bool {
    match (target, ns) {
        (Target::Unknown, _) => false,
        (Target::Item { module, name, rest }, Namespace::Type) if rest.is_empty() => {
            modules.get(module).is_some_and(|m| {
                m.items
                    .iter()
                    .any(|item| declared(module, item, name, Namespace::Type).is_some())
            })
        }
        _ => true,
    }
}

fn parent(module: &[String]) -> Vec<String> {
    module
        .split_last()
        .map(|(_, p)| p.to_vec())
        .unwrap_or_default()
}
