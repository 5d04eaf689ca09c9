//! `cf-bindings`: manage Cloudflare BYOIP service bindings from a terminal or a
//! script, or try it against the emulator embedded in this program (`--emulated`).
#![forbid(unsafe_code)]

mod args;
mod commands;
mod emulated;
mod failure;
mod table;

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use cf_bindings::{Client, ClientBuilder, Credentials, Secret};
use clap::{CommandFactory, Parser};

use args::{Cli, Command, Global};
use failure::Failure;

/// The time limit of one request when `--timeout` is not given.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "cf-bindings",
            &mut std::io::stdout(),
        );
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return report(&Failure::unfulfilled(format!("cannot start: {e}"))),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

fn report(failure: &Failure) -> ExitCode {
    eprintln!("error: {failure}");
    failure.exit_code()
}

/// By default only warnings reach stderr (Cloudflare's `messages` among them), not
/// retries: a failure ends in one line. `-v` logs this program's and the library's
/// decisions, `-vv` everything; `RUST_LOG` overrides both.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn,cf_bindings::retry=error",
        1 => "warn,cf_bindings=debug,cf_bindings_cli=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose > 1)
        .init();
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let global = &cli.global;
    if !global.emulated {
        let client = real_client(global)?;
        let account = global.account.clone().ok_or_else(|| {
            Failure::usage(
                "no account: pass --account or set CLOUDFLARE_ACCOUNT_ID, or try --emulated",
            )
        })?;
        let context = commands::Context::new(client, account, None, global);
        return commands::run(&context, cli.command).await;
    }
    let state_file = match &global.state {
        Some(path) => path.clone(),
        None => emulated::default_state_file()?,
    };
    let emulator = emulated::start(&state_file).await?;
    tracing::debug!(url = %emulator.base_url(), state = %state_file.display(), "embedded emulator started");
    let client = builder(global)
        .base_url(emulator.base_url())
        .credentials(Credentials::api_token(emulated::TOKEN))
        .build()?;
    let account = global
        .account
        .clone()
        .unwrap_or_else(|| emulated::ACCOUNT.to_owned());
    let context = commands::Context::new(client, account, Some(emulated::PREFIX), global);
    let outcome = commands::run(&context, cli.command).await;
    if let Err(e) = emulator.shutdown().await {
        tracing::warn!("embedded emulator did not shut down cleanly: {e}");
    }
    outcome
}

/// The settings every client shares.
fn builder(global: &Global) -> ClientBuilder {
    Client::builder().timeout(global.timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT))
}

/// A client for the real API, configured from the flags and the environment.
fn real_client(global: &Global) -> Result<Client, Failure> {
    let credentials = match &global.token_file {
        Some(path) => Credentials::api_token(read_token(path)?),
        None => Credentials::from_env().map_err(|e| {
            Failure::usage(format!(
                "no credentials: {}; set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY), or try --emulated",
                e.message()
            ))
        })?,
    };
    let mut builder = builder(global).credentials(credentials);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    Ok(builder.build()?)
}

/// Reads a token from a file, or from standard input for `-`; surrounding white
/// space is dropped.
fn read_token(path: &std::path::Path) -> Result<Secret, Failure> {
    let mut text = String::new();
    let outcome = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    outcome.map_err(|e| {
        Failure::usage(format!(
            "cannot read the token from {}: {e}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::usage(format!(
            "the token file {} is empty",
            path.display()
        )));
    }
    Ok(Secret::new(token))
}
