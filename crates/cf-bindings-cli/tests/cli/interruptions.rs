//! SIGINT and SIGTERM during `apply` and the waits: the first lets the step in
//! flight end, starts no other and prints the summary of a failure, with the
//! documented exit code; a second exits at once, naming the step whose outcome is
//! unknown. What the summary says was done is what the emulator holds.
//!
//! The step in flight is slowed by the emulator's `delay` fault, and the signal
//! is sent once its request has arrived (the fault is taken when it does).
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use serde_json::json;

use super::desired::{Standalone, Workdir, demo_file, expected, many};
use super::{Emulated, PREFIX, emulated_std, stdout, wait_bounded};

/// How long the request of the step in flight is held: far longer than a signal
/// takes to arrive, so the signal finds it in flight.
const IN_FLIGHT_MS: u64 = 2500;

/// A command started with its stderr read line by line as it comes.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(mut command: std::process::Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = child.stderr.take().expect("a pipe");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads stderr until a line contains `text`; fails the test if stderr ends
    /// first (or nothing comes for a minute: the command hangs).
    fn wait_for(&mut self, text: &str) {
        while !self.seen.iter().any(|l| l.contains(text)) {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line with {text:?} on stderr:\n{}", self.seen.join("\n")),
            }
        }
    }

    fn send(&self, signal: Signal) {
        kill_process(Pid::from_child(&self.child), signal).expect("the signal is sent");
    }

    /// Waits (bounded) for the command to end: its output, with all its stderr.
    fn finish(mut self) -> (Output, String) {
        let output = wait_bounded(self.child);
        self.seen.extend(self.lines.iter());
        let mut err = self.seen.join("\n");
        err.push('\n');
        (output, err)
    }
}

/// Waits until the requests of `operation` have taken every fault scripted for it
/// (bounded: a minute).
fn until_taken(emulator: &Standalone, operation: &str) {
    until_left(emulator, operation, 0);
}

/// Waits until `left` faults scripted for `operation` are not taken yet (bounded:
/// a minute).
fn until_left(emulator: &Standalone, operation: &str, left: u64) {
    for _ in 0..3000 {
        if emulator.pending_faults(operation) <= left {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no {operation} request came");
}

/// `k` faults that pass, then one that holds the next request [`IN_FLIGHT_MS`].
fn held_after(k: usize) -> serde_json::Value {
    let mut script = vec![json!({ "kind": "delay", "ms": 0 }); k];
    script.push(json!({ "kind": "delay", "ms": IN_FLIGHT_MS }));
    json!(script)
}

/// The name and exit code of each signal.
fn signals() -> [(Signal, &'static str, i32); 2] {
    [(Signal::INT, "SIGINT", 130), (Signal::TERM, "SIGTERM", 143)]
}

/// The live bindings the step lines of `err` say apply left, from `before`:
/// `[n/total] created CIDR → SERVICE …` adds one, `[n/total] deleted CIDR (…)`
/// removes one; sorted as `bindings list` sorts them.
fn recorded(before: &[(String, String)], err: &str) -> Vec<(String, String)> {
    let mut live = before.to_vec();
    for line in err.lines().filter(|l| l.starts_with('[')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [_, "created", cidr, "→", service, ..] => {
                live.push(((*cidr).to_owned(), (*service).to_owned()));
            }
            [_, "deleted", cidr, ..] => live.retain(|(c, _)| c != cidr),
            _ => panic!("not a step line: {line}"),
        }
    }
    let key = |cidr: &str| {
        let (address, len) = cidr.split_once('/').unwrap_or((cidr, "32"));
        let ip: std::net::Ipv4Addr = address.parse().expect("an IPv4 address");
        (u32::from(ip), len.parse::<u8>().expect("a length"))
    };
    live.sort_by_key(|(c, _)| key(c));
    live
}

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
        assert!(made.status.success(), "{}", super::stderr(&made));
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
        assert!(made.status.success(), "{}", super::stderr(&made));
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
        assert!(finished.status.success(), "{}", super::stderr(&finished));
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
    assert!(made.status.success(), "{}", super::stderr(&made));
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
    assert!(made.status.success(), "{}", super::stderr(&made));

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

/// `bindings wait`: the first signal stops the wait and says the binding is not
/// active yet.
#[test]
fn a_signal_stops_a_wait_and_says_what_is_not_active_yet() {
    for (signal, name, code) in signals() {
        let emulated = Emulated {
            provisioning_delay: Some("1h"),
            ..Emulated::new()
        };
        let created = emulated.json(&[
            "bindings",
            "create",
            "--cidr",
            "203.0.113.7/32",
            "--service",
            "CDN",
        ]);
        let id = created["id"].as_str().expect("an id");
        let mut command = emulated_std(&emulated.state);
        command
            .env("CF_EMULATOR_PROVISIONING_DELAY", "1h")
            .args(["bindings", "wait", id]);
        let mut wait = Running::start(command);
        wait.wait_for(&format!(
            "binding {id} (203.0.113.7/32): provisioning after"
        ));
        wait.send(signal);
        let (output, err) = wait.finish();
        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(
            err.contains(&format!(
                "{name} received: stopped waiting; not yet active:\n  binding {id} (203.0.113.7/32 → CDN): provisioning\n"
            )),
            "{err}"
        );
        assert!(
            err.ends_with(&format!(
                "error: interrupted by {name}: stopped waiting with 1 binding not yet active; the bindings are made and become active on their own (`cf-bindings bindings wait ID` waits again)\n"
            )),
            "{err}"
        );
        assert!(output.stdout.is_empty());
    }
}

/// `apply --wait`: a signal while waiting for the first created binding names
/// both, the second as created (not polled yet).
#[test]
fn a_signal_stops_apply_wait_and_names_every_binding_not_active_yet() {
    let emulated = Emulated {
        provisioning_delay: Some("1h"),
        ..Emulated::new()
    };
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[
            ("203.0.113.7/32".to_owned(), "CDN"),
            ("203.0.113.9/32".to_owned(), "Spectrum"),
        ]),
    );
    let file = work.dir.path().join("bindings.toml");
    let mut command = emulated_std(&emulated.state);
    command
        .env("CF_EMULATOR_PROVISIONING_DELAY", "1h")
        .args(["apply", "--yes", "--wait", "-f"])
        .arg(&file);
    let mut apply = Running::start(command);
    apply.wait_for("(203.0.113.7/32): provisioning after");
    apply.send(Signal::TERM);
    let (output, err) = apply.finish();
    assert_eq!(output.status.code(), Some(143), "{err}");
    assert!(err.contains("[2/2] created 203.0.113.9/32"), "{err}");
    assert!(
        err.contains("SIGTERM received: stopped waiting; not yet active:\n  binding "),
        "{err}"
    );
    assert!(
        err.contains(" (203.0.113.7/32 → CDN): provisioning\n"),
        "{err}"
    );
    assert!(
        err.contains(" (203.0.113.9/32 → Spectrum): provisioning (as created; not polled since)\n"),
        "{err}"
    );
    assert!(
        err.ends_with("error: interrupted by SIGTERM: stopped waiting with 2 bindings not yet active; the bindings are made and become active on their own (`cf-bindings bindings wait ID` waits again)\n"),
        "{err}"
    );
    // The changes were made and reported before the wait.
    assert!(stdout(&output).contains("Applied"), "{}", stdout(&output));
}
