//! A client for Cloudflare's BYOIP **Service Bindings** API that you can trust.
//!
//! A service binding routes a CIDR of a Bring-Your-Own-IP prefix to a Cloudflare
//! service (Magic Transit, CDN, Spectrum). This crate wraps the raw, generated client
//! (`cf-bindings-generated`) with:
//! - validated types: [`AccountId`], [`PrefixId`], [`BindingId`], [`ServiceId`]
//!   (no character that could change a URL gets through), [`Cidr`] (IPv4 and IPv6,
//!   host bits refused with a suggestion), [`ProvisioningState`];
//! - Cloudflare's envelope decoded once (the rules: [`error`]): a `200`
//!   with `success: false` is an error, every error code is kept, and an HTML page
//!   from the edge becomes a readable [`Error`] with the `cf-ray`;
//! - authentication from code or the environment ([`ClientBuilder`]), with secrets
//!   that never print, never follow a redirect ([`Error::Redirected`]), and are
//!   masked in whatever the server echoes back (headers, messages, result fields);
//! - retries with backoff that never create a binding twice, and a create or delete
//!   whose answer is lost or unreadable checked by listing ([`RetryPolicy`]);
//! - every pause longer than two seconds (a `Retry-After`, a backoff, the rate
//!   limit, a poll) told to a callback first ([`ClientBuilder::on_long_wait`]);
//! - an optional client-side rate limit ([`ClientBuilder::rate_limit`]);
//! - [`Bindings::wait_until_active`] ([`WaitOptions`]) and a longest-prefix-match
//!   [`RoutingTable`].
//!
//! # Where things are
//! - At the root: the [`Client`], its [`ClientBuilder`] and scoped handles
//!   ([`Account`], [`Prefixes`], [`Prefix`], [`Bindings`], [`Services`]); the API's
//!   values ([`AccountId`], [`PrefixId`], [`BindingId`], [`ServiceId`], [`Cidr`],
//!   [`ServiceBinding`], [`Service`], [`IpPrefix`], [`ProvisioningState`]);
//!   [`Error`], [`Response`], [`RetryPolicy`], [`WaitOptions`], [`RoutingTable`].
//! - [`desired`]: bindings as code: a desired state checked offline, planned against
//!   the live bindings, exported from them, and applied.
//! - [`error`]: the parts of an [`Error`]: Cloudflare's error answers, bodies that
//!   could not be read, refused input and configuration.
//! - [`config`]: the client's defaults, limits, environment variables and
//!   [`Credentials`](config::Credentials).
//! - [`wait`]: what the client tells about the pauses it makes
//!   ([`ClientBuilder::on_long_wait`]).
//! - [`text`]: showing text that came from the server, safely.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use cf_bindings::{Client, WaitOptions};
//!
//! # async fn run() -> Result<(), cf_bindings::Error> {
//! // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), CLOUDFLARE_BASE_URL.
//! let client = Client::from_env()?;
//! let account = client.account("023e105f4ecef8ad9ca31a8372d0c353");
//! let bindings = account.prefix("2af39739cc4e3b5910c918468bb89828").bindings();
//!
//! for binding in bindings.list().await?.iter() {
//!     println!("{} → {} ({})", binding.cidr, binding.service_name, binding.state);
//! }
//!
//! // Bind one address to the CDN, then wait for it to propagate.
//! let cdn = account.services().find("CDN").await?;
//! let created = bindings.create("192.0.2.1/32", &cdn.id).await?;
//! let active = bindings
//!     .wait_until_active(
//!         &created.id,
//!         &WaitOptions::new().with_timeout(Duration::from_secs(6 * 3600)),
//!         |b| eprintln!("{} is {}", b.id, b.state),
//!     )
//!     .await?;
//! println!("{} is active", active.cidr);
//!
//! // Where does traffic to 192.0.2.1 go?
//! let table = bindings.routing_table().await?;
//! if let Some(decider) = table.route("192.0.2.1".parse().expect("an address")) {
//!     println!("192.0.2.1 → {}", decider.service_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//! - `reqwest-client` (off): `ClientBuilder::http_client` and
//!   `Credentials::headers`, to bring a `reqwest::Client` of your own. With it,
//!   reqwest's major version is part of this crate's API; without it, no type of
//!   reqwest or of the generated crate appears in any public signature.
//!
//! # Errors
//! Every failure is an [`Error`] with a one-line `Display`, e.g. `create service
//! binding: HTTP 400: Cloudflare error 1002: Prefix not found (cf-ray
//! 8c2f0000test-EMU)`, and helpers: [`Error::status`], [`Error::codes`],
//! [`Error::is_not_found`], [`Error::is_auth`], [`Error::is_rate_limited`],
//! [`Error::retry_after`], [`Error::is_retryable`], and [`Error::is_outcome_unknown`] for a
//! create or delete that may or may not have taken effect.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
pub mod desired;
pub mod error;
pub mod text;
mod types;
mod wire;

pub use client::{
    Client,
    builder::ClientBuilder,
    handles::{Account, Bindings, Prefix, Prefixes, Services},
    retry::RetryPolicy,
    wait::WaitOptions,
};
pub use error::Error;
pub use types::{
    AccountId, ApprovalState, BindingId, Cidr, IpPrefix, PrefixId, ProvisioningState, RoutingTable,
    Service, ServiceBinding, ServiceId,
};
pub use wire::Response;

pub mod config {
    //! The client's defaults and limits, the environment variables it reads, and its
    //! [`Credentials`].
    pub use crate::client::{
        base_url::DEFAULT_BASE_URL,
        builder::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, USER_AGENT},
        credentials::{Credentials, ENV_API_KEY, ENV_API_TOKEN, ENV_BASE_URL, ENV_EMAIL, Secret},
    };
    pub use crate::types::MAX_ID_LEN;
}

pub mod wait {
    //! What the client tells about the pauses it makes: every pause longer than
    //! [`LONG_WAIT`] (a `Retry-After`, a backoff, the rate limit, a provisioning
    //! poll) is told to [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait)
    //! first.
    pub use crate::client::long_wait::{LONG_WAIT, LongWait, WaitReason};
}

/// The README's Rust examples, compiled by `cargo test --doc` so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;

/// What the workspace's benchmarks measure that the API keeps private. Not part of the
/// API: behind the off-by-default `bench` feature, and free to change.
#[cfg(feature = "bench")]
#[doc(hidden)]
pub mod bench {
    /// A List Service Bindings body decoded exactly as [`Bindings::list`](crate::Bindings::list)
    /// decodes it: the envelope rules, then each binding converted to the wrapper's types.
    ///
    /// # Errors
    /// As `list()`: an [`Error`](crate::Error) for an API error, a body that is not the
    /// envelope, or a binding that does not fit.
    pub fn decode_bindings(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Result<crate::Response<Vec<crate::ServiceBinding>>, crate::Error> {
        crate::wire::envelope::decode_bindings(status, headers, body)
    }
}
