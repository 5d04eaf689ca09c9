//! End to end: the real `cf-bindings` binary against the emulator, embedded
//! (`--emulated`) or running beside it (`--base-url`).

mod account;
mod apply_faults;
mod chaos;
mod completion;
mod desired;
mod drift;
mod embedded;
mod exit_codes;
mod first_use;
mod hardening;
mod interruptions;
mod json_output;
mod local_files;
mod outcome;
mod pipes;
mod plan_apply;
mod review;
mod reviewed_plans;
mod saved_plans;
mod secrets;
mod support;
mod waits;
mod workflows;

use support::{
    BASE_BINDING, Desk, Emulated, IPV6_PREFIX, PREFIX, assert_fails, bare, bare_std,
    emulated_command, emulated_std, scrubbed, stderr, stdout, wait_bounded,
};

#[test]
fn every_help_text() {
    let commands: &[&[&str]] = &[
        &[],
        &["services"],
        &["services", "list"],
        &["prefixes"],
        &["prefixes", "list"],
        &["prefixes", "get"],
        &["bindings"],
        &["bindings", "list"],
        &["bindings", "get"],
        &["bindings", "create"],
        &["bindings", "delete"],
        &["bindings", "wait"],
        &["route"],
        &["validate"],
        &["plan"],
        &["apply"],
        &["export"],
        &["completions"],
    ];
    for command in commands {
        let output = bare().args(*command).arg("--help").output().expect("runs");
        assert!(output.status.success());
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", command.join("_"))
        };
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
    }
}

/// Every help fits in 80 columns, short (`-h`) and long (`--help`). A command's
/// help shows its own options, and names the global ones once, after them; the
/// program's help describes those under their own heading.
#[test]
fn help_fits_in_80_columns_and_shows_the_global_options_once() {
    let commands: &[&[&str]] = &[
        &[],
        &["services"],
        &["services", "list"],
        &["prefixes"],
        &["prefixes", "list"],
        &["prefixes", "get"],
        &["bindings"],
        &["bindings", "list"],
        &["bindings", "get"],
        &["bindings", "create"],
        &["bindings", "delete"],
        &["bindings", "wait"],
        &["route"],
        &["validate"],
        &["plan"],
        &["apply"],
        &["export"],
        &["completions"],
    ];
    for command in commands {
        for flag in ["-h", "--help"] {
            let output = bare()
                .env("COLUMNS", "80")
                .args(*command)
                .arg(flag)
                .output()
                .expect("runs");
            assert!(output.status.success());
            let help = String::from_utf8_lossy(&output.stdout);
            for line in help.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{command:?} {flag}: {} columns: {line}",
                    line.chars().count()
                );
            }
            if command.is_empty() {
                assert!(help.contains("\nGlobal options:\n"), "{help}");
                assert!(help.contains("--wait-timeout <DURATION>"), "{help}");
                continue;
            }
            // Named once, at the end, after the command's own options.
            let (own, global) = help
                .split_once("Global options, described in `cf-bindings --help`:\n")
                .unwrap_or_else(|| panic!("{command:?} {flag}: {help}"));
            assert!(own.contains("-h, --help"), "{command:?} {flag}: {help}");
            assert!(!own.contains("--account"), "{command:?} {flag}: {help}");
            assert_eq!(
                global.split_whitespace().collect::<Vec<_>>(),
                [
                    "--account,",
                    "--base-url,",
                    "--token-file,",
                    "-o/--output,",
                    "--timeout,",
                    "--wait-timeout,",
                    "-v/--verbose,",
                    "--emulated,",
                    "--rate,",
                    "--state"
                ],
                "{command:?} {flag}"
            );
        }
    }
}

#[test]
fn prefixes_are_read_from_the_api() {
    let emulated = Emulated::new();
    insta::assert_snapshot!("prefixes_list", emulated.ok(&["prefixes", "list"]));

    let listed = emulated.json(&["prefixes", "list"]);
    let cidrs: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|p| p["cidr"].as_str())
        .collect();
    assert_eq!(cidrs, ["203.0.113.0/24", "2001:db8:1000::/48"]);

    let one = emulated.json(&["prefixes", "get", PREFIX]);
    assert_eq!(one["id"], PREFIX);
    assert_eq!(one["cidr"], "203.0.113.0/24");
    assert_eq!(one["approved"], "V");
    assert_eq!(one["created_at"], "2024-05-14T17:02:11.123456Z");
    assert_eq!(one, listed[0], "get answers as list does");

    let missing = emulated.run(&["prefixes", "get", "ffffffffffffffffffffffffffffffff"]);
    assert_fails(&missing, 3, "get prefix details: HTTP 404");
}

#[test]
fn walkthrough_in_tables() {
    let emulated = Emulated::activating_soon();
    insta::assert_snapshot!("services_list", emulated.ok(&["services", "list"]));
    insta::assert_snapshot!("bindings_list_seed", emulated.ok(&["bindings", "list"]));

    let created = emulated.json(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.7/32",
        "--service",
        "cdn",
    ]);
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["state"], "provisioning");

    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&id, "NEW-BINDING-ID-00000000000000000");
    settings.bind(|| {
        insta::assert_snapshot!("bindings_wait", emulated.ok(&["bindings", "wait", &id]));
        insta::assert_snapshot!(
            "bindings_list_after_create",
            emulated.ok(&["bindings", "list"])
        );
        insta::assert_snapshot!("bindings_get", emulated.ok(&["bindings", "get", &id]));
        insta::assert_snapshot!(
            "route",
            emulated.ok(&["route", "203.0.113.7", "203.0.113.8", "198.51.100.1"])
        );
        insta::assert_snapshot!(
            "route_explain",
            emulated.ok(&["route", "--explain", "203.0.113.7", "203.0.113.200"])
        );
        insta::assert_snapshot!(
            "bindings_delete",
            emulated.ok(&["bindings", "delete", &id, "--yes"])
        );
    });
    insta::assert_snapshot!(
        "bindings_list_after_delete",
        emulated.ok(&["bindings", "list"])
    );

    let table = emulated.ok(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.32/28",
        "--service",
        "Spectrum",
        "--wait",
    ]);
    let id = table
        .lines()
        .nth(1)
        .and_then(|row| row.split_whitespace().next())
        .expect("a row with an id")
        .to_owned();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&id, "NEW-BINDING-ID-00000000000000000");
    settings.bind(|| insta::assert_snapshot!("bindings_create_wait", table));
}
