//! The client a command talks through: the real API, configured from the flags
//! and the environment, or the emulator embedded in this program (`--emulated`).

use std::time::Duration;

use cf_bindings::{Client, ClientBuilder, RetryPolicy, config::Credentials};
use cf_bindings_emulator::RunningEmulator;

use crate::args::{Global, Rate};
use crate::emulated;
use crate::exit::Failure;
use crate::output;
use crate::token;

/// Requests per second when `--rate` is not given: 4, or 1,200 per 5 minutes,
/// Cloudflare's global limit.
const DEFAULT_RATE: f64 = 4.0;

/// The time limit of one request when `--timeout` is not given.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What a command asks of its session beyond the flags.
#[derive(Debug, Default)]
pub struct Setup {
    /// The account a file names: used when `--account` is not given, and refused
    /// when `--account` names another.
    pub account: Option<String>,
    /// The retry policy, when the command needs another than the library's.
    pub retry: Option<RetryPolicy>,
}

/// A client ready for a command, and the embedded emulator behind it if any.
pub struct Session {
    /// The client, for the API or the embedded emulator.
    pub client: Client,
    /// The account the command works on.
    pub account: String,
    emulator: Option<RunningEmulator>,
}

impl Session {
    /// Builds the client; with `--emulated`, starts the embedded emulator first.
    pub async fn open(global: &Global, setup: Setup) -> Result<Session, Failure> {
        let account = account(global, &setup)?;
        if !global.emulated {
            let client = real_client(global, setup.retry)?;
            let account = account.ok_or_else(|| {
                Failure::usage(
                    "no account: pass --account or set CLOUDFLARE_ACCOUNT_ID, or try --emulated",
                )
            })?;
            return Ok(Session {
                client,
                account,
                emulator: None,
            });
        }
        say_what_is_ignored(global);
        let state_file = match &global.state {
            Some(path) => path.clone(),
            None => emulated::default_state_file()?,
        };
        let emulator = emulated::start(&state_file).await?;
        tracing::debug!(url = %emulator.base_url(), state = %state_file.display(), "embedded emulator started");
        let client = builder(global, setup.retry)
            .base_url(emulator.base_url())
            .credentials(Credentials::api_token(emulated::TOKEN))
            .build()?;
        let account = account.unwrap_or_else(|| emulated::ACCOUNT.to_owned());
        Ok(Session {
            client,
            account,
            emulator: Some(emulator),
        })
    }

    /// Shuts the embedded emulator down, if there is one.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator
            && let Err(e) = emulator.shutdown().await
        {
            tracing::warn!("embedded emulator did not shut down cleanly: {e}");
        }
    }
}

/// Says, with `-v`, which environment variables `--emulated` leaves aside: those
/// of options it replaces, and the credentials it does not need (by name only).
fn say_what_is_ignored(global: &Global) {
    for (variable, why) in &global.ignored_variables {
        tracing::info!("{variable} is set and ignored: {why}");
    }
    for variable in CREDENTIAL_VARIABLES {
        if std::env::var_os(variable).is_some() {
            tracing::info!("{variable} is set and ignored: --emulated needs no credentials");
        }
    }
}

/// `--account`, else the file's; both, when they differ, is an error.
fn account(global: &Global, setup: &Setup) -> Result<Option<String>, Failure> {
    match (&global.account, &setup.account) {
        (Some(flag), Some(file)) if !flag.eq_ignore_ascii_case(file) => {
            Err(Failure::usage(format!(
                "the file is for account {file}, and --account (or CLOUDFLARE_ACCOUNT_ID) says {flag}: remove one"
            )))
        }
        (Some(flag), _) => Ok(Some(flag.clone())),
        (None, file) => Ok(file.clone()),
    }
}

/// The settings every client shares.
fn builder(global: &Global, retry: Option<RetryPolicy>) -> ClientBuilder {
    let builder = Client::builder()
        .timeout(global.timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT))
        .rate_limit(rate_limit(global))
        .on_long_wait(output::long_wait);
    match retry {
        Some(policy) => builder.retry_policy(policy),
        None => builder,
    }
}

/// `--rate`: by default under Cloudflare's global limit (1,200 requests per 5
/// minutes), and off for the embedded emulator, which has no limit.
fn rate_limit(global: &Global) -> Option<f64> {
    match global.rate {
        Some(Rate::Off) => None,
        Some(Rate::PerSecond(rate)) => Some(rate),
        None if global.emulated => None,
        None => Some(DEFAULT_RATE),
    }
}

/// A client for the real API, configured from the flags and the environment.
fn real_client(global: &Global, retry: Option<RetryPolicy>) -> Result<Client, Failure> {
    let credentials = match &global.token_file {
        Some(path) => Credentials::api_token(token::read(path)?),
        None => Credentials::from_env().map_err(|e| credentials_failure(e.message()))?,
    };
    let mut builder = builder(global, retry).credentials(credentials);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.clone());
    }
    Ok(builder.build()?)
}

/// The variables credentials come from.
const CREDENTIAL_VARIABLES: [&str; 3] = [
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
];

/// Why no credentials could be read from the environment: none set says what to
/// set; otherwise the library's message names the variable at fault.
fn credentials_failure(library_message: &str) -> Failure {
    if CREDENTIAL_VARIABLES
        .iter()
        .all(|name| std::env::var_os(name).is_none())
    {
        Failure::usage(
            "no credentials: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY), pass --token-file, or try --emulated",
        )
    } else {
        Failure::usage(format!(
            "{library_message}; --emulated needs no credentials"
        ))
    }
}
