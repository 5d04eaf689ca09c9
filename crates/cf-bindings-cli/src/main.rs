//! `cf-bindings`: manage Cloudflare BYOIP service bindings from a terminal or a
//! script, or try it against the emulator embedded in this program (`--emulated`).
//!
//! Layout: `args` declares the command line, `commands` holds one module per
//! command group, `output` is the only writer to stdout and stderr, `input` the
//! only reader of files the user names, `write` the only writer of files,
//! `exit` maps errors to the documented exit codes, `session` builds the
//! client, `signals` listens for SIGINT and SIGTERM where a command must not be
//! cut short.
#![forbid(unsafe_code)]
// Everything is written through the `output` module, which does not panic on a
// closed pipe.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod emulated;
mod exit;
mod input;
mod output;
mod session;
mod signals;
mod table;
mod token;
mod write;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(error) => return output::clap_message(&error),
    };
    init_tracing(cli.global.verbose);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => output::report(&failure),
    }
}

/// By default only warnings reach stderr (Cloudflare's `messages` among them), not
/// retries: a failure ends in one line. `-v` logs this program's and the library's
/// decisions (not the embedded emulator's request log: a target prefix such as
/// `cf_bindings` also matches `cf_bindings_emulator`, which is kept at warnings),
/// `-vv` everything; `RUST_LOG` overrides both. Colour only on a terminal, and not
/// with `NO_COLOR`.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn,cf_bindings::retry=error",
        1 => "warn,cf_bindings=debug,cf_bindings_cli=debug,cf_bindings_emulator=warn",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = output::stderr_colour();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || output::LogWriter { colour })
        .with_ansi(colour)
        .with_target(verbose > 1)
        .init();
}
