//! What an emulator is started with: [`EmulatorConfig`], the credentials it
//! accepts (from a file too: [`CredentialFile`]), and the defaults and limits of
//! both, the caps on the files it reads included.

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use crate::{Error, Seed, files, sharing::StateSharing};

/// Default API token accepted by the emulator.
pub const DEFAULT_API_TOKEN: &str = "emulator-token";
/// Default `X-Auth-Email` accepted by the emulator.
pub const DEFAULT_EMAIL: &str = "demo@example.com";
/// Default `X-Auth-Key` accepted by the emulator.
pub const DEFAULT_API_KEY: &str = "emulator-key";
/// Default provisioning delay.
pub const DEFAULT_PROVISIONING_DELAY: Duration = Duration::from_secs(2);

/// The credentials the emulator accepts: a server's policy (a token, an email and
/// key pair, or any), not the one credential a client presents (the wrapper's
/// `Credentials`). `Debug` masks the token and key.
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptedCredentials {
    /// Accepted `Authorization: Bearer` token; `None` refuses every token.
    pub api_token: Option<String>,
    /// Accepted `X-Auth-Email` (compared case-insensitively); `None` refuses email/key.
    pub email: Option<String>,
    /// Accepted `X-Auth-Key`; `None` refuses email/key.
    pub api_key: Option<String>,
    /// Accept any non-empty token or email/key pair.
    pub accept_any: bool,
}

impl Default for AcceptedCredentials {
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

impl AcceptedCredentials {
    /// Whether these credentials let in whoever knows the published defaults (or
    /// anyone at all, with [`AcceptedCredentials::accept_any`]).
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

impl fmt::Debug for AcceptedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("AcceptedCredentials")
            .field("api_token", &mask(&self.api_token))
            .field("email", &self.email)
            .field("api_key", &mask(&self.api_key))
            .field("accept_any", &self.accept_any)
            .finish()
    }
}

/// Everything [`Emulator::start`](crate::Emulator::start) needs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free one. Default `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// Initial data, when there is no state file yet. Default [`Seed::demo`].
    pub seed: Seed,
    /// Accepted credentials. Default [`AcceptedCredentials::default`].
    pub credentials: AcceptedCredentials,
    /// How long a new binding stays `provisioning`. Default
    /// [`DEFAULT_PROVISIONING_DELAY`] (2 s); zero makes it `active` at once.
    pub provisioning_delay: Duration,
    /// State file; `None` keeps the state in memory. Default `None`.
    pub state_file: Option<PathBuf>,
    /// How the state file is shared. Default [`StateSharing::Exclusive`].
    pub state_sharing: StateSharing,
    /// Serve the fault-injection endpoints `/__emulator/faults` and
    /// `/__emulator/chaos`. Default `false`.
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
    /// Seeded random faults on a fraction of all requests from the start; `None`
    /// injects none (until `POST /__emulator/chaos` sets some, with
    /// [`faults`](Self::faults)). Default `None`.
    pub chaos: Option<Chaos>,
}

/// The warning for an emulator listening on `addr` with `credentials`, when `addr`
/// is not a loopback address: others who can reach it can use it, with its
/// well-known credentials when it still accepts them, and over plain HTTP.
pub(crate) fn exposure_warning(
    addr: SocketAddr,
    credentials: &AcceptedCredentials,
) -> Option<String> {
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
            credentials: AcceptedCredentials::default(),
            provisioning_delay: DEFAULT_PROVISIONING_DELAY,
            state_file: None,
            state_sharing: StateSharing::Exclusive,
            faults: false,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            read_timeout: DEFAULT_READ_TIMEOUT,
            allowed_hosts: Vec::new(),
            chaos: None,
        }
    }
}

/// A kind of injected fault, named as the fault script and the chaos mode name it
/// (`drop_after_commit`, ...); the crate documentation says what each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// `delay`: a normal answer, late.
    Delay,
    /// `rate_limit`: 429 with `Retry-After`; the operation does not run.
    RateLimit,
    /// `http_error`: a 5xx with an HTML page; the operation does not run.
    HttpError,
    /// `unsuccessful`: 200 with `success: false`; the operation does not run.
    Unsuccessful,
    /// `malformed_json`: 200 with a body that is not JSON; the operation does not run.
    MalformedJson,
    /// `truncated_json`: the operation runs, its answer's body is cut in half.
    TruncatedJson,
    /// `drop_before_commit`: the connection is closed, the operation does not run.
    DropBeforeCommit,
    /// `drop_after_commit`: the operation runs (and is saved), then the connection is
    /// closed without an answer.
    DropAfterCommit,
}

impl FaultKind {
    /// Every kind, in the order of the crate documentation's table.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Delay,
        FaultKind::RateLimit,
        FaultKind::HttpError,
        FaultKind::Unsuccessful,
        FaultKind::MalformedJson,
        FaultKind::TruncatedJson,
        FaultKind::DropBeforeCommit,
        FaultKind::DropAfterCommit,
    ];

    /// Its name in fault scripts and chaos settings: `drop_after_commit`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Delay => "delay",
            FaultKind::RateLimit => "rate_limit",
            FaultKind::HttpError => "http_error",
            FaultKind::Unsuccessful => "unsuccessful",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::DropBeforeCommit => "drop_before_commit",
            FaultKind::DropAfterCommit => "drop_after_commit",
        }
    }

    /// Parses a comma-separated list of kinds (`drop_after_commit,http_error`), or
    /// `all`; spaces around names are ignored, a kind named twice counts once.
    pub fn parse_list(text: &str) -> Result<Vec<FaultKind>, String> {
        if text.trim().eq_ignore_ascii_case("all") {
            return Ok(FaultKind::ALL.to_vec());
        }
        let mut kinds = Vec::new();
        for name in text.split(',') {
            let kind: FaultKind = name.parse()?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(kinds)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for FaultKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        FaultKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown fault kind {text:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The default [`Chaos::max_delay`].
pub const DEFAULT_CHAOS_MAX_DELAY: Duration = Duration::from_millis(250);
/// The default [`Chaos::retry_after`], in seconds.
pub const DEFAULT_CHAOS_RETRY_AFTER: u64 = 1;

/// Seeded random faults (the chaos mode): each API request, of every operation, draws
/// whether it gets a fault (with probability [`rate`](Self::rate)) and which one (one
/// of [`kinds`](Self::kinds), with equal chances). The draws come from a generator
/// seeded with [`seed`](Self::seed), so the same seed and the same sequence of
/// requests give the same faults.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// The fraction of requests that get a fault, from 0 (none) to 1 (every one).
    pub rate: f64,
    /// The seed of the draws.
    pub seed: u64,
    /// The kinds drawn from; not empty. Default: [`FaultKind::ALL`].
    pub kinds: Vec<FaultKind>,
    /// A `delay` waits a time drawn from zero to this. Default
    /// [`DEFAULT_CHAOS_MAX_DELAY`] (250 ms).
    pub max_delay: Duration,
    /// The `Retry-After` of a `rate_limit`, in seconds. Default
    /// [`DEFAULT_CHAOS_RETRY_AFTER`] (1).
    pub retry_after: u64,
}

impl Chaos {
    /// Faults of every kind on `rate` of the requests, drawn from `seed`, with the
    /// default delay and `Retry-After`.
    pub fn new(rate: f64, seed: u64) -> Chaos {
        Chaos {
            rate,
            seed,
            kinds: FaultKind::ALL.to_vec(),
            max_delay: DEFAULT_CHAOS_MAX_DELAY,
            retry_after: DEFAULT_CHAOS_RETRY_AFTER,
        }
    }

    /// Parses a rate: a number from 0 to 1 (`0.2`).
    pub fn parse_rate(text: &str) -> Result<f64, String> {
        match text.trim().parse::<f64>() {
            Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
            Ok(_) => Err(format!(
                "the chaos rate {rate} must be from 0 to 1 (0.2: a fault on one request in five)",
                rate = text.trim()
            )),
            Err(e) => Err(format!(
                "the chaos rate {:?} is not a number ({e})",
                text.trim()
            )),
        }
    }

    /// The same, drawing only `kinds`.
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = FaultKind>) -> Chaos {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// Why these settings cannot be used, if they cannot: a rate outside 0 to 1, no
    /// kind, a delay past [`MAX_CHAOS_DELAY`].
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!(
                "the chaos rate is {}; it must be from 0 to 1 (0.2: a fault on a fifth of the requests)",
                self.rate
            ));
        }
        if self.kinds.is_empty() {
            return Err("no fault kind to draw from: name at least one".to_owned());
        }
        if self.max_delay > MAX_CHAOS_DELAY {
            return Err(format!(
                "the chaos delay is at most {} ms, not {} ms",
                MAX_CHAOS_DELAY.as_millis(),
                self.max_delay.as_millis()
            ));
        }
        Ok(())
    }
}

/// The longest [`Chaos::max_delay`] accepted.
pub const MAX_CHAOS_DELAY: Duration = Duration::from_secs(3600);
