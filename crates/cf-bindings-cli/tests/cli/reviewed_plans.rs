//! What was reviewed is what is applied: a saved plan records its bindings file
//! (its path relative to the working directory, none from standard input), and
//! `apply PLAN` refuses it once that file, or the live bindings, changed.

use super::review::{ipv4_file, owned};
use super::{Desk, PREFIX, assert_fails, stderr};

/// A saved plan records the bindings file: its path as given and the SHA-256 of
/// its bytes. Once the file changed (or is gone), `apply PLAN` refuses the plan
/// (exit 1, like a stale plan) naming the file, and changes nothing; the same
/// bytes again, and it applies.
#[test]
fn a_saved_plan_is_refused_once_its_bindings_file_changed() {
    let desk = Desk::new();
    let file = ipv4_file("Magic Transit", &owned(&[("203.0.113.7/32", "CDN")]), false);
    desk.write("bindings.toml", &file);
    desk.ok(&["plan", "-f", "bindings.toml", "--out", "plan.json"]);
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(desk.dir.path().join("plan.json")).expect("the plan"),
    )
    .expect("JSON");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["source"]["path"], "bindings.toml");
    let sha = saved["source"]["sha256"].as_str().expect("a SHA-256");
    assert_eq!(sha.len(), 64);
    assert!(
        sha.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    // `-o json` prints the plan as saved.
    let json: serde_json::Value =
        serde_json::from_str(&desk.ok(&["-o", "json", "plan", "-f", "bindings.toml"]))
            .expect("JSON");
    assert_eq!(json["source"], saved["source"]);

    let before = desk.cidrs();
    desk.write("bindings.toml", &file.replace("\"CDN\"", "\"Spectrum\""));
    let refused = desk.run(&["apply", "plan.json", "--yes"]);
    assert_fails(
        &refused,
        1,
        "not applying plan.json: bindings.toml changed since it was planned (SHA-256 ",
    );
    assert!(
        stderr(&refused).contains("; plan again"),
        "{}",
        stderr(&refused)
    );
    assert!(refused.stdout.is_empty(), "nothing shown as a plan");
    assert_eq!(desk.cidrs(), before);

    // Even a byte that changes nothing to the bindings: the file is not what was
    // reviewed.
    desk.write("bindings.toml", &format!("{file}# reviewed?\n"));
    assert_fails(
        &desk.run(&["apply", "plan.json", "--yes"]),
        1,
        "bindings.toml changed since it was planned",
    );

    std::fs::remove_file(desk.dir.path().join("bindings.toml")).expect("removed");
    let gone = desk.run(&["apply", "plan.json", "--yes"]);
    assert_fails(
        &gone,
        1,
        "not applying plan.json: it was planned from bindings.toml, which cannot be read now (cannot read the bindings file bindings.toml",
    );
    assert_eq!(desk.cidrs(), before);

    desk.write("bindings.toml", &file);
    let applied = desk.run(&["apply", "plan.json", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert_eq!(desk.cidrs(), ["203.0.113.0/24", "203.0.113.7/32"]);
}

/// The file is read at the path the plan records, relative to where `apply`
/// runs: a plan made in one directory and applied from another (as CI does, in
/// two checkouts) names the file as it was given.
#[test]
fn the_recorded_path_is_relative_to_the_working_directory() {
    let desk = Desk::new();
    std::fs::create_dir(desk.dir.path().join("envs")).expect("a directory");
    let file = ipv4_file("Magic Transit", &owned(&[("203.0.113.7/32", "CDN")]), false);
    desk.write("envs/prod.toml", &file);
    desk.ok(&["plan", "-f", "envs/prod.toml", "--out", "plan.json"]);
    let markdown = desk.markdown("envs/prod.toml");
    assert!(
        markdown.contains("<sub>Planned from envs/prod.toml (SHA-256 "),
        "{markdown}"
    );

    // Another checkout of the same commit: the same bytes at the same path.
    let other = tempfile::tempdir().expect("a directory");
    std::fs::create_dir(other.path().join("envs")).expect("a directory");
    std::fs::write(other.path().join("envs/prod.toml"), &file).expect("written");
    std::fs::copy(
        desk.dir.path().join("plan.json"),
        other.path().join("plan.json"),
    )
    .expect("copied");
    std::fs::write(desk.dir.path().join("envs/prod.toml"), "# moved away\n").expect("written");
    let applied = desk
        .emulated
        .command()
        .current_dir(other.path())
        .args(["apply", "plan.json", "--yes"])
        .output()
        .expect("runs");
    assert!(applied.status.success(), "{}", stderr(&applied));
}

/// A plan made from standard input records no file, says so when saved and when
/// applied, and is checked against the live bindings alone.
#[test]
fn a_plan_from_standard_input_records_no_file_and_says_so() {
    let desk = Desk::new();
    let file = ipv4_file("Magic Transit", &owned(&[("203.0.113.7/32", "CDN")]), false);
    let saved = desk
        .emulated
        .command()
        .current_dir(desk.dir.path())
        .args(["plan", "-f", "-", "--out", "plan.json"])
        .write_stdin(file)
        .output()
        .expect("runs");
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert!(
        stderr(&saved).contains("the plan records no bindings file (it was planned from standard input): apply PLAN checks only the live bindings"),
        "{}",
        stderr(&saved)
    );
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(desk.dir.path().join("plan.json")).expect("the plan"),
    )
    .expect("JSON");
    assert_eq!(plan["source"], serde_json::Value::Null);
    let applied = desk.run(&["apply", "plan.json", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("plan.json records no bindings file (it was planned from standard input): the file is not checked, only the live bindings"),
        "{}",
        stderr(&applied)
    );
}

/// The live state moved after the review: the plan is stale, refused with exit 1
/// naming the prefix, and nothing is applied.
#[test]
fn a_saved_plan_is_refused_once_the_live_bindings_changed() {
    let desk = Desk::new();
    desk.write(
        "bindings.toml",
        &ipv4_file("Magic Transit", &owned(&[("203.0.113.7/32", "CDN")]), false),
    );
    desk.ok(&["plan", "-f", "bindings.toml", "--out", "plan.json"]);
    desk.by_hand(PREFIX, "203.0.113.128/25", "Spectrum");
    let before = desk.cidrs();
    assert_fails(
        &desk.run(&["apply", "plan.json", "--yes"]),
        1,
        &format!(
            "not applying plan.json: the live bindings of prefix {PREFIX} changed since it was planned; plan again"
        ),
    );
    assert_eq!(desk.cidrs(), before);
}
