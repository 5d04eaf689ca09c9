//! [`ClientBuilder`] and the client's defaults (the base URL's are in `base_url`).

use std::{fmt, time::Duration};

use super::base_url::{DEFAULT_BASE_URL, is_plaintext_beyond_loopback, validate_base_url};
use crate::{
    client::credentials::{Credentials, ENV_API_TOKEN, ENV_BASE_URL, Secret, env_lookup},
    client::limiter::RateLimiter,
    client::long_wait::{LongWait, Observer},
    client::retry::RetryPolicy,
    client::{Client, Settings},
    error::{ConfigError, Error},
    wire::redact::Redactor,
};

/// The `User-Agent` of every request: `cf-bindings/<version>`.
pub const USER_AGENT: &str = concat!("cf-bindings/", env!("CARGO_PKG_VERSION"));

/// The default timeout of one request, connection and body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default cap on one response body: 4 MiB. A list of a few thousand bindings
/// is well under 1 MiB; a larger body comes from a broken or hostile server.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;

/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a [`Client`]. Start from [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// # How authentication is applied
/// The client built by [`ClientBuilder::build`] carries the credentials as default
/// headers of its `reqwest::Client`: `Authorization: Bearer <token>` for an API token,
/// or `X-Auth-Email` + `X-Auth-Key` for a global API key. The values are marked
/// sensitive, so reqwest and its logging never print them; the crate never logs
/// headers, and [`Secret`] prints a mask in `Debug` and `Display`.
///
/// The client never follows a redirect, and sends no `Referer`: Cloudflare's API
/// never redirects, and a hop to another host would take the credentials with it
/// (reqwest drops `Authorization` on such a hop, but not `X-Auth-Email` and
/// `X-Auth-Key`). A 3xx answer is an [`Error::Redirected`] naming the status and
/// the origin it pointed to.
///
/// A caller-supplied `reqwest::Client` (`ClientBuilder::http_client`, behind the
/// `reqwest-client` feature) cannot be given
/// headers after it was built, so it must already carry the credentials: build it
/// with `default_headers(credentials.headers()?)`, and with
/// `redirect(reqwest::redirect::Policy::none())` so that it does not follow
/// redirects either. Setting credentials on the builder as well is refused, rather
/// than silently sending requests without them. The builder's user agent, connect
/// timeout and redirect policy then do not apply (the client's own do); the
/// per-request timeout still applies.
///
/// # Plain HTTP
/// An `http://` base URL whose host is not loopback (`localhost`, 127.0.0.0/8,
/// `::1`) sends the credentials in clear text: [`ClientBuilder::build`] accepts it
/// (a proxy on the local network may need it) but logs a warning, once per client
/// built.
///
/// # Environment
/// [`ClientBuilder::from_env`] reads the variables of Cloudflare's official SDKs:
/// - `CLOUDFLARE_API_TOKEN`, or `CLOUDFLARE_EMAIL` and `CLOUDFLARE_API_KEY` together.
///   When a token is set, it wins and the email and key are ignored.
/// - `CLOUDFLARE_BASE_URL` (optional), default `https://api.cloudflare.com/client/v4`.
///
/// A variable that is set but empty, an email without a key (or the reverse), no
/// credentials at all, or an invalid base URL is a [`ConfigError`] naming the
/// variable.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    base_url_variable: Option<&'static str>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    http: Option<reqwest::Client>,
    observer: Observer,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("on_long_wait", &self.observer)
            .field(
                "http_client",
                &self.http.as_ref().map(|_| "caller-supplied"),
            )
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            base_url_variable: None,
            credentials: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            rate_limit: None,
            http: None,
            observer: Observer::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder configured from the environment (see [Environment](Self#environment)).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable at fault.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(env_lookup)
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for
    /// tests, or configuration from elsewhere).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable at fault.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let credentials = Credentials::from_lookup(&lookup)?;
        let mut builder = Self::new().credentials(credentials);
        if let Some(url) = lookup(ENV_BASE_URL) {
            builder.base_url = Some(validate_base_url(&url, Some(ENV_BASE_URL))?);
            builder.base_url_variable = Some(ENV_BASE_URL);
        }
        Ok(builder)
    }

    /// Sets the API base URL (default [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self.base_url_variable = None;
        self
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Authenticates with an API token.
    pub fn api_token(self, token: impl Into<Secret>) -> Self {
        self.credentials(Credentials::api_token(token))
    }

    /// Authenticates with a global API key and its email.
    pub fn api_key(self, email: impl Into<String>, key: impl Into<Secret>) -> Self {
        self.credentials(Credentials::api_key(email, key))
    }

    /// Sets the connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout of one request, body included (default 60 s). Each retry
    /// gets its own; the retry policy's deadline bounds them all.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest response body read (default [`DEFAULT_MAX_BODY_BYTES`]).
    /// Reading stops there and the call fails with [`Error::BodyTooLarge`], so a
    /// server that streams an endless body cannot exhaust memory. A read is not
    /// retried; a create or delete is checked as for any answer it could not read.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Limits the client to `requests_per_second` requests per second, or not at all
    /// with `None` (the default).
    ///
    /// The limit is shared by the client, its clones and every handle made from them.
    /// Every HTTP attempt waits for its slot, retries and the list that reconciles a
    /// create included; the slots are evenly spaced, `1 / requests_per_second` apart,
    /// with no burst (a token bucket of one token). The wait comes before the
    /// request's [`timeout`](Self::timeout) starts, and counts towards the retry
    /// policy's deadline. Cloudflare refuses every call of a user or token for five
    /// minutes once it exceeds 1,200 requests in 5 minutes: `Some(4.0)` stays under
    /// that limit.
    ///
    /// [`build`](Self::build) refuses a rate that is not a finite number above zero.
    pub fn rate_limit(mut self, requests_per_second: Option<f64>) -> Self {
        self.rate_limit = requests_per_second;
        self
    }

    /// Calls `callback` before every pause of the client longer than
    /// [`LONG_WAIT`](crate::wait::LONG_WAIT) (two seconds): a delay before a retry (a
    /// `Retry-After` or a backoff), a wait for a slot of the
    /// [`rate_limit`](Self::rate_limit), a pause between two polls of
    /// [`Bindings::wait_until_active`](crate::Bindings::wait_until_active). The
    /// [`LongWait`] says what the client waits for and for how long, so that a
    /// program can tell its user why it is silent. Shorter pauses are not told.
    ///
    /// The callback runs on the task that waits, before it sleeps: keep it short.
    pub fn on_long_wait(mut self, callback: impl Fn(&LongWait) + Send + Sync + 'static) -> Self {
        self.observer = Observer::new(callback);
        self
    }

    /// Uses a `reqwest::Client` of your own. It must already carry the credentials
    /// (`default_headers(credentials.headers()?)`); see [How authentication is applied](Self#how-authentication-is-applied).
    /// Behind the `reqwest-client` feature: with it, reqwest's major version is
    /// part of this crate's API.
    #[cfg(feature = "reqwest-client")]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client. Logs a warning when the base URL is plain `http://` to a
    /// host that is not loopback (see [Plain HTTP](Self#plain-http)).
    ///
    /// # Errors
    /// [`Error::Config`] when there are no credentials, credentials are set together
    /// with a caller-supplied client, a credential cannot be sent in a header, the
    /// base URL is invalid, a timeout is zero, or the rate limit is not a finite
    /// number above zero.
    pub fn build(self) -> Result<Client, Error> {
        for (what, limit) in [
            ("timeout", self.timeout),
            ("connect timeout", self.connect_timeout),
        ] {
            if limit.is_zero() {
                return Err(
                    ConfigError::new(None, format!("the {what} must be above zero")).into(),
                );
            }
        }
        let limiter = self.rate_limit.map(RateLimiter::new).transpose()?;
        let base_url = match &self.base_url {
            Some(url) => validate_base_url(url, self.base_url_variable)?,
            None => DEFAULT_BASE_URL.to_owned(),
        };
        if is_plaintext_beyond_loopback(&base_url) {
            tracing::warn!(
                "the base URL is plain http:// to a host that is not loopback: the credentials and every answer travel unencrypted; use https://"
            );
        }
        let redactor = self
            .credentials
            .as_ref()
            .map(|credentials| Redactor::new(credentials.secrets()))
            .unwrap_or_default();
        let (http, auth) = match (self.http, self.credentials) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    None,
                    "credentials cannot be added to a caller-supplied reqwest::Client; build it with default_headers(credentials.headers()?) and do not set credentials on the builder",
                )
                .into());
            }
            (Some(http), None) => (http, "caller-supplied client"),
            (None, Some(credentials)) => {
                let http = reqwest::Client::builder()
                    .default_headers(credentials.auth_headers()?)
                    .user_agent(USER_AGENT)
                    // Cloudflare's API never redirects; following one would send
                    // the credentials wherever it points.
                    .redirect(reqwest::redirect::Policy::none())
                    .referer(false)
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .build()
                    .map_err(|e| {
                        ConfigError::new(None, format!("cannot build the HTTP client: {e}"))
                    })?;
                (http, credentials.kind())
            }
            (None, None) => {
                return Err(ConfigError::new(
                    None,
                    format!("no credentials: call api_token() or api_key() on the builder, or use Client::from_env() with {ENV_API_TOKEN} set"),
                )
                .into());
            }
        };
        Ok(Client::new(Settings {
            base_url,
            http,
            auth,
            retry: self.retry,
            timeout: self.timeout,
            max_body_bytes: self.max_body_bytes,
            redactor,
            limiter,
            observer: self.observer,
        }))
    }
}

impl Client {
    /// A builder, to set the base URL, credentials, timeouts, retry policy and rate
    /// limit.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `CLOUDFLARE_API_TOKEN` (or `CLOUDFLARE_EMAIL` +
    /// `CLOUDFLARE_API_KEY`) and `CLOUDFLARE_BASE_URL`; see
    /// [`ClientBuilder`](ClientBuilder#environment).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable at fault.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, PoisonError};

    use super::*;

    #[test]
    fn a_base_url_from_the_environment_is_named_and_not_quoted() {
        let from_env = ClientBuilder::from_lookup(|name| match name {
            ENV_API_TOKEN => Some("a-token".to_owned()),
            ENV_BASE_URL => Some("https://api.example/?x=hunter2pass".to_owned()),
            _ => None,
        })
        .map(|_| ())
        .map_err(|e| e.to_string());
        let error = from_env.expect_err("a query is refused");
        assert!(
            error.starts_with("configuration: CLOUDFLARE_BASE_URL: "),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }

    /// What `build` logs for `url`.
    fn logged_by_build(url: &str) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
                let mut buffer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
                buffer.extend_from_slice(data);
                Ok(data.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        // Building sends nothing: no address is contacted.
        tracing::subscriber::with_default(subscriber, || {
            Client::builder()
                .api_token("a-token")
                .base_url(url)
                .build()
                .expect("builds");
        });
        let logged = buffer.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&logged).into_owned()
    }

    #[test]
    fn building_a_client_for_plain_http_beyond_loopback_warns_once() {
        let logged = logged_by_build("http://192.0.2.1/client/v4");
        assert_eq!(logged.lines().count(), 1, "{logged}");
        assert!(logged.contains("WARN"), "{logged}");
        assert!(
            logged.contains("plain http:// to a host that is not loopback"),
            "{logged}"
        );
        for quiet in [
            "http://127.0.0.1:9/client/v4",
            "http://localhost:9",
            "https://192.0.2.1/client/v4",
        ] {
            assert_eq!(logged_by_build(quiet), "", "{quiet}");
        }
    }
}
