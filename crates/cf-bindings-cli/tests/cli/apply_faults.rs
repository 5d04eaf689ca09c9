//! `apply` against an emulator beside the test with scripted faults: a failure
//! half way stops with a summary (with where the addresses of a replace it cuts
//! go now) and a second apply finishes; lost answers make no
//! duplicate; a delete whose answer is cut short is done or unknown, never
//! failed.

use cf_bindings_emulator::DEMO_IPV6_PREFIX_CIDR;
use serde_json::Value;

use super::desired::{Standalone, Workdir, demo_file, expected, many};
use super::{IPV6_PREFIX, PREFIX, stderr};

#[test]
fn a_failure_half_way_stops_with_a_summary_and_a_second_apply_finishes() {
    let emulator = Standalone::start();
    let wanted = many(10);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    emulator.faults(&serde_json::json!({ "create": create_refused_after(3) }));

    let first = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let err = stderr(&first);
    assert_eq!(first.status.code(), Some(3), "{err}");
    assert!(err.contains("[3/10] created"), "{err}");
    assert!(
        err.contains("apply stopped after 3 of 10 steps; not done:"),
        "{err}"
    );
    assert!(err.contains("(failed)"), "{err}");
    assert!(err.contains("run apply again to finish"), "{err}");
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("error: create 203.0.113.")),
        "{err}"
    );
    assert_eq!(emulator.bindings(dir).len(), 4);

    let second = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("[7/7] created"),
        "{}",
        stderr(&second)
    );
    assert_eq!(emulator.bindings(dir), expected(&wanted));
}

/// A script of creates: `passed` pass, then the next is answered `success:
/// false` on each of apply's four attempts (a create so answered is checked by
/// listing and sent again).
fn create_refused_after(passed: usize) -> Value {
    let mut script = vec![serde_json::json!({ "kind": "delay", "ms": 0 }); passed];
    let refuse =
        serde_json::json!({ "kind": "unsuccessful", "code": 1000, "message": "Injected failure" });
    script.extend(std::iter::repeat_n(refuse, 4));
    Value::Array(script)
}

/// A failure in the second prefix of the file, after the first prefix's steps:
/// the replace it cuts is found where the plan numbers its steps (after the first
/// prefix's), and the summary says where its addresses go now.
#[test]
fn a_failure_in_a_later_prefix_names_the_replace_it_cuts() {
    let emulator = Standalone::start();
    let moved = |service| demo_file(&[("203.0.113.7/32".to_owned(), service)]);
    let work = Workdir::with("bindings.toml", &moved("CDN"));
    let dir = work.dir.path();
    let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(made.status.success(), "{}", stderr(&made));

    // Step 1 creates the IPv6 base; steps 2 and 3 replace the /32.
    let ipv6 = format!(
        "[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  {{ cidr = \"{DEMO_IPV6_PREFIX_CIDR}\", service = \"Magic Transit\" }},\n]\n\n"
    );
    work.write("bindings.toml", &(ipv6 + &moved("Spectrum")));
    emulator.faults(&serde_json::json!({ "create": create_refused_after(1) }));
    let failed = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(3), "{err}");
    assert!(err.contains("[2/3] deleted 203.0.113.7/32 (CDN"), "{err}");
    assert!(
        err.contains(
            "apply stopped after 2 of 3 steps; not done:\n  create 203.0.113.7/32 (Spectrum) (failed)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "cut between its delete and its create: replace 203.0.113.7/32 (CDN → Spectrum); its addresses go now:\n  203.0.113.7/32: Magic Transit\n"
        ),
        "{err}"
    );
    assert_eq!(emulator.bindings(dir), expected(&[]));
}

/// The base /24 moves from Magic Transit to CDN, its two /32s deleted first and
/// created again after it. The first of them failing after the base is made
/// cuts both: their addresses, going to one service now, are told on one line.
#[test]
fn a_failure_after_a_base_replace_tells_the_cut_children_by_service() {
    let emulator = Standalone::start();
    let children = [
        ("203.0.113.7/32".to_owned(), "Spectrum"),
        ("203.0.113.9/32".to_owned(), "Spectrum"),
    ];
    let work = Workdir::with("bindings.toml", &demo_file(&children));
    let dir = work.dir.path();
    let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(made.status.success(), "{}", stderr(&made));

    work.write(
        "bindings.toml",
        &demo_file(&children).replace(
            "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }",
            "{ cidr = \"203.0.113.0/24\", service = \"CDN\" }",
        ),
    );
    emulator.faults(&serde_json::json!({ "create": create_refused_after(1) }));
    let failed = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(3), "{err}");
    assert!(err.contains("[4/6] created 203.0.113.0/24 → CDN"), "{err}");
    assert!(
        err.contains(
            "cut between their delete and their create: recreate 203.0.113.7/32 (Spectrum), recreate 203.0.113.9/32 (Spectrum); their addresses go now:\n  203.0.113.7/32, 203.0.113.9/32: CDN\nrun apply again"
        ),
        "{err}"
    );
}

#[test]
fn lost_answers_on_a_fifth_of_creates_make_no_duplicate() {
    let emulator = Standalone::start();
    let wanted = many(100);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    let script: Vec<Value> = (0..100)
        .map(|i| {
            if i % 5 == 0 {
                serde_json::json!({ "kind": "drop_after_commit" })
            } else {
                serde_json::json!({ "kind": "delay", "ms": 0 })
            }
        })
        .collect();
    emulator.faults(&serde_json::json!({ "create": script }));

    let applied = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    // Exactly the file: every CIDR once.
    assert_eq!(emulator.bindings(dir), expected(&wanted));
    let again = emulator.run(dir, &["plan", "--exit-code", "-f", "bindings.toml"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

/// A delete the server made, whose 200 answer arrives cut in half, is checked by
/// listing: done, never "failed"; when the listing fails too, exit 5, outcome
/// unknown, and the record matches the server.
#[test]
fn a_delete_answered_with_a_truncated_body_is_done_or_unknown_never_failed() {
    let emulator = Standalone::start();
    let file = |service: &str| demo_file(&[("203.0.113.32/28".to_owned(), service)]);
    let work = Workdir::with("bindings.toml", &file("CDN"));
    let dir = work.dir.path();
    let apply = || emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let made = apply();
    assert!(made.status.success(), "{}", stderr(&made));

    // Moving the /28 to Spectrum deletes it, then creates it again.
    work.write("bindings.toml", &file("Spectrum"));
    let truncated = serde_json::json!({ "kind": "truncated_json" });
    emulator.faults(&serde_json::json!({ "delete": [truncated] }));
    let replaced = apply();
    let err = stderr(&replaced);
    assert!(replaced.status.success(), "{err}");
    assert!(err.contains("[1/2] deleted 203.0.113.32/28 (CDN"), "{err}");
    assert!(
        err.contains("[2/2] created 203.0.113.32/28 → Spectrum"),
        "{err}"
    );
    assert!(!err.contains("failed"), "{err}");
    assert_eq!(
        emulator.bindings(dir),
        expected(&[("203.0.113.32/28".to_owned(), "Spectrum")])
    );

    // Back to CDN; planning lists once, then every attempt of the listing that
    // would tell fails.
    work.write("bindings.toml", &file("CDN"));
    let pass = serde_json::json!({ "kind": "delay", "ms": 0 });
    let down = serde_json::json!({ "kind": "http_error", "status": 503 });
    emulator.faults(&serde_json::json!({
        "delete": [truncated],
        "list": [pass, down, down, down, down],
    }));
    let unknown = apply();
    let err = stderr(&unknown);
    assert_eq!(unknown.status.code(), Some(5), "{err}");
    assert!(
        err.contains("apply stopped after 0 of 2 steps; not done:"),
        "{err}"
    );
    assert!(
        err.contains("delete 203.0.113.32/28") && err.contains("(outcome unknown)"),
        "{err}"
    );
    assert!(!err.contains("failed)"), "{err}");
    assert!(err.contains("outcome unknown: the binding may or may not have been deleted"));
    assert!(
        err.contains(&format!(
            "check with `cf-bindings bindings list -p {PREFIX}` before trying again"
        )),
        "{err}"
    );
    // The delete was made (its answer was lost), the create not tried.
    assert_eq!(emulator.bindings(dir), expected(&[]));
    let finished = apply();
    assert!(finished.status.success(), "{}", stderr(&finished));
    assert_eq!(
        emulator.bindings(dir),
        expected(&[("203.0.113.32/28".to_owned(), "CDN")])
    );
}
