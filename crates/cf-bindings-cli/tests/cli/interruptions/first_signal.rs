//! The first SIGINT or SIGTERM during `apply`: the step in flight ends (a create,
//! a delete, the last step, a step that then fails), no other starts, and the
//! summary says what was done, what was not, and where the addresses of a cut
//! replace go now.

use rustix::process::Signal;
use serde_json::json;

use super::running::{Running, held_after, recorded, signals, until_left, until_taken};
use crate::desired::{Standalone, Workdir, demo_file, expected, many};
use crate::{PREFIX, stdout};

/// Five creates; the signal comes while the third is in flight: it is made, the
/// last two are not, and the emulator holds the first three.
#[test]
fn a_signal_during_a_create_finishes_it_and_stops() {
    for (signal, name, code) in signals() {
        let emulator = Standalone::start();
        let wanted = many(5);
        let work = Workdir::with("bindings.toml", &demo_file(&wanted));
        let dir = work.dir.path();
        emulator.faults(&json!({ "create": held_after(2) }));
        let mut apply =
            Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
        apply.wait_for("[2/5] created");
        until_taken(&emulator, "create");
        apply.send(signal);
        let (output, err) = apply.finish();

        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(
            err.contains(&format!(
                "{name} received: finishing step 3 of 5 (create 203.0.113.3/32 (Spectrum)), then stopping; a second signal exits at once\n"
            )),
            "{err}"
        );
        assert!(
            err.contains("[3/5] created 203.0.113.3/32 → Spectrum"),
            "{err}"
        );
        assert!(
            err.contains(
                "apply stopped after 3 of 5 steps; not done:\n  create 203.0.113.4/32 (CDN)\n  create 203.0.113.5/32 (Spectrum)\n"
            ),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{name} came during step 3 of 5 (create 203.0.113.3/32 (Spectrum)): it was made\n"
            )),
            "{err}"
        );
        assert!(
            err.ends_with(&format!(
                "error: interrupted by {name}: apply stopped after 3 of 5 steps\n"
            )),
            "{err}"
        );
        assert!(!err.contains("[4/5]"), "{err}");
        // The summary is on stderr, as a failure's; stdout has the plan only.
        assert!(!stdout(&output).contains("Applied"), "{}", stdout(&output));

        let live = emulator.bindings(dir);
        assert_eq!(live, recorded(&expected(&[]), &err));
        assert_eq!(live, expected(&wanted[..3]));
    }
}

/// The signal comes during the last step: it ends, the run is reported as
/// done, and the exit code still says a signal came.
#[test]
fn a_signal_during_the_last_step_lets_the_run_end() {
    let emulator = Standalone::start();
    let wanted = many(2);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    emulator.faults(&json!({ "create": held_after(1) }));
    let mut apply =
        Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
    apply.wait_for("[1/2] created");
    until_taken(&emulator, "create");
    apply.send(Signal::INT);
    let (output, err) = apply.finish();

    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("[2/2] created 203.0.113.2/32 → CDN"), "{err}");
    assert!(!err.contains("apply stopped"), "{err}");
    assert!(
        err.ends_with(
            "error: interrupted by SIGINT: every step was made, the last one while it came\n"
        ),
        "{err}"
    );
    assert!(
        stdout(&output).contains("Applied bindings.toml: 2 API calls made"),
        "{}",
        stdout(&output)
    );
    assert_eq!(emulator.bindings(dir), expected(&wanted));
}

/// Four bindings pruned; the signal comes while the second delete is in flight.
#[test]
fn a_signal_during_a_delete_finishes_it_and_stops() {
    for (signal, name, code) in signals() {
        let emulator = Standalone::start();
        let wanted = many(4);
        let work = Workdir::with("bindings.toml", &demo_file(&wanted));
        let dir = work.dir.path();
        let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
        assert!(made.status.success(), "{}", crate::stderr(&made));
        let before = emulator.bindings(dir);

        work.write(
            "bindings.toml",
            &demo_file(&[]).replace("bindings = [", "prune = true\nbindings = ["),
        );
        emulator.faults(&json!({ "delete": held_after(1) }));
        let mut apply =
            Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
        apply.wait_for("[1/4] deleted");
        until_taken(&emulator, "delete");
        apply.send(signal);
        let (output, err) = apply.finish();

        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(err.contains("[2/4] deleted"), "{err}");
        assert!(!err.contains("[3/4]"), "{err}");
        assert!(
            err.contains("apply stopped after 2 of 4 steps; not done:\n  delete 203.0.113."),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{name} came during step 2 of 4 (delete 203.0.113."
            )),
            "{err}"
        );
        assert!(err.contains("): it was made\n"), "{err}");
        assert!(
            err.ends_with(&format!(
                "error: interrupted by {name}: apply stopped after 2 of 4 steps\n"
            )),
            "{err}"
        );
        let live = emulator.bindings(dir);
        assert_eq!(live, recorded(&before, &err));
        assert_eq!(live.len(), 3, "{live:?}");
    }
}

/// Two /32s move from CDN to Spectrum: each deleted, then created again. The
/// signal comes during the second delete: that replace is cut between its delete
/// and its create, and the /32's addresses now go to the base binding around it.
#[test]
fn a_signal_that_cuts_a_replace_says_where_its_addresses_go() {
    for (signal, name, code) in signals() {
        let emulator = Standalone::start();
        let moved = |service| {
            vec![
                ("203.0.113.7/32".to_owned(), service),
                ("203.0.113.9/32".to_owned(), service),
            ]
        };
        let work = Workdir::with("bindings.toml", &demo_file(&moved("CDN")));
        let dir = work.dir.path();
        let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
        assert!(made.status.success(), "{}", crate::stderr(&made));
        let before = emulator.bindings(dir);

        work.write("bindings.toml", &demo_file(&moved("Spectrum")));
        emulator.faults(&json!({ "delete": held_after(1) }));
        let mut apply =
            Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
        apply.wait_for("[2/4] created 203.0.113.7/32 → Spectrum");
        until_taken(&emulator, "delete");
        apply.send(signal);
        let (output, err) = apply.finish();

        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(err.contains("[3/4] deleted 203.0.113.9/32 (CDN"), "{err}");
        assert!(
            err.contains(
                "apply stopped after 3 of 4 steps; not done:\n  create 203.0.113.9/32 (Spectrum)\n"
            ),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{name} came during step 3 of 4 (delete 203.0.113.9/32 (CDN, binding "
            )),
            "{err}"
        );
        assert!(
            err.contains(
                "cut between its delete and its create: replace 203.0.113.9/32 (CDN → Spectrum); its addresses go now:\n  203.0.113.9/32: Magic Transit\n"
            ),
            "{err}"
        );
        assert!(
            err.contains(
                "run apply again to finish: it reads the live bindings and plans what is left\n"
            ),
            "{err}"
        );
        let live = emulator.bindings(dir);
        assert_eq!(live, recorded(&before, &err));
        assert_eq!(live, expected(&[("203.0.113.7/32".to_owned(), "Spectrum")]));

        // The next apply finishes the job.
        let finished = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
        assert!(finished.status.success(), "{}", crate::stderr(&finished));
        assert_eq!(emulator.bindings(dir), expected(&moved("Spectrum")));
    }
}

/// The base /24 moves from Magic Transit to CDN: the /32 inside it is deleted
/// first, then the base, then both are created again. Cut after the base's delete,
/// both changes are named, and no binding covers the /24 now.
#[test]
fn a_signal_that_cuts_a_base_replace_says_no_binding_covers_it() {
    let emulator = Standalone::start();
    let child = [("203.0.113.7/32".to_owned(), "CDN")];
    let work = Workdir::with("bindings.toml", &demo_file(&child));
    let dir = work.dir.path();
    let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(made.status.success(), "{}", crate::stderr(&made));
    let before = emulator.bindings(dir);

    work.write(
        "bindings.toml",
        &demo_file(&child).replace(
            "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }",
            "{ cidr = \"203.0.113.0/24\", service = \"CDN\" }",
        ),
    );
    emulator.faults(&json!({ "delete": held_after(1) }));
    let mut apply =
        Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
    apply.wait_for("[1/4] deleted 203.0.113.7/32");
    until_taken(&emulator, "delete");
    apply.send(Signal::INT);
    let (output, err) = apply.finish();

    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("[2/4] deleted 203.0.113.0/24 (Magic Transit"),
        "{err}"
    );
    assert!(
        err.contains(
            "apply stopped after 2 of 4 steps; not done:\n  create 203.0.113.0/24 (CDN)\n  create 203.0.113.7/32 (CDN)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "cut between their delete and their create: replace 203.0.113.0/24 (Magic Transit → CDN), recreate 203.0.113.7/32 (CDN); their addresses go now:\n  203.0.113.0/24: no binding (Cloudflare documents no service for them: expect their traffic to be dropped)\n"
        ),
        "{err}"
    );
    let live = emulator.bindings(dir);
    assert_eq!(live, recorded(&before, &err));
    assert!(live.is_empty(), "{live:?}");
}

/// A signal while the step in flight is retried, which then fails: the summary
/// says it failed, the error is the step's, and the exit code the signal's.
#[test]
fn a_signal_during_a_step_that_then_fails_gives_its_failure() {
    let emulator = Standalone::start();
    let wanted = many(3);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    let pass = json!({ "kind": "delay", "ms": 0 });
    let wait = json!({ "kind": "rate_limit", "retry_after": 2 });
    let refuse = json!({ "kind": "unsuccessful", "code": 1000, "message": "Injected failure" });
    // The second create: a 429 waited out, then refused on each attempt left.
    emulator.faults(&json!({ "create": [pass, wait, refuse, refuse, refuse] }));
    let mut apply =
        Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
    apply.wait_for("[1/3] created");
    until_left(&emulator, "create", 3);
    apply.send(Signal::TERM);
    let (output, err) = apply.finish();

    assert_eq!(output.status.code(), Some(143), "{err}");
    assert!(
        err.contains(
            "apply stopped after 1 of 3 steps; not done:\n  create 203.0.113.2/32 (CDN) (failed)\n  create 203.0.113.3/32 (Spectrum)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "SIGTERM came during step 2 of 3 (create 203.0.113.2/32 (CDN)): it was not made: it failed\n"
        ),
        "{err}"
    );
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!(
            "error: interrupted by SIGTERM: create 203.0.113.2/32 (CDN) in prefix {PREFIX}: "
        )) && last.contains("Injected failure"),
        "{err}"
    );
    let live = emulator.bindings(dir);
    assert_eq!(live, recorded(&expected(&[]), &err));
    assert_eq!(live, expected(&wanted[..1]));
}
