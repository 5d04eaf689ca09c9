//! What a new user trips over: the environment and `--emulated`, typos in service
//! names, ids in another case, `--output json` on every command, `apply FILE`
//! without `-f`, the column order of `route`.

use serde_json::Value;

use super::{BASE_BINDING, Emulated, PREFIX, assert_fails, stderr};

/// A file of the demo prefix: its base binding and `extra` bindings.
fn demo_file(id: &str, extra: &[(&str, &str)]) -> String {
    let mut text = format!(
        "[[prefix]]\nid = \"{id}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n"
    );
    for (cidr, service) in extra {
        text.push_str(&format!(
            "  {{ cidr = \"{cidr}\", service = \"{service}\" }},\n"
        ));
    }
    text.push_str("]\n");
    text
}

/// With `--emulated`, the variables of the options it replaces are set aside, not
/// a conflict: the embedded emulator answers, at its address, for its demo
/// account; `-v` says so, naming the variables and never their values.
#[test]
fn with_emulated_the_environment_makes_no_conflict_and_is_set_aside() {
    let emulated = Emulated::new();
    let environment = [
        (
            "CLOUDFLARE_BASE_URL",
            "http://user:url-secret-0001@127.0.0.1:9/client/v4",
        ),
        ("CLOUDFLARE_ACCOUNT_ID", "ffffffffffffffffffffffffffffffff"),
        ("CLOUDFLARE_API_TOKEN", "token-secret-0002"),
    ];
    let run = |args: &[&str]| {
        let mut command = emulated.command();
        command.envs(environment).args(args);
        command.output().expect("the binary runs")
    };

    let quiet = run(&["bindings", "list"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert!(String::from_utf8_lossy(&quiet.stdout).contains(BASE_BINDING));
    assert_eq!(stderr(&quiet), "", "nothing said without -v");

    let told = run(&["-v", "services", "list"]);
    assert!(told.status.success(), "{}", stderr(&told));
    let err = stderr(&told);
    for variable in [
        "CLOUDFLARE_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_TOKEN",
    ] {
        assert!(
            err.contains(&format!("{variable} is set and ignored")),
            "{variable}: {err}"
        );
    }
    assert!(
        !err.contains("secret") && !err.contains("ffffffff"),
        "a value shown: {err}"
    );

    // The global options still work after the command's name (hidden from its
    // help, not from its parser).
    let after = emulated
        .command()
        .args(["services", "list", "-o", "json"])
        .output();
    let after = after.expect("the binary runs");
    assert!(after.status.success(), "{}", stderr(&after));
    let services: Value = serde_json::from_slice(&after.stdout).expect("JSON");
    assert_eq!(services.as_array().map(Vec::len), Some(3), "{services}");

    // Typed, a conflict is still one; an account typed is still used.
    let typed = run(&["--base-url", "http://127.0.0.1:9", "services", "list"]);
    assert_eq!(typed.status.code(), Some(2), "{}", stderr(&typed));
    assert!(
        stderr(&typed).contains("the argument '--base-url <URL>' cannot be used with '--emulated'"),
        "{}",
        stderr(&typed)
    );
    let other = run(&[
        "--account",
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
        "bindings",
        "list",
    ]);
    assert!(!other.status.success(), "the typed account is used");
}

/// `validate` warns of a service name that is none of Cloudflare's documented
/// services, with the one it most likely means; a service id is accepted as is,
/// and the file stays valid.
#[test]
fn validate_warns_of_an_undocumented_service_and_suggests_one() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bindings.toml");
    std::fs::write(
        &path,
        demo_file(
            PREFIX,
            &[
                ("203.0.113.7/32", "Spektrum"),
                ("203.0.113.9/32", "0ee3c9d2ed4e4ad4b8fcbe9a1e4b3e1c"),
            ],
        ),
    )
    .expect("written");
    let file = path.to_str().expect("UTF-8");
    let output = emulated.run(&["validate", "-f", file]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(
        err.contains(":6:40: warning: service \"Spektrum\" is none of Cloudflare's documented services (Magic Transit, CDN, Spectrum); did you mean \"Spectrum\"?"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "the id is no warning: {err}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("valid: 1 prefix, 3 bindings (1 warning)")
    );

    let json = emulated.json(&["validate", "-f", file]);
    assert_eq!(json["valid"], true);
    assert_eq!(json["diagnostics"][0]["kind"], "undocumented_service");
    assert_eq!(json["diagnostics"][0]["suggestion"], "Spectrum");
    assert_eq!(json["diagnostics"][0]["severity"], "warning");
}

/// Ids have one spelling, in lower case, in files, flags and output: a prefix
/// written in two cases is listed twice; flags in upper case find their prefix and
/// binding, shown in lower case.
#[test]
fn ids_in_any_case_are_one_id() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bindings.toml");
    let upper = PREFIX.to_uppercase();
    std::fs::write(
        &path,
        format!("{}\n{}", demo_file(PREFIX, &[]), demo_file(&upper, &[])),
    )
    .expect("written");
    let output = emulated.run(&["validate", "-f", path.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            ":9:6: error: prefix {PREFIX} is listed twice (first at line 2)"
        )),
        "{}",
        stderr(&output)
    );

    let got = emulated.json(&[
        "bindings",
        "get",
        "-p",
        &upper,
        &BASE_BINDING.to_uppercase(),
    ]);
    assert_eq!(got["id"], BASE_BINDING);

    std::fs::write(&path, demo_file(&upper, &[])).expect("written");
    let plan = emulated.ok(&["plan", "-f", path.to_str().expect("UTF-8")]);
    assert!(
        plan.contains("No changes: the live bindings match"),
        "the upper-case id is the demo prefix: {plan}"
    );
}

/// Every command honours `--output json` (its stdout is JSON) or refuses it with a
/// message, before doing anything: no command prints something else instead.
#[test]
fn every_command_honours_json_or_refuses_it() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bindings.toml");
    std::fs::write(&path, demo_file(PREFIX, &[("203.0.113.7/32", "CDN")])).expect("written");
    let file = path.to_str().expect("UTF-8");
    let honoured: &[&[&str]] = &[
        &["services", "list"],
        &["prefixes", "list"],
        &["prefixes", "get", PREFIX],
        &["bindings", "list"],
        &["bindings", "get", BASE_BINDING],
        &["route", "203.0.113.7"],
        &["route", "--explain", "203.0.113.7"],
        &["validate", "-f", file],
        &["plan", "-f", file],
        &["apply", "-f", file, "--yes"],
    ];
    for args in honoured {
        let output = emulated.run(&[&["--output", "json"], *args].concat());
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let parsed: Result<Value, _> = serde_json::from_slice(&output.stdout);
        assert!(parsed.is_ok(), "{args:?} printed no JSON: {output:?}");
    }
    for (args, what) in [
        (
            &["export"][..],
            "export writes a bindings file (TOML), which has no JSON form: drop --output json (the live bindings as JSON: `cf-bindings bindings list -o json`)",
        ),
        (
            &["completions", "bash"],
            "completions prints a shell script, which has no JSON form: drop --output json",
        ),
    ] {
        let output = emulated.run(&[&["-o", "json"], args].concat());
        assert_fails(&output, 2, what);
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// `apply FILE` reads FILE as a saved plan; a bindings file there is told so, with
/// the command that applies it, and nothing is changed.
#[test]
fn apply_of_a_bindings_file_without_f_suggests_f() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("bindings.toml"),
        demo_file(PREFIX, &[("203.0.113.7/32", "CDN")]),
    )
    .expect("written");
    std::fs::write(dir.path().join("my notes.txt"), "nothing to apply\n").expect("written");
    let before = emulated.ok(&["bindings", "list"]);
    let run = |file: &str| {
        let mut command = emulated.command();
        command
            .current_dir(dir.path())
            .args(["apply", file, "--yes"]);
        command.output().expect("the binary runs")
    };
    assert_fails(
        &run("bindings.toml"),
        2,
        "bindings.toml is a bindings file, not a saved plan: apply it with `cf-bindings apply -f bindings.toml`",
    );
    assert_fails(
        &run("my notes.txt"),
        2,
        "a bindings file is given with -f: `cf-bindings apply -f 'my notes.txt'`",
    );
    assert_eq!(
        emulated.ok(&["bindings", "list"]),
        before,
        "nothing changed"
    );
}

/// `route` and `route --explain` show their columns in one order (that of
/// `bindings list`: CIDR, then SERVICE).
#[test]
fn route_and_explain_order_their_columns_alike() {
    let emulated = Emulated::new();
    let header = |args: &[&str]| -> Vec<String> {
        let shown = emulated.ok(args);
        let first = shown.lines().next().unwrap_or_default();
        first.split_whitespace().map(str::to_owned).collect()
    };
    let route = header(&["route", "203.0.113.7"]);
    let explain = header(&["route", "--explain", "203.0.113.7"]);
    assert_eq!(route, ["IP", "CIDR", "SERVICE", "BINDING", "PREFIX"]);
    assert_eq!(
        explain,
        ["IP", "CIDR", "SERVICE", "BINDING", "DECIDES", "PREFIX"]
    );
    let listed = header(&["bindings", "list", "-p", PREFIX]);
    assert_eq!(listed, ["ID", "CIDR", "SERVICE", "STATE"]);
}
