//! What an emulator is started with: [`EmulatorConfig`], the credentials it
//! accepts (from a file too: [`CredentialFile`]), and the defaults and limits of
//! both, the caps on the files it reads included.

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use crate::{Error, Seed, files};

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

impl Credentials {
    /// Whether these credentials let in whoever knows the published defaults (or
    /// anyone at all, with [`Credentials::accept_any`]).
    pub(crate) fn are_well_known(&self) -> bool {
        self.accept_any
            || self.api_token.as_deref() == Some(DEFAULT_API_TOKEN)
            || (self
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(DEFAULT_EMAIL))
                && self.api_key.as_deref() == Some(DEFAULT_API_KEY))
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

/// The warning for an emulator listening on `addr` with `credentials`, when `addr`
/// is not a loopback address: others who can reach it can use it, with its
/// well-known credentials when it still accepts them, and over plain HTTP.
pub(crate) fn exposure_warning(addr: SocketAddr, credentials: &Credentials) -> Option<String> {
    if addr.ip().to_canonical().is_loopback() {
        return None;
    }
    let who = if credentials.accept_any {
        "it accepts any credentials, so anyone who can reach it can change its state"
    } else if credentials.are_well_known() {
        "it accepts the well-known demo credentials, so anyone who can reach it can change its state (set your own with --token-file and --api-key-file)"
    } else {
        "anyone who can reach it can try its credentials, which travel in clear text (plain HTTP)"
    };
    Some(format!("listening on {addr}, beyond loopback: {who}"))
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

/// The largest credential file read by [`CredentialFile::read`] (4 KiB).
pub const MAX_CREDENTIAL_FILE_BYTES: u64 = 4 * 1024;

/// A credential (a token or a key) read from a file, so that it need not appear in
/// a command line. `Debug` masks it.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialFile {
    /// The credential: the file's text without its trailing line break.
    pub secret: String,
    /// The file's permission bits when its group or others may read it (Unix).
    pub readable_by_others: Option<u32>,
}

impl CredentialFile {
    /// Reads a credential file: a regular file (a FIFO or a device is refused at
    /// once) of at most [`MAX_CREDENTIAL_FILE_BYTES`], UTF-8, one line (a trailing
    /// `\n` or `\r\n` is removed), neither empty nor with spaces at its ends. The
    /// errors never quote the file's content.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let fail = |source: std::io::Error| Error::CredentialFile {
            path: path.to_owned(),
            source,
        };
        let invalid = |what: &str| fail(std::io::Error::new(std::io::ErrorKind::InvalidData, what));
        let file = files::open_regular(path).map_err(fail)?;
        let readable_by_others = files::readable_by_others(&file).map_err(fail)?;
        let bytes = files::read_capped(file, MAX_CREDENTIAL_FILE_BYTES).map_err(fail)?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8"))?;
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return Err(invalid("empty"));
        }
        if line.chars().any(char::is_control) {
            return Err(invalid("more than one line, or a control character"));
        }
        if line.trim() != line {
            return Err(invalid("spaces at the start or end of the credential"));
        }
        Ok(Self {
            secret: line.to_owned(),
            readable_by_others,
        })
    }
}

impl fmt::Debug for CredentialFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialFile")
            .field("secret", &"***")
            .field("readable_by_others", &self.readable_by_others)
            .finish()
    }
}

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
