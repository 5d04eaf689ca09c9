//! The emulator's tests, in one binary (one link, the helpers of `common` compiled
//! once): each module is a file or folder of this folder. They start the emulator
//! in-process (or its binary) and talk HTTP to it on 127.0.0.1, with a plain
//! client: the emulator is written independently of the generated client and the
//! wrapper, and so are its tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

// Every endpoint, rule and error; List Prefixes and Prefix Details.
mod api;
mod prefixes;

// Scripted faults and the chaos mode.
mod chaos;
mod faults;

// Concurrent clients; state files, the binary, files and credentials.
mod concurrency;
mod persistence;

// The binding rules, case by case, from the table the other implementations share.
mod rules_table;
