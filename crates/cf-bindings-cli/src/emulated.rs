//! `--emulated`: the emulator embedded in this program, on a loopback port, with
//! its state in a file so that one command sees what the previous one did.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use cf_bindings_emulator::{
    AcceptedCredentials, DEFAULT_API_TOKEN, Emulator, EmulatorConfig, RunningEmulator, StateSharing,
};
use cf_bindings_emulator::{Chaos, FaultKind};

use crate::exit::Failure;

/// The demo seed's account, the default of `--account` under `--emulated`.
pub const ACCOUNT: &str = cf_bindings_emulator::DEMO_ACCOUNT_ID;
/// The token the embedded emulator accepts.
pub const TOKEN: &str = DEFAULT_API_TOKEN;

/// How long a new binding stays `provisioning` in the embedded emulator: long
/// enough to see, short enough for `--wait`.
const PROVISIONING_DELAY: Duration = Duration::from_secs(2);

/// Sets another provisioning delay (`0s`: active at once), as it does for the
/// standalone emulator.
pub const ENV_PROVISIONING_DELAY: &str = "CF_EMULATOR_PROVISIONING_DELAY";

/// The provisioning delay: [`ENV_PROVISIONING_DELAY`] when set, else 2 s.
fn provisioning_delay() -> Result<Duration, Failure> {
    match std::env::var(ENV_PROVISIONING_DELAY) {
        Err(std::env::VarError::NotPresent) => Ok(PROVISIONING_DELAY),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "{ENV_PROVISIONING_DELAY} is not valid UTF-8"
        ))),
        Ok(text) => crate::args::parse_duration(&text)
            .map_err(|e| Failure::usage(format!("{ENV_PROVISIONING_DELAY}: {e}"))),
    }
}

/// Turns the embedded emulator's chaos mode on, as `--chaos` does for the
/// standalone emulator: seeded random faults on this fraction of all requests.
pub const ENV_CHAOS: &str = "CF_EMULATOR_CHAOS";
/// The chaos mode's seed (default 0).
pub const ENV_CHAOS_SEED: &str = "CF_EMULATOR_CHAOS_SEED";
/// The chaos mode's fault kinds, comma-separated (default all).
pub const ENV_CHAOS_KINDS: &str = "CF_EMULATOR_CHAOS_KINDS";
/// The chaos mode's longest delay (default 250 ms).
pub const ENV_CHAOS_MAX_DELAY: &str = "CF_EMULATOR_CHAOS_MAX_DELAY";
/// The chaos mode's `Retry-After`, in seconds (default 1).
pub const ENV_CHAOS_RETRY_AFTER: &str = "CF_EMULATOR_CHAOS_RETRY_AFTER";

/// The value of the environment variable `name`, if set.
fn env(name: &str) -> Result<Option<String>, Failure> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Failure::usage(format!("{name} is not valid UTF-8")))
        }
        Ok(text) => Ok(Some(text)),
    }
}

/// The chaos settings from [`ENV_CHAOS`] and its companions, when it is set.
fn chaos() -> Result<Option<Chaos>, Failure> {
    let Some(rate) = env(ENV_CHAOS)? else {
        return Ok(None);
    };
    let invalid = |name: &'static str| move |e: String| Failure::usage(format!("{name}: {e}"));
    let mut chaos = Chaos::new(Chaos::parse_rate(&rate).map_err(invalid(ENV_CHAOS))?, 0);
    if let Some(seed) = env(ENV_CHAOS_SEED)? {
        chaos.seed = seed
            .trim()
            .parse()
            .map_err(|e| invalid(ENV_CHAOS_SEED)(format!("{seed:?} is not a seed ({e})")))?;
    }
    if let Some(kinds) = env(ENV_CHAOS_KINDS)? {
        chaos.kinds = FaultKind::parse_list(&kinds).map_err(invalid(ENV_CHAOS_KINDS))?;
    }
    if let Some(delay) = env(ENV_CHAOS_MAX_DELAY)? {
        chaos.max_delay =
            crate::args::parse_duration(&delay).map_err(invalid(ENV_CHAOS_MAX_DELAY))?;
    }
    if let Some(seconds) = env(ENV_CHAOS_RETRY_AFTER)? {
        chaos.retry_after = seconds.trim().parse().map_err(|e| {
            invalid(ENV_CHAOS_RETRY_AFTER)(format!("{seconds:?} is not a number of seconds ({e})"))
        })?;
    }
    chaos.check().map_err(invalid(ENV_CHAOS))?;
    Ok(Some(chaos))
}

/// The default state file: `cf-bindings/emulator.json` in the user's state
/// directory (`$XDG_STATE_HOME`, else `~/.local/state`), else the data directory.
pub fn default_state_file() -> Result<PathBuf, Failure> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|dir| dir.join("cf-bindings").join("emulator.json"))
        .ok_or_else(|| {
            Failure::usage("no state directory for --emulated: set HOME, or pass --state FILE")
        })
}

/// Starts the embedded emulator on the given state file (the emulator creates its
/// missing directories, private to the user). Several processes may use the same
/// file at once: each request locks it, re-reads it and saves before unlocking, so
/// concurrent commands lose nothing.
pub async fn start(state_file: &Path) -> Result<RunningEmulator, Failure> {
    let config = EmulatorConfig {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        credentials: AcceptedCredentials::default(),
        provisioning_delay: provisioning_delay()?,
        state_file: Some(state_file.to_path_buf()),
        state_sharing: StateSharing::Shared,
        faults: false,
        chaos: chaos()?,
        ..EmulatorConfig::default()
    };
    Emulator::start(config).await.map_err(|e| {
        Failure::usage(format!(
            "cannot start the embedded emulator on {}: {e}",
            state_file.display()
        ))
    })
}
