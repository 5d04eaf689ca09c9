//! House rules checked by `cargo test` (xtask/tests/tidy.rs), in rust-analyzer's
//! manner: each check reads the workspace at `root` and returns its offences, each
//! naming a file and a line, so a failing test says exactly what to change.
//!
//! - [`long_files`]: no hand-written `.rs` file over [`MAX_LINES`] lines;
//! - [`path_attributes`]: no `#[path]` in a test file;
//! - [`print_macros`]: no print macro in a crate's `src/` outside the CLI's output module;
//! - [`import_cycles`]: no circle of `crate::`/`super::` imports between a crate's modules;
//! - [`curated_comments`]: the spec's `CURATED(id)` comments and its sidecar agree;
//! - [`rust_versions`]: every crate takes the workspace's `rust-version`, and the
//!   workspace's is the one the code needs.

mod cycles;
mod msrv;

use std::fmt;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};

pub use cycles::import_cycles;
pub use msrv::{MARKERS, rust_versions};

/// The longest a hand-written source file may be.
pub const MAX_LINES: usize = 450;

/// Where the workspace's Rust sources are.
pub const SOURCE_DIRS: &[&str] = &["crates", "tests", "xtask", "benches"];

/// Written by `cargo xtask codegen`, not by hand.
pub const GENERATED: &str = "crates/cf-bindings-generated/src/generated.rs";

/// The one module of the workspace allowed to print: the CLI's output module.
pub const OUTPUT_MODULE: &str = "crates/cf-bindings-cli/src/output.rs";

/// The print macros.
pub const PRINT_MACROS: &[&str] = &["print", "println", "eprint", "eprintln", "dbg"];

/// The curated spec; its sidecar is `spec_diff::accepted::sidecar_path` of it.
pub const SPEC: &str = "openapi/service-bindings.yaml";

/// One broken rule, where it is broken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Offence {
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// Its line (1-based), or 0 for the whole file.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl Offence {
    pub(crate) fn new(root: &Path, file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.strip_prefix(root).unwrap_or(file).to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Offence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file.display(), self.message),
            line => write!(f, "{}:{line}: {}", self.file.display(), self.message),
        }
    }
}

/// The offences as a test's failure message: `rule`, then one offence a line.
pub fn report(rule: &str, offences: &[Offence]) -> String {
    let mut text = format!("{rule}: {} offence(s)\n", offences.len());
    for offence in offences {
        text.push_str(&format!("  {offence}\n"));
    }
    text
}

/// The `.rs` files under `dirs` of `root`, sorted; no `target` or hidden folder.
pub fn rust_files(root: &Path, dirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" || name.starts_with("target-") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn read(root: &Path, file: &Path) -> Result<String, Offence> {
    std::fs::read_to_string(file)
        .map_err(|e| Offence::new(root, file, 0, format!("cannot read: {e}")))
}

/// No hand-written `.rs` file over [`MAX_LINES`] lines (the generated client aside).
pub fn long_files(root: &Path) -> Vec<Offence> {
    let mut offences = Vec::new();
    for file in rust_files(root, SOURCE_DIRS) {
        if file == root.join(GENERATED) {
            continue;
        }
        match read(root, &file) {
            Ok(text) if text.lines().count() > MAX_LINES => offences.push(Offence::new(
                root,
                &file,
                0,
                format!(
                    "{} lines, more than {MAX_LINES}: split it by concern",
                    text.lines().count()
                ),
            )),
            Ok(_) => {}
            Err(offence) => offences.push(offence),
        }
    }
    offences
}

/// No `#[path]` attribute in a test file (any `.rs` file in a `tests` folder): a test
/// binary's modules sit inside its own folder.
pub fn path_attributes(root: &Path) -> Vec<Offence> {
    let mut offences = Vec::new();
    for file in rust_files(root, SOURCE_DIRS) {
        let relative = file.strip_prefix(root).unwrap_or(&file);
        if !relative.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let text = match read(root, &file) {
            Ok(text) => text,
            Err(offence) => {
                offences.push(offence);
                continue;
            }
        };
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[path") || code.starts_with("#![path") {
                offences.push(Offence::new(
                    root,
                    &file,
                    i + 1,
                    "`#[path]` in a test: move the module into the binary's own folder",
                ));
            }
        }
    }
    offences
}

/// No print macro ([`PRINT_MACROS`]) in a crate's `src/` but in [`OUTPUT_MODULE`]:
/// output goes through the module that owns it. Comments and doc text do not count;
/// xtask and the benchmarks are tools and may print.
pub fn print_macros(root: &Path) -> Vec<Offence> {
    let mut offences = Vec::new();
    for file in rust_files(root, &["crates"]) {
        let relative = file.strip_prefix(root).unwrap_or(&file);
        let in_src = relative
            .components()
            .nth(2)
            .is_some_and(|c| c.as_os_str() == "src");
        if !in_src || file == root.join(OUTPUT_MODULE) {
            continue;
        }
        let tokens = match read(root, &file).and_then(|text| {
            text.parse::<TokenStream>()
                .map_err(|e| Offence::new(root, &file, 0, format!("cannot lex: {e}")))
        }) {
            Ok(tokens) => tokens,
            Err(offence) => {
                offences.push(offence);
                continue;
            }
        };
        for (name, line) in macro_calls(tokens, PRINT_MACROS) {
            offences.push(Offence::new(
                root,
                &file,
                line,
                format!("`{name}!`: write through {OUTPUT_MODULE} (or `writeln!` on a handle whose error you handle)"),
            ));
        }
    }
    offences
}

/// The calls of the macros named in `names` in `tokens` (nested ones too), with lines.
fn macro_calls(tokens: TokenStream, names: &[&str]) -> Vec<(String, usize)> {
    let mut calls = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let bang =
                    matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                let path_before = matches!(i.checked_sub(1).and_then(|j| trees.get(j)), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                let std_path = path_before
                    && i >= 3
                    && matches!(trees.get(i - 3), Some(TokenTree::Ident(c)) if c == "std" || c == "core");
                if bang && names.contains(&name.as_str()) && (!path_before || std_path) {
                    calls.push((name, ident.span().start().line));
                }
            }
            TokenTree::Group(group) => calls.extend(macro_calls(group.stream(), names)),
            _ => {}
        }
    }
    calls
}

/// Every `CURATED(id)` comment of the spec has its `[[deviation]]` in the sidecar, and
/// every sidecar entry still has its comment; ids are unique in the sidecar, and no
/// `CURATED` comment goes without an id.
pub fn curated_comments(root: &Path) -> Vec<Offence> {
    let spec = root.join(SPEC);
    let sidecar = crate::spec_diff::accepted::sidecar_path(&spec);
    let (spec_text, sidecar_text) = match (read(root, &spec), read(root, &sidecar)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return [a.err(), b.err()].into_iter().flatten().collect(),
    };
    let mut offences = Vec::new();
    let mut in_spec = Vec::new();
    for (i, line) in spec_text.lines().enumerate() {
        // A marker is a comment of its own that starts with the word; a mention in
        // running text (the spec's header explains the markers) is not one.
        let Some(marker) = line.trim_start().strip_prefix('#').map(str::trim_start) else {
            continue;
        };
        if !marker.starts_with("CURATED") {
            continue;
        }
        let id = marker
            .strip_prefix("CURATED(")
            .and_then(|rest| rest.split_once(')'))
            .map(|(id, _)| id.trim().to_string());
        match id {
            Some(id) if !id.is_empty() => in_spec.push((id, i + 1)),
            _ => offences.push(Offence::new(
                root,
                &spec,
                i + 1,
                "a CURATED comment names no id: write `CURATED(id)`",
            )),
        }
    }
    let accepted = match crate::spec_diff::accepted::Accepted::load(&sidecar) {
        Ok(accepted) => accepted,
        Err(e) => return vec![Offence::new(root, &sidecar, 0, e.to_string())],
    };
    let line_of = |id: &str| {
        sidecar_text
            .lines()
            .position(|line| line.trim() == format!("id = \"{id}\""))
            .map_or(0, |i| i + 1)
    };
    let mut seen = std::collections::BTreeSet::new();
    for deviation in &accepted.deviations {
        let id = deviation.id.as_str();
        if !seen.insert(id) {
            offences.push(Offence::new(
                root,
                &sidecar,
                line_of(id),
                format!("`{id}` is listed twice"),
            ));
        }
        if !in_spec.iter().any(|(spec_id, _)| spec_id == id) {
            offences.push(Offence::new(
                root,
                &sidecar,
                line_of(id),
                format!("`{id}` has no `CURATED({id})` comment in {SPEC}: add it beside the node, or remove the entry"),
            ));
        }
    }
    for (id, line) in &in_spec {
        if !seen.contains(id.as_str()) {
            offences.push(Offence::new(
                root,
                &spec,
                *line,
                format!(
                    "`CURATED({id})` has no `[[deviation]]` with id = \"{id}\" in {}",
                    sidecar.strip_prefix(root).unwrap_or(&sidecar).display()
                ),
            ));
        }
    }
    offences
}
