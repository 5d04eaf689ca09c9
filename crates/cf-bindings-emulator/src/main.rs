//! `cf-bindings-emulator`: runs the local Service Bindings API emulator.
#![forbid(unsafe_code)]

use std::{io::Write, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use cf_bindings_emulator::{
    AcceptedCredentials, CredentialFile, DEFAULT_API_KEY, DEFAULT_API_TOKEN, DEFAULT_EMAIL,
    DEFAULT_MAX_CONNECTIONS, Emulator, EmulatorConfig, MAX_CONNECTIONS_LIMIT, Seed, StateSharing,
};
use cf_bindings_emulator::{Chaos, DEFAULT_CHAOS_RETRY_AFTER, FaultKind};
use clap::Parser;

/// A local emulator of Cloudflare's BYOIP Service Bindings API.
///
/// Serves the five Service Bindings operations, and List Prefixes and Prefix Details,
/// under /client/v4 with Cloudflare's rules. Prints the base URL to use (for
/// CLOUDFLARE_BASE_URL) on its first line of standard output, logs one line per
/// request to standard error, and shuts down gracefully on Ctrl-C or SIGTERM.
///
/// It answers only requests whose Host is a loopback address, localhost or the
/// --listen address (a guard against DNS rebinding; see --allow-host), and warns on
/// standard error when it listens beyond loopback. Files it creates are private to
/// its user (0600, directories 0700).
#[derive(Debug, Parser)]
#[command(name = "cf-bindings-emulator", version)]
struct Args {
    /// Address and port to listen on (port 0 picks a free port). Beyond loopback
    /// (0.0.0.0, say), other machines can use the emulator, and it warns so.
    #[arg(long, env = "CF_EMULATOR_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,

    /// Also answer requests whose Host is NAME (a host name or IP address, without
    /// a port; any port is accepted). Repeatable; the variable takes a
    /// comma-separated list. Always answered: a loopback address, localhost, and the
    /// --listen address (any IP address when it is 0.0.0.0 or [::]); any other Host
    /// gets 421.
    #[arg(
        long = "allow-host",
        env = "CF_EMULATOR_ALLOW_HOSTS",
        value_name = "NAME",
        value_delimiter = ','
    )]
    allow_hosts: Vec<String>,

    /// Seed file (TOML if it ends in .toml, JSON otherwise) with the services,
    /// accounts, prefixes and bindings to start with; default: the built-in demo seed.
    /// Ignored when --state names an existing file. A regular file of at most 1 MiB.
    #[arg(long, env = "CF_EMULATOR_SEED", value_name = "FILE")]
    seed: Option<PathBuf>,

    /// State file: loaded at start if it exists (else created from the seed, with
    /// any missing directory) and saved atomically after every change, mode 0600. A
    /// regular file of at most 16 MiB. Default: state kept in memory only.
    #[arg(long, env = "CF_EMULATOR_STATE", value_name = "FILE")]
    state: Option<PathBuf>,

    /// Let several processes share the --state file: every request locks FILE.lock
    /// and re-reads the file. Without it, the emulator owns the file exclusively.
    #[arg(long, env = "CF_EMULATOR_SHARED_STATE", requires = "state")]
    shared_state: bool,

    /// API token accepted as `Authorization: Bearer <token>`. Given here, it is visible
    /// to other users in the process list: prefer --token-file or the variable.
    #[arg(long, env = "CF_EMULATOR_TOKEN", default_value = DEFAULT_API_TOKEN, hide_env_values = true)]
    token: String,

    /// Read the API token from FILE instead (one line, its line break removed; a
    /// regular file of at most 4 KiB; a warning if others may read it).
    #[arg(
        long,
        env = "CF_EMULATOR_TOKEN_FILE",
        value_name = "FILE",
        conflicts_with = "token"
    )]
    token_file: Option<PathBuf>,

    /// Email accepted in X-Auth-Email (with --api-key in X-Auth-Key).
    #[arg(long, env = "CF_EMULATOR_EMAIL", default_value = DEFAULT_EMAIL)]
    email: String,

    /// Global API key accepted in X-Auth-Key (with --email in X-Auth-Email). Given here,
    /// it is visible to other users in the process list: prefer --api-key-file or the
    /// variable.
    #[arg(long, env = "CF_EMULATOR_API_KEY", default_value = DEFAULT_API_KEY, hide_env_values = true)]
    api_key: String,

    /// Read the global API key from FILE instead (as --token-file reads the token).
    #[arg(
        long,
        env = "CF_EMULATOR_API_KEY_FILE",
        value_name = "FILE",
        conflicts_with = "api_key"
    )]
    api_key_file: Option<PathBuf>,

    /// Accept any non-empty API token or email/key pair (missing credentials are
    /// still refused).
    #[arg(long, env = "CF_EMULATOR_ACCEPT_ANY_CREDENTIALS")]
    accept_any_credentials: bool,

    /// How long a new binding reports `provisioning` before `active`: a number with
    /// an optional unit ms, s, m or h (`2s`, `500ms`, `0`; a bare number is seconds).
    #[arg(long, env = "CF_EMULATOR_PROVISIONING_DELAY", default_value = "2s", value_parser = parse_duration)]
    provisioning_delay: Duration,

    /// Serve the fault-injection endpoint POST/GET/DELETE /__emulator/faults, which
    /// scripts the next responses of each operation (for testing clients), and
    /// /__emulator/chaos, which sets the chaos mode (see --chaos). They take no
    /// credentials; a script or settings must be sent as application/json.
    #[arg(long, env = "CF_EMULATOR_FAULTS")]
    faults: bool,

    /// The most connections open at once; one more is accepted and closed at once,
    /// so the clients being served are not slowed down.
    #[arg(long, env = "CF_EMULATOR_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = connection_count)]
    max_connections: usize,

    /// Close a connection that sends nothing for this long (a half-sent header or
    /// body, or an idle keep-alive connection), or whose request is not whole this
    /// long after its first byte (same units as --provisioning-delay).
    #[arg(long, env = "CF_EMULATOR_READ_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    read_timeout: Duration,

    #[command(flatten)]
    chaos: ChaosArgs,
}

/// The chaos mode's options.
#[derive(Debug, clap::Args)]
struct ChaosArgs {
    /// Inject seeded random faults into this fraction of all API requests, from 0 to
    /// 1 (0.2: one in five), every operation alike: each a fault of --chaos-kinds
    /// drawn at random, the same faults for the same seed and sequence of requests.
    /// With --faults, POST /__emulator/chaos changes the settings at run time.
    #[arg(long, env = "CF_EMULATOR_CHAOS", value_name = "RATE", value_parser = Chaos::parse_rate)]
    chaos: Option<f64>,

    /// The seed of the chaos mode's draws.
    #[arg(
        long,
        env = "CF_EMULATOR_CHAOS_SEED",
        value_name = "N",
        default_value_t = 0
    )]
    chaos_seed: u64,

    /// The fault kinds the chaos mode draws from, comma-separated, or `all`:
    /// delay, rate_limit, http_error, unsuccessful, malformed_json, truncated_json,
    /// drop_before_commit, drop_after_commit.
    #[arg(long, env = "CF_EMULATOR_CHAOS_KINDS", value_name = "KINDS", default_value = "all", value_parser = FaultKind::parse_list)]
    chaos_kinds: ::std::vec::Vec<FaultKind>,

    /// The longest delay the chaos mode's `delay` fault waits (each is drawn from
    /// zero to this; same units as --provisioning-delay).
    #[arg(long, env = "CF_EMULATOR_CHAOS_MAX_DELAY", value_name = "DURATION", default_value = "250ms", value_parser = parse_duration)]
    chaos_max_delay: Duration,

    /// The Retry-After, in seconds, of the chaos mode's `rate_limit` fault.
    #[arg(long, env = "CF_EMULATOR_CHAOS_RETRY_AFTER", value_name = "SECONDS", default_value_t = DEFAULT_CHAOS_RETRY_AFTER)]
    chaos_retry_after: u64,
}

impl ChaosArgs {
    /// The chaos settings, when --chaos is given.
    fn settings(&self) -> Option<Chaos> {
        self.chaos.map(|rate| Chaos {
            rate,
            seed: self.chaos_seed,
            kinds: self.chaos_kinds.clone(),
            max_delay: self.chaos_max_delay,
            retry_after: self.chaos_retry_after,
        })
    }
}

/// A count of connections: from 1 to [`MAX_CONNECTIONS_LIMIT`].
fn connection_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONNECTIONS_LIMIT).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_CONNECTIONS_LIMIT}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses a duration as humantime reads it (`2s`, `500ms`, `1m 30s`), or a plain
/// number of seconds (`0`, `1.5`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let plain = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let parsed = if plain {
        humantime::parse_duration(&format!("{text}s"))
    } else {
        humantime::parse_duration(text)
    };
    parsed.map_err(|e| format!("invalid duration {text:?} ({e}): e.g. 2s, 500ms, 1m 30s, 0"))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Nowhere left to say it when stderr is closed: the exit status tells.
            let _ = writeln!(std::io::stderr(), "cf-bindings-emulator: error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes a warning on standard error (nowhere left to say it when stderr is
/// closed).
fn warn(message: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "cf-bindings-emulator: warning: {message}"
    );
}

/// The credential of `file` when given (warning when others may read the file), else
/// `given`.
fn credential(
    file: Option<&PathBuf>,
    given: String,
    what: &str,
) -> Result<String, cf_bindings_emulator::Error> {
    let Some(path) = file else {
        return Ok(given);
    };
    let read = CredentialFile::read(path)?;
    if let Some(mode) = read.readable_by_others {
        warn(&format!(
            "{what} file {} may be read by other users (mode {mode:03o}): chmod 600 it",
            path.display()
        ));
    }
    Ok(read.secret)
}

async fn run(args: Args) -> Result<(), cf_bindings_emulator::Error> {
    let seed = match &args.seed {
        Some(path) => Seed::load(path)?,
        None => Seed::demo(),
    };
    let token = credential(args.token_file.as_ref(), args.token, "token")?;
    let api_key = credential(args.api_key_file.as_ref(), args.api_key, "API key")?;
    let config = EmulatorConfig {
        listen: args.listen,
        seed,
        credentials: AcceptedCredentials {
            api_token: Some(token),
            email: Some(args.email),
            api_key: Some(api_key),
            accept_any: args.accept_any_credentials,
        },
        provisioning_delay: args.provisioning_delay,
        state_file: args.state,
        state_sharing: if args.shared_state {
            StateSharing::Shared
        } else {
            StateSharing::Exclusive
        },
        faults: args.faults,
        max_connections: args.max_connections,
        read_timeout: args.read_timeout,
        allowed_hosts: args.allow_hosts,
        chaos: args.chaos.settings(),
    };
    let running = Emulator::start(config).await?;
    // Before the base URL: whoever reads that line has had the warning.
    if let Some(message) = running.exposure_warning() {
        warn(message);
    }
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", running.base_url());
        let _ = stdout.flush();
    }
    tracing::info!(
        base_url = running.base_url(),
        faults = args.faults,
        "emulator started; stop with Ctrl-C"
    );
    if let Some(chaos) = args.chaos.settings() {
        let kinds: Vec<&str> = chaos.kinds.iter().map(|k| k.name()).collect();
        tracing::info!(
            rate = chaos.rate,
            seed = chaos.seed,
            kinds = kinds.join(","),
            "chaos mode on"
        );
    }
    wait_for_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
