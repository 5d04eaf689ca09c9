//! A second signal exits at once, naming the step in flight, whose outcome is then
//! unknown (for a replace, both routings it may have left).

use rustix::process::Signal;
use serde_json::json;

use super::running::{Running, held_after, recorded, signals, until_taken};
use crate::PREFIX;
use crate::desired::{Standalone, Workdir, demo_file, expected, many};

/// A second signal while the step is held exits without waiting for it: the
/// step is never reported made, and its outcome is said to be unknown.
#[test]
fn a_second_signal_exits_at_once_naming_the_step_in_flight() {
    for ((first, _, _), (second, name, code)) in
        [(signals()[0], signals()[1]), (signals()[1], signals()[0])]
    {
        let emulator = Standalone::start();
        let wanted = many(4);
        let work = Workdir::with("bindings.toml", &demo_file(&wanted));
        let dir = work.dir.path();
        emulator.faults(&json!({ "create": held_after(1) }));
        let mut apply =
            Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
        apply.wait_for("[1/4] created");
        until_taken(&emulator, "create");
        apply.send(first);
        apply.wait_for("received: finishing step 2 of 4");
        apply.send(second);
        let (output, err) = apply.finish();

        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(
            !err.contains("[2/4]"),
            "the held step was not waited for: {err}"
        );
        assert!(
            err.contains(
                "apply stopped after 1 of 4 steps; not done:\n  create 203.0.113.2/32 (CDN) (outcome unknown)\n  create 203.0.113.3/32 (Spectrum)\n  create 203.0.113.4/32 (CDN)\n"
            ),
            "{err}"
        );
        assert!(
            err.ends_with(&format!(
                "error: interrupted again by {name}: exited at once; the outcome of step 2 of 4 (create 203.0.113.2/32 (CDN) in prefix {PREFIX}) is unknown: check with `cf-bindings bindings list -p {PREFIX}` before trying again, or run apply again (it reads the live bindings and plans what is left)\n"
            )),
            "{err}"
        );
        // What was done is there, what was not tried is not; the held create is
        // made or not, as the server decides.
        let live = emulator.bindings(dir);
        let done = recorded(&expected(&[]), &err);
        assert!(done.iter().all(|b| live.contains(b)), "{live:?}");
        for cidr in ["203.0.113.3/32", "203.0.113.4/32"] {
            assert!(live.iter().all(|(c, _)| c != cidr), "{live:?}");
        }
    }
}

/// A second signal while a replace's delete is held: the delete's outcome is
/// unknown, so where the /32's addresses go depends on it, and both are said.
#[test]
fn a_second_signal_during_a_replace_says_both_routings() {
    let emulator = Standalone::start();
    let file = |service| demo_file(&[("203.0.113.7/32".to_owned(), service)]);
    let work = Workdir::with("bindings.toml", &file("CDN"));
    let dir = work.dir.path();
    let made = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(made.status.success(), "{}", crate::stderr(&made));

    work.write("bindings.toml", &file("Spectrum"));
    emulator.faults(&json!({ "delete": held_after(0) }));
    let mut apply =
        Running::start(emulator.command(dir, &["apply", "-f", "bindings.toml", "--yes"]));
    until_taken(&emulator, "delete");
    apply.send(Signal::INT);
    apply.wait_for("SIGINT received: finishing step 1 of 2 (delete 203.0.113.7/32");
    apply.send(Signal::INT);
    let (output, err) = apply.finish();

    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(!err.contains("[1/2]"), "{err}");
    assert!(
        err.contains(
            "apply stopped after 0 of 2 steps; not done:\n  delete 203.0.113.7/32 (CDN, binding "
        ),
        "{err}"
    );
    assert!(
        err.contains(
            ") (outcome unknown)\n  create 203.0.113.7/32 (Spectrum)\ncut between its delete and its create: replace 203.0.113.7/32 (CDN → Spectrum); its addresses go now:\n  if step 1 was not made:\n    203.0.113.7/32: CDN\n  if it was:\n    203.0.113.7/32: Magic Transit\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("error: interrupted again by SIGINT: exited at once; the outcome of step 1 of 2 (delete 203.0.113.7/32"),
        "{err}"
    );
    // The Spectrum binding was never tried.
    let live = emulator.bindings(dir);
    assert!(
        !live.contains(&("203.0.113.7/32".to_owned(), "Spectrum".to_owned())),
        "{live:?}"
    );
}
