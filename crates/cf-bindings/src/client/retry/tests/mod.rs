//! The retry loops on tokio's paused clock: every delay is checked to the
//! millisecond, and a wrong one fails at once instead of taking its real time.
//!
//! `policy` tests the policy's delays and the table of what follows each kind of
//! failure of each kind of operation; `reads`, `long_waits` and `writes` the loops
//! of reads, the long waits they tell, and the loops of creates and deletes (with
//! their reconciling lists). `support` holds the scripted attempts and errors.
#![allow(clippy::unwrap_used)]

mod long_waits;
mod policy;
mod reads;
mod support;
mod writes;
