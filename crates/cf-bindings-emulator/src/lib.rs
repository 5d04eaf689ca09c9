//! A local emulator of Cloudflare's BYOIP **Service Bindings** API.
//!
//! It serves the five Service Bindings operations and the two prefix read operations
//! (List Prefixes, Prefix Details) under `/client/v4`, enforces Cloudflare's rules,
//! keeps its state in memory or in a state file, and can inject faults for testing
//! clients. It is written independently of the workspace's client crates: it
//! implements the wire format from the spec and Cloudflare's documentation.
//!
//! | operation | method and path under `/client/v4` |
//! |-----------|------------------------------------|
//! | List Prefixes | `GET /accounts/{account_id}/addressing/prefixes` |
//! | Prefix Details | `GET /accounts/{account_id}/addressing/prefixes/{prefix_id}` |
//! | List Service Bindings | `GET /accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings` |
//! | Create Service Binding | `POST /accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings` |
//! | Get Service Binding | `GET /accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings/{binding_id}` |
//! | Delete Service Binding | `DELETE /accounts/{account_id}/addressing/prefixes/{prefix_id}/bindings/{binding_id}` |
//! | List Services | `GET /accounts/{account_id}/addressing/services` |
//!
//! Adding, changing and deleting prefixes change what Cloudflare announces: they are
//! not emulated (405).
//!
//! ```no_run
//! # async fn demo() -> Result<(), cf_bindings_emulator::Error> {
//! use cf_bindings_emulator::{Emulator, EmulatorConfig};
//!
//! let running = Emulator::start(EmulatorConfig::default()).await?;
//! println!("{}", running.base_url()); // http://127.0.0.1:PORT/client/v4
//! running.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Wire format
//! Every response is `application/json` (except injected HTML errors) with a `cf-ray`
//! header (`<16 hex>-EMU`) and Cloudflare's envelope
//! `{"success", "errors": [{"code", "message", "source"?: {"pointer"}}], "messages", "result"}`.
//! Create answers 201, the others 200; failures are 4xx with `success: false` and
//! `result: null`; Delete's success envelope has no `result`.
//!
//! A prefix (List Prefixes: an array of them, `[]` for an account with none; Prefix
//! Details: one) has every field of Cloudflare's prefix object: `id`, `account_id`,
//! `cidr`, `description`, `asn` (integer or `null`), `approved` (`"V"` active, `"P"`
//! pending), `advertised` (boolean or `null`) and `advertised_modified_at` (both set
//! only with on-demand advertisement), `created_at`, `modified_at`,
//! `on_demand_enabled`, `on_demand_locked`, `delegate_loa_creation`,
//! `loa_document_id` (or `null`), `irr_validation_state`,
//! `ownership_validation_state`, `rpki_validation_state` (such as `"validated"` or
//! `"pending"`) and `ownership_validation_token`. Timestamps are RFC 3339 in UTC with
//! six fractional digits, as Cloudflare writes them: `2024-05-14T17:02:11.123456Z`.
//! An unknown account is code 1001 and an unknown prefix (or one of another account)
//! code 1002, both 404, as for the binding operations.
//!
//! # Credentials
//! `Authorization: Bearer <token>` or `X-Auth-Email` + `X-Auth-Key`. The defaults are
//! [`DEFAULT_API_TOKEN`] (`emulator-token`), [`DEFAULT_EMAIL`] (`demo@example.com`)
//! and [`DEFAULT_API_KEY`] (`emulator-key`). With [`AcceptedCredentials::accept_any`] set, any
//! non-empty credentials are accepted (missing ones are still refused). Every
//! credential grants access to every account of the state. Credentials are never
//! logged. [`CredentialFile::read`] reads one from a file (the binary's
//! `--token-file`, `--api-key-file`), so that it need not appear in a command line.
//!
//! # A local service
//! The emulator is meant for one machine, and guards itself against the web pages
//! its user visits:
//! - It answers only requests whose `Host` is a loopback address (`127.0.0.0/8`,
//!   `[::1]`), `localhost`, the address of [`EmulatorConfig::listen`] (any IP address
//!   when that is `0.0.0.0` or `[::]`) or one of [`EmulatorConfig::allowed_hosts`],
//!   with any port; others get 421 (code 1019) before anything else is looked at. A
//!   page whose name an attacker points at 127.0.0.1 (DNS rebinding) is refused.
//! - The fault endpoints (`/__emulator/faults`, `/__emulator/chaos`) take no
//!   credentials, so they take a fault script or chaos settings only as
//!   `application/json` (415, code 1092, otherwise; nothing changes): a page may send
//!   a `text/plain` POST anywhere, but an `application/json` one needs a CORS
//!   preflight the emulator never grants. The API's endpoints need credentials in headers, which need the
//!   same preflight; Create also refuses a body whose `Content-Type` is not JSON
//!   (code 1014).
//! - Listening beyond loopback, [`RunningEmulator::exposure_warning`] has a warning
//!   (the binary prints it): others can use the emulator, with the published demo
//!   credentials if it still accepts them, over plain HTTP.
//!
//! # Rules
//! - The first binding of a prefix must be exactly the prefix's CIDR (the *base*
//!   binding, of any service); later ones must lie strictly inside the prefix.
//! - `cidr` must be well-formed, with no host bits set; `service_id` must exist.
//! - *Emulator's assumption*: no two bindings of a prefix have the same CIDR, and the
//!   more-specific (non-base) bindings never overlap one another (no nesting).
//! - An address is never both CDN and Spectrum: a CDN and a Spectrum more-specific
//!   binding may not overlap (checked before the no-overlap rule, so it has its own
//!   code). The base binding is exempt, so a CDN base may carry Spectrum /32s.
//!   Services are classified by name (`CDN`, `Spectrum`, case-insensitive).
//! - *Emulator's assumption*: the base binding cannot be deleted while more-specific
//!   bindings exist; once it is alone it can, and the next binding is a first binding
//!   again.
//! - Rule violations answer 400, not 409: Cloudflare's SDKs retry 409, and a rule
//!   violation does not go away by retrying.
//! - Not-found checks (account, then prefix, then binding) come before body checks.
//!
//! # Error codes
//! Every failure answers one code of [`error_codes`], whose items give each code's
//! HTTP status and meaning; codes marked "Cloudflare's" are those the real API uses for
//! the same failure, the others (1001 to 1099) are the emulator's own.
//!
//! # Provisioning
//! A binding reports `provisioning` until [`EmulatorConfig::provisioning_delay`] has
//! passed since its creation, then `active`; computed on each read from the creation
//! time (kept in the state file), with no background job. Seeded bindings are active.
//!
//! # Persistence
//! With [`EmulatorConfig::state_file`], the file is loaded at start (the seed is then
//! ignored) or created from the seed, and saved after every change, before the
//! response is sent: the JSON is written to a temporary file in the same directory,
//! fsynced, renamed over the state file, and the directory fsynced, so a crash leaves
//! the old or the new file, never a torn one. A corrupt state file is an
//! [`Error::CorruptState`] at start and is left untouched.
//!
//! The state file and its temporaries are created with mode 0600, and the missing
//! directories of its path with mode 0700, whatever the umask. The state file must be
//! a regular file of at most [`MAX_STATE_FILE_BYTES`] (16 MiB): anything else (a FIFO,
//! a device) is refused at start without being opened for long, and a change that
//! would make the file larger is refused (code 1050), nothing changed. A seed file
//! must be a regular file of at most [`MAX_SEED_FILE_BYTES`] (1 MiB).
//!
//! A lock file `FILE.lock` beside it (mode 0600; a symbolic link there is refused,
//! its target neither created nor changed) guards it:
//! - [`StateSharing::Exclusive`] (default): the emulator holds the lock for its whole
//!   life; a second emulator on the same file fails with [`Error::StateFileInUse`].
//! - [`StateSharing::Shared`]: several processes may use the file at once. Each request
//!   takes the lock (exclusive for changes, shared for reads), re-reads the file, and
//!   for a change applies it and saves before unlocking, so concurrent processes
//!   serialize and lose nothing.
//!
//! The state file has the seed format below, with `"version": 2`, every prefix's
//! details and every binding's `id` and `created_at_ms` filled in. A version 1 file
//! (written before prefixes had details) still loads, its prefixes taking the
//! defaults below; the first change saves it as version 2.
//!
//! # Seed format
//! TOML (file name ending in `.toml`) or JSON; see `seed.example.toml` in this crate.
//! `services` (`id`, `name`), `accounts` (`id`, `prefixes`), each prefix (`id`, `cidr`,
//! `bindings`, and optional details), each binding (`cidr`, `service_id`, optional
//! `id`, optional `created_at_ms` in Unix milliseconds, default 0 so active). Ids are
//! 32 lowercase hex characters and unique; bindings are replayed through the rules
//! above in order.
//!
//! A prefix's details are the fields of the prefix object above (not `id`,
//! `account_id` or `cidr`), each optional; a missing one (or `null`) takes its
//! default:
//!
//! | field | value | default |
//! |-------|-------|---------|
//! | `description` | text, at most 1000 characters | `""` |
//! | `asn` | AS number (0 to 4294967295) | none (`null`) |
//! | `approved` | `"V"` or `"P"` | `"V"` |
//! | `advertised` | boolean | none (`null`) |
//! | `advertised_modified_at` | RFC 3339 UTC timestamp (a quoted string, `Z` or `+00:00`) | none (`null`) |
//! | `created_at` | RFC 3339 UTC timestamp | `1970-01-01T00:00:00Z` |
//! | `modified_at` | RFC 3339 UTC timestamp, not before `created_at` | `created_at` |
//! | `on_demand_enabled`, `on_demand_locked`, `delegate_loa_creation` | boolean | `false` |
//! | `loa_document_id` | 32 lowercase hex characters | none (`null`) |
//! | `irr_validation_state`, `ownership_validation_state`, `rpki_validation_state` | text | `"validated"` when approved `"V"`, else `"pending"` |
//! | `ownership_validation_token` | text | the prefix id in UUID form (`2af39739-cc4e-3b59-10c9-18468bb89828`) |
//!
//! Timestamps keep six fractional digits; further digits are dropped.
//!
//! # Fault injection
//! Only with [`EmulatorConfig::faults`]. `POST /__emulator/faults` (no credentials;
//! `Content-Type: application/json` required) appends to a FIFO queue per operation;
//! each request of that operation takes the next fault. Operations: `create`, `list`,
//! `get`, `delete`, `list_services`, `list_prefixes`, `get_prefix` (or the spec's
//! operationIds). `GET` shows the pending counts, `DELETE` clears all queues. The
//! queues hold at most [`MAX_QUEUED_FAULTS`] faults in all: a script that would go
//! past it is refused whole (code 1091).
//! ```json
//! {
//!   "create": [{"kind": "drop_after_commit"}, {"kind": "http_error", "status": 503}],
//!   "list":   [{"kind": "rate_limit", "retry_after": 2}, {"kind": "delay", "ms": 300}]
//! }
//! ```
//! | kind | answer | operation runs? |
//! |------|--------|-----------------|
//! | `delay` (`ms`) | normal answer after `ms` milliseconds | yes |
//! | `rate_limit` (`retry_after`, default 1) | 429, `Retry-After`, code 971 | no |
//! | `http_error` (`status` 500–599, default 502) | that status, HTML body | no |
//! | `unsuccessful` (`code` default 1099, `message`) | 200 with `success: false` | no |
//! | `malformed_json` | 200, JSON content type, body not JSON | no |
//! | `truncated_json` | the real answer's body cut in half | yes |
//! | `drop_before_commit` | connection closed, no response | no |
//! | `drop_after_commit` | connection closed, no response | yes, and saved |
//!
//! Faults apply to requests that passed authentication and matched a route.
//!
//! # Chaos mode
//! Seeded random faults, to try a client against a flaky Cloudflare: each API request,
//! of every operation, gets a fault with probability [`Chaos::rate`] (0 to 1), of a
//! kind drawn with equal chances from [`Chaos::kinds`] (default: all eight above),
//! played exactly as the fault script plays it. A `delay` waits a time drawn from zero
//! to [`Chaos::max_delay`] (default 250 ms), a `rate_limit` says `Retry-After:`
//! [`Chaos::retry_after`] (default 1 s), an `http_error` is a 502 with an HTML page,
//! an `unsuccessful` has code 1099. The draws come from a generator seeded with
//! [`Chaos::seed`]; every request takes the same three numbers from it, fault or not,
//! so the same seed and the same sequence of requests give the same faults. A request
//! with a scripted fault plays that fault and draws nothing.
//!
//! Set it at start with [`EmulatorConfig::chaos`] (`--chaos RATE`, `--chaos-seed N`,
//! `--chaos-kinds a,b,c`, `--chaos-max-delay`, `--chaos-retry-after`), and, with
//! [`EmulatorConfig::faults`], at run time (no credentials; the `Host` guard and the
//! JSON-only rule of the fault script apply, see [A local service](#a-local-service)):
//! - `POST /__emulator/chaos` (`Content-Type: application/json`) with
//!   `{"rate": 0.2, "seed": 1, "kinds": ["drop_after_commit", "truncated_json"], "max_delay_ms": 250, "retry_after": 1}`
//!   (only `rate` is required; seed 0 and every kind by default) replaces the
//!   settings: the draws start again from the seed, the counts from zero. Invalid
//!   settings are refused whole (code 1093) and change nothing.
//! - `GET` shows the settings and what was injected since they were set:
//!   `{"enabled", "rate", "seed", "kinds", "max_delay_ms", "retry_after", "requests",
//!   "injected": {"<kind>": n}, "recent": [{"request", "operation", "kind"}]}` (the
//!   latest 100 faults; `requests` counts the requests that drew).
//! - `DELETE` turns chaos off (`{"enabled": false, ...}`).
#![forbid(unsafe_code)]

mod config;
mod domain;
mod error;
pub mod error_codes;
mod files;
mod http;
mod persist;
mod sharing;

use std::{net::SocketAddr, sync::Arc};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use error::Error;

pub use config::{
    AcceptedCredentials, Chaos, CredentialFile, DEFAULT_API_KEY, DEFAULT_API_TOKEN,
    DEFAULT_CHAOS_MAX_DELAY, DEFAULT_CHAOS_RETRY_AFTER, DEFAULT_EMAIL, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_PROVISIONING_DELAY, DEFAULT_READ_TIMEOUT, EmulatorConfig, FaultKind, MAX_CHAOS_DELAY,
    MAX_CONNECTIONS_LIMIT, MAX_CREDENTIAL_FILE_BYTES, MAX_QUEUED_FAULTS, MAX_SEED_FILE_BYTES,
    MAX_STATE_FILE_BYTES,
};
pub use domain::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID, DEMO_ASN, DEMO_IPV4_BASE_BINDING_ID, DEMO_IPV4_PREFIX_CIDR,
    DEMO_IPV4_PREFIX_DESCRIPTION, DEMO_IPV4_PREFIX_ID, DEMO_IPV6_PREFIX_CIDR,
    DEMO_IPV6_PREFIX_DESCRIPTION, DEMO_IPV6_PREFIX_ID, MAGIC_TRANSIT_SERVICE_ID,
    SPECTRUM_SERVICE_ID, Seed,
};
pub use sharing::StateSharing;

/// Starts emulators; see [`Emulator::start`].
#[derive(Debug)]
pub struct Emulator {
    _private: (),
}

impl Emulator {
    /// Loads the state, binds the listen address and serves in the background on the
    /// current tokio runtime until [`RunningEmulator::shutdown`].
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, Error> {
        let EmulatorConfig {
            listen,
            seed,
            credentials,
            provisioning_delay,
            state_file,
            state_sharing,
            faults,
            max_connections,
            read_timeout,
            allowed_hosts,
            chaos,
        } = config;
        if !(1..=MAX_CONNECTIONS_LIMIT).contains(&max_connections) {
            return Err(Error::InvalidConfig(format!(
                "max_connections is {max_connections}; it must be from 1 to {MAX_CONNECTIONS_LIMIT}"
            )));
        }
        let hosts =
            http::HostPolicy::new(listen.ip(), &allowed_hosts).map_err(Error::InvalidConfig)?;
        if let Some(chaos) = &chaos {
            chaos.check().map_err(Error::InvalidConfig)?;
        }
        let store = match state_file {
            None => persist::Store::in_memory(seed.state),
            Some(path) => tokio::task::spawn_blocking(move || {
                persist::Store::open(&path, state_sharing, seed.state)
            })
            .await
            .map_err(|e| Error::Server(std::io::Error::other(e)))??,
        };
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| Error::Bind {
                addr: listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: listen,
            source,
        })?;
        let exposure = config::exposure_warning(local_addr, &credentials);
        let app = http::App {
            store: store.clone(),
            credentials: Arc::new(credentials),
            delay: provisioning_delay,
            faults: faults.then(http::Faults::default),
            hosts: Arc::new(hosts),
            chaos: http::ChaosMode::new(chaos),
        };
        let router = http::router(app);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                http::conn::KillableListener::new(
                    listener,
                    http::conn::Limits {
                        max_connections,
                        read_timeout,
                    },
                ),
                router.into_make_service_with_connect_info::<http::conn::ConnHandle>(),
            )
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
        });
        Ok(RunningEmulator {
            local_addr,
            exposure,
            store,
            stop: Some(stop_tx),
            task,
        })
    }
}

/// A running emulator. Dropping it also stops it (without waiting).
#[derive(Debug)]
pub struct RunningEmulator {
    local_addr: SocketAddr,
    exposure: Option<String>,
    store: persist::Store,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A warning to show when it listens beyond loopback (others who can reach it
    /// can use it, with the well-known demo credentials if it accepts them, over
    /// plain HTTP); `None` on a loopback address.
    pub fn exposure_warning(&self) -> Option<&str> {
        self.exposure.as_deref()
    }

    /// The API base URL, e.g. `http://127.0.0.1:8787/client/v4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.local_addr)
    }

    /// Stops accepting connections, lets in-flight requests finish, and returns.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match (&mut self.task).await {
            Ok(result) => result.map_err(Error::Server),
            Err(join) => Err(Error::Server(std::io::Error::other(join))),
        };
        self.store.release();
        result
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
