//! One minimum supported Rust version, the one the code needs. Every crate takes the
//! workspace's `rust-version`; the workspace's equals the highest of what the code
//! uses ([`MARKERS`]: language features and std APIs with the release that made them
//! stable) and what the dependencies in Cargo.lock declare (read from cargo's
//! registry sources; a package not unpacked there is not built on this platform).
//!
//! Only one toolchain is installed where this runs, so the need is read from the
//! source rather than found by building with older compilers: add a marker when the
//! code starts to use something newer than the workspace's value.

use std::path::{Path, PathBuf};

use super::{Offence, SOURCE_DIRS, rust_files};

/// Text that shows a feature is used, the release it needs, and what it is.
pub const MARKERS: &[(&str, &str, &str)] = &[
    (
        ".try_lock_shared()",
        "1.89",
        "std::fs::File::try_lock_shared",
    ),
    ("&& let ", "1.88", "let chains (edition 2024)"),
    (".is_multiple_of(", "1.87", "unsigned is_multiple_of"),
    ("std::io::pipe(", "1.87", "std::io::pipe"),
    ("AsyncFnOnce", "1.85", "async closures"),
    ("async move |", "1.85", "async closures"),
    (
        "ErrorKind::FileTooLarge",
        "1.83",
        "io::ErrorKind::FileTooLarge",
    ),
    (".is_none_or(", "1.82", "Option::is_none_or"),
    ("#[expect(", "1.81", "#[expect] lint attributes"),
    ("LazyLock", "1.80", "std::sync::LazyLock"),
    ("Duration::from_mins(", "1.91", "Duration::from_mins"),
    ("Duration::from_hours(", "1.91", "Duration::from_hours"),
    (".floor_char_boundary(", "1.91", "str::floor_char_boundary"),
    (".ceil_char_boundary(", "1.91", "str::ceil_char_boundary"),
    (".file_prefix()", "1.91", "Path::file_prefix"),
    ("add_extension(", "1.91", "PathBuf::add_extension"),
    (".checked_sub_signed(", "1.90", "checked_sub_signed"),
];

/// `1.89` or `1.88.0` as numbers, for comparing.
fn parse(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.trim().split('.').map(|p| p.parse::<u64>().ok());
    Some((
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
        parts.next().flatten().unwrap_or(0),
    ))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map_or(0, |i| i + 1)
}

/// What raises the minimum: (version, why, file, line).
type Need = (String, String, PathBuf, usize);

/// The workspace's `rust-version` is the code's need, and every crate takes it.
pub fn rust_versions(root: &Path) -> Vec<Offence> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let table: toml::Table = match toml::from_str(&text) {
        Ok(table) => table,
        Err(e) => return vec![Offence::new(root, &manifest, 0, e.to_string())],
    };
    let workspace = table
        .get("workspace")
        .and_then(|w| w.get("package")?.get("rust-version")?.as_str())
        .unwrap_or_default()
        .to_string();
    let mut offences = Vec::new();
    let members = table
        .get("workspace")
        .and_then(|w| w.get("members")?.as_array().cloned())
        .unwrap_or_default();
    for member in members.iter().filter_map(|m| m.as_str()) {
        let file = root.join(member).join("Cargo.toml");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let value = toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|t| t.get("package")?.get("rust-version").cloned());
        let inherited = value
            .as_ref()
            .and_then(|v| v.get("workspace")?.as_bool())
            .unwrap_or(false);
        if !inherited {
            let says = match value.as_ref().and_then(|v| v.as_str()) {
                Some(version) => format!("says rust-version = \"{version}\""),
                None => "has no rust-version".to_string(),
            };
            offences.push(Offence::new(
                root,
                &file,
                line_of(&text, "rust-version"),
                format!("{says}, the workspace says \"{workspace}\": write `rust-version.workspace = true`"),
            ));
        }
    }
    let needs: Vec<Need> = code_needs(root)
        .into_iter()
        .chain(dependency_needs(root))
        .collect();
    // The first of the highest: the code's own need before a dependency's.
    let highest = needs.iter().fold(None::<&Need>, |best, need| match best {
        Some(best) if parse(&best.0) >= parse(&need.0) => Some(best),
        _ => Some(need),
    });
    if let Some((version, why, file, line)) = highest
        && parse(version) != parse(&workspace)
    {
        let file = file.strip_prefix(root).unwrap_or(file);
        offences.push(Offence::new(
            root,
            &manifest,
            line_of(&text, "rust-version"),
            format!(
                "the workspace says rust-version = \"{workspace}\", the code needs {version}: {why} ({}:{line}); set it to \"{version}\"",
                file.display()
            ),
        ));
    }
    offences
}

/// The [`MARKERS`] found in the workspace's sources: the first place of each.
fn code_needs(root: &Path) -> Vec<Need> {
    let mut needs = Vec::new();
    let files = rust_files(root, SOURCE_DIRS);
    let tidy = root.join("xtask/src/tidy");
    for (marker, version, what) in MARKERS {
        let found = files
            .iter()
            .filter(|file| !file.starts_with(&tidy))
            .find_map(|file| {
                let text = std::fs::read_to_string(file).ok()?;
                let line = text.lines().position(|line| {
                    let code = line.trim_start();
                    !code.starts_with("//") && line.contains(marker)
                })?;
                Some((file.clone(), line + 1))
            });
        if let Some((file, line)) = found {
            needs.push((version.to_string(), (*what).to_string(), file, line));
        }
    }
    needs
}

/// The `rust-version` of each registry package of Cargo.lock, where cargo unpacked it.
fn dependency_needs(root: &Path) -> Vec<Need> {
    let lock = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let Ok(table) = toml::from_str::<toml::Table>(&text) else {
        return Vec::new();
    };
    let sources = registry_sources();
    let mut needs = Vec::new();
    for package in table
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(version)) = (
            package.get("name").and_then(|v| v.as_str()),
            package.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        if package.get("source").is_none() {
            continue;
        }
        let dir = format!("{name}-{version}");
        let Some(manifest) = sources
            .iter()
            .map(|s| s.join(&dir).join("Cargo.toml"))
            .find(|m| m.is_file())
        else {
            continue;
        };
        let needed = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
            .and_then(|t| {
                t.get("package")?
                    .get("rust-version")?
                    .as_str()
                    .map(str::to_string)
            });
        if let Some(needed) = needed {
            let line = line_of(&text, &format!("name = \"{name}\""));
            needs.push((
                needed,
                format!("the dependency {name} {version} declares it"),
                lock.clone(),
                line,
            ));
        }
    }
    needs
}

/// `$CARGO_HOME/registry/src/*`.
fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(src)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}
