//! SIGINT and SIGTERM during `apply` and the waits: the first lets the step in
//! flight end, starts no other and prints the summary of a failure, with the
//! documented exit code; a second exits at once, naming the step whose outcome is
//! unknown. What the summary says was done is what the emulator holds.
//!
//! The step in flight is slowed by the emulator's `delay` fault, and the signal
//! is sent once its request has arrived (the fault is taken when it does).
//!
//! `running` holds what the tests share; `first_signal`, `second_signal` and
//! `waits` the tests.
#![cfg(unix)]

mod first_signal;
mod running;
mod second_signal;
mod waits;
