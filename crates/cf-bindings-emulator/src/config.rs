//! What an emulator is started with: [`EmulatorConfig`], the credentials it
//! accepts, and the defaults and limits of both, the caps on the files it reads
//! included.

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use crate::Seed;

/// Default API token accepted by the emulator.
pub const DEFAULT_API_TOKEN: &str = "emulator-token";
/// Default `X-Auth-Email` accepted by the emulator.
pub const DEFAULT_EMAIL: &str = "demo@example.com";
/// Default `X-Auth-Key` accepted by the emulator.
pub const DEFAULT_API_KEY: &str = "emulator-key";
/// Default provisioning delay.
pub const DEFAULT_PROVISIONING_DELAY: Duration = Duration::from_secs(2);

/// The credentials the emulator accepts. `Debug` masks the token and key.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Accepted `Authorization: Bearer` token; `None` refuses every token.
    pub api_token: Option<String>,
    /// Accepted `X-Auth-Email` (compared case-insensitively); `None` refuses email/key.
    pub email: Option<String>,
    /// Accepted `X-Auth-Key`; `None` refuses email/key.
    pub api_key: Option<String>,
    /// Accept any non-empty token or email/key pair.
    pub accept_any: bool,
}

impl Default for Credentials {
    /// [`DEFAULT_API_TOKEN`], [`DEFAULT_EMAIL`] and [`DEFAULT_API_KEY`].
    fn default() -> Self {
        Self {
            api_token: Some(DEFAULT_API_TOKEN.to_owned()),
            email: Some(DEFAULT_EMAIL.to_owned()),
            api_key: Some(DEFAULT_API_KEY.to_owned()),
            accept_any: false,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("api_token", &mask(&self.api_token))
            .field("email", &self.email)
            .field("api_key", &mask(&self.api_key))
            .field("accept_any", &self.accept_any)
            .finish()
    }
}

/// How a state file may be shared between processes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateSharing {
    /// One emulator owns the file (and its lock) for its whole life.
    #[default]
    Exclusive,
    /// Several processes share the file; every request locks it and re-reads it.
    Shared,
}

/// Everything [`Emulator::start`](crate::Emulator::start) needs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free one. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Initial data, when there is no state file yet. Default [`Seed::demo`].
    pub seed: Seed,
    /// Accepted credentials. Default [`Credentials::default`].
    pub credentials: Credentials,
    /// How long a new binding stays `provisioning`. Default
    /// [`DEFAULT_PROVISIONING_DELAY`] (2 s); zero makes it `active` at once.
    pub provisioning_delay: Duration,
    /// State file; `None` keeps the state in memory. Default `None`.
    pub state_file: Option<PathBuf>,
    /// How the state file is shared. Default [`StateSharing::Exclusive`].
    pub state_sharing: StateSharing,
    /// Serve the fault-injection endpoint `/__emulator/faults`. Default `false`.
    pub faults: bool,
    /// The most connections open at once; one more is accepted and closed at once.
    /// From 1 to [`MAX_CONNECTIONS_LIMIT`]; [`Emulator::start`](crate::Emulator::start) refuses any other
    /// value with [`Error::InvalidConfig`](crate::Error::InvalidConfig). Default [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// A connection that sends nothing for this long (a half-sent header or body, or
    /// an idle keep-alive connection) is closed, and so is one whose request (head
    /// and body) is not whole this long after its first byte; the time a request
    /// takes to be handled does not count. Default [`DEFAULT_READ_TIMEOUT`].
    pub read_timeout: Duration,
    /// Host names (or IP addresses), without a port, accepted in a request's `Host`
    /// besides the ones always accepted: a loopback address (`127.0.0.0/8`, `[::1]`),
    /// `localhost`, and the address of [`EmulatorConfig::listen`] (any IP address when
    /// that is `0.0.0.0` or `[::]`). Compared case-insensitively, with any port. Any
    /// other `Host` is answered 421 (a guard against DNS rebinding: a web page whose
    /// name was made to point at this machine cannot reach the emulator).
    /// [`Emulator::start`](crate::Emulator::start) refuses a name that is empty or has
    /// a port with [`Error::InvalidConfig`](crate::Error::InvalidConfig). Default: none.
    pub allowed_hosts: Vec<String>,
}

/// The default [`EmulatorConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// The most faults the queues of `/__emulator/faults` hold at once, all operations
/// together.
pub const MAX_QUEUED_FAULTS: usize = 10_000;

/// The largest [`EmulatorConfig::max_connections`] accepted.
pub const MAX_CONNECTIONS_LIMIT: usize = tokio::sync::Semaphore::MAX_PERMITS;

/// The default [`EmulatorConfig::read_timeout`].
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest state file read (16 MiB, roughly 70,000 bindings); a change that would
/// make the file larger is refused and nothing changes.
pub const MAX_STATE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The largest seed file read by [`Seed::load`] (1 MiB).
pub const MAX_SEED_FILE_BYTES: u64 = 1024 * 1024;

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed: Seed::demo(),
            credentials: Credentials::default(),
            provisioning_delay: DEFAULT_PROVISIONING_DELAY,
            state_file: None,
            state_sharing: StateSharing::Exclusive,
            faults: false,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            read_timeout: DEFAULT_READ_TIMEOUT,
            allowed_hosts: Vec::new(),
        }
    }
}
