//! What the interruption tests share: a command whose stderr is read line by line
//! as it comes ([`Running`]), waits on the emulator's fault queues, the signals
//! sent, and the bindings a summary says were made.

use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use serde_json::json;

use crate::desired::Standalone;
use crate::wait_bounded;

/// How long the request of the step in flight is held: far longer than a signal
/// takes to arrive, so the signal finds it in flight.
pub(super) const IN_FLIGHT_MS: u64 = 2500;

/// A command started with its stderr read line by line as it comes.
pub(super) struct Running {
    pub(super) child: Child,
    pub(super) lines: mpsc::Receiver<String>,
    pub(super) seen: Vec<String>,
}

impl Running {
    pub(super) fn start(mut command: std::process::Command) -> Running {
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
    pub(super) fn wait_for(&mut self, text: &str) {
        while !self.seen.iter().any(|l| l.contains(text)) {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line with {text:?} on stderr:\n{}", self.seen.join("\n")),
            }
        }
    }

    pub(super) fn send(&self, signal: Signal) {
        kill_process(Pid::from_child(&self.child), signal).expect("the signal is sent");
    }

    /// Waits (bounded) for the command to end: its output, with all its stderr.
    pub(super) fn finish(mut self) -> (Output, String) {
        let output = wait_bounded(self.child);
        self.seen.extend(self.lines.iter());
        let mut err = self.seen.join("\n");
        err.push('\n');
        (output, err)
    }
}

/// Waits until the requests of `operation` have taken every fault scripted for it
/// (bounded: a minute).
pub(super) fn until_taken(emulator: &Standalone, operation: &str) {
    until_left(emulator, operation, 0);
}

/// Waits until `left` faults scripted for `operation` are not taken yet (bounded:
/// a minute).
pub(super) fn until_left(emulator: &Standalone, operation: &str, left: u64) {
    for _ in 0..3000 {
        if emulator.pending_faults(operation) <= left {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no {operation} request came");
}

/// `k` faults that pass, then one that holds the next request [`IN_FLIGHT_MS`].
pub(super) fn held_after(k: usize) -> serde_json::Value {
    let mut script = vec![json!({ "kind": "delay", "ms": 0 }); k];
    script.push(json!({ "kind": "delay", "ms": IN_FLIGHT_MS }));
    json!(script)
}

/// The name and exit code of each signal.
pub(super) fn signals() -> [(Signal, &'static str, i32); 2] {
    [(Signal::INT, "SIGINT", 130), (Signal::TERM, "SIGTERM", 143)]
}

/// The live bindings the step lines of `err` say apply left, from `before`:
/// `[n/total] created CIDR → SERVICE …` adds one, `[n/total] deleted CIDR (…)`
/// removes one; sorted as `bindings list` sorts them.
pub(super) fn recorded(before: &[(String, String)], err: &str) -> Vec<(String, String)> {
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
