//! The bindings workflows (`.github/workflows/bindings-*.yml`) and their scripts
//! (`ci/bindings/*.sh`): each script runs with bash against an emulator on
//! loopback, as the workflow runs it against Cloudflare, with a stand-in for `gh`
//! (`gh-standin.sh`) that records what it would post and answers as GitHub does.
//! The workflow files parse, and every `cf-bindings` command line the scripts run
//! parses with the real binary.
//!
//! The scripts need jq (GitHub's runners have it); the tests run when it is
//! installed, and under CI it must be (`.ci/run` installs it).
//!
//! The scripts' shared setting is in `checkout`; one module per script, and
//! `files` for the workflow files themselves.

mod checkout;
mod drift_check;
mod files;
mod merge;
mod pull_request;
