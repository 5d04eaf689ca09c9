//! The footprint of depending on `cf-bindings`: crates pulled in, cold release build
//! time and binary size of a new program that uses it.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use super::record::Report;

/// Crate count and cold release build time of a new binary that depends only on
/// `cf-bindings`.
pub fn footprint(report: &mut Report, root: &Path, dir: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo = cargo.as_str();
    let krate = dir.join("footprint");
    let target = dir.join("footprint-target");
    let _ = std::fs::remove_dir_all(&krate);
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(krate.join("src")).map_err(|e| format!("{}: {e}", krate.display()))?;
    let manifest = format!(
        "[package]\nname = \"footprint\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ncf-bindings = {{ path = {:?} }}\n\n[workspace]\n",
        root.join("crates/cf-bindings").to_string_lossy()
    );
    let main = "fn main() {\n    let client = cf_bindings::Client::builder().api_token(\"t\").build();\n    \
                println!(\"{}\", client.is_ok());\n}\n";
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(krate.join("Cargo.toml"), &manifest)?;
    write(krate.join("src/main.rs"), main)?;
    // The workspace's lock file, so that the versions are the ones the workspace uses.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;

    // Resolve (and fetch) first, so that the build time is compile time only.
    report.run(
        root,
        Command::new(cargo).current_dir(&krate).args(["fetch"]),
    )?;
    let crates = tree_count(
        report,
        root,
        Command::new(cargo).current_dir(&krate).args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ]),
    )?;
    report.add("footprint.crates", "crates", vec![crates as f64]);
    let build_deps = tree_count(
        report,
        root,
        Command::new(cargo).current_dir(&krate).args([
            "tree",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--offline",
        ]),
    )?;
    report.add(
        "footprint.crates_with_build",
        "crates",
        vec![build_deps as f64],
    );

    let start = Instant::now();
    report.run(
        root,
        Command::new(cargo)
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", &target)
            .args(["build", "--release", "--offline"]),
    )?;
    report.add(
        "footprint.cold_build",
        "s",
        vec![start.elapsed().as_secs_f64()],
    );
    let binary = target.join("release/footprint");
    if let Ok(meta) = std::fs::metadata(&binary) {
        report.add("footprint.binary", "MB", vec![meta.len() as f64 / 1e6]);
    }
    let _ = std::fs::remove_dir_all(&target);
    Ok(())
}

/// Runs a `cargo tree --prefix none` and counts the distinct crates it lists.
fn tree_count(report: &mut Report, root: &Path, cmd: &mut Command) -> Result<usize, String> {
    Ok(count_crates(&report.run(root, cmd)?))
}

/// The distinct crates of `cargo tree --prefix none` output, the `footprint` crate
/// itself, repeats (`(*)`) and section headers (`[build-dependencies]`) left out.
fn count_crates(tree: &str) -> usize {
    let mut crates: Vec<&str> = tree
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty() && !l.starts_with("footprint ") && !l.starts_with('['))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    crates.len()
}

#[cfg(test)]
mod tests {
    use super::count_crates;

    #[test]
    fn counts_distinct_crates() {
        let tree = "footprint v0.1.0 (/tmp/footprint)\nserde v1.0.226\nserde_derive v1.0.226 (proc-macro)\n[build-dependencies]\nserde v1.0.226 (*)\ncc v1.2.0\n\n";
        assert_eq!(count_crates(tree), 3);
        assert_eq!(count_crates(""), 0);
    }
}
