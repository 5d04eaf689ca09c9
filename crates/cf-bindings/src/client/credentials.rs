//! How requests authenticate: [`Secret`] and [`Credentials`], from code or from the
//! environment variables of Cloudflare's official SDKs.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::ConfigError;

/// Environment variable: an API token.
pub const ENV_API_TOKEN: &str = "CLOUDFLARE_API_TOKEN";
/// Environment variable: the email of a global API key.
pub const ENV_EMAIL: &str = "CLOUDFLARE_EMAIL";
/// Environment variable: a global API key.
pub const ENV_API_KEY: &str = "CLOUDFLARE_API_KEY";
/// Environment variable: the API base URL.
pub const ENV_BASE_URL: &str = "CLOUDFLARE_BASE_URL";

/// A secret string (an API token or key). `Debug` and `Display` print `****`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// How requests authenticate. `Debug` masks the token, the key and the email.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An API token (`Authorization: Bearer <token>`), the preferred scheme.
    ApiToken(Secret),
    /// A legacy global API key with its account email (`X-Auth-Email`, `X-Auth-Key`).
    ApiKey {
        /// The account's email.
        email: String,
        /// The global API key.
        key: Secret,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiToken(token) => f.debug_tuple("ApiToken").field(token).finish(),
            Self::ApiKey { email: _, key } => f
                .debug_struct("ApiKey")
                .field("email", &format_args!("****"))
                .field("key", key)
                .finish(),
        }
    }
}

impl Credentials {
    /// The parts of these credentials that must never be shown: the token, or the
    /// key and the email.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::ApiToken(token) => vec![token.expose()],
            Credentials::ApiKey { email, key } => vec![key.expose(), email],
        }
    }

    /// An API token.
    pub fn api_token(token: impl Into<Secret>) -> Self {
        Self::ApiToken(token.into())
    }

    /// A global API key and its email.
    pub fn api_key(email: impl Into<String>, key: impl Into<Secret>) -> Self {
        Self::ApiKey {
            email: email.into(),
            key: key.into(),
        }
    }

    /// Reads `CLOUDFLARE_API_TOKEN`, or `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable when none is set, one is empty, or only
    /// one of the email and key is set.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(env_lookup)
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match lookup(name) {
                Some(value) if value.trim().is_empty() => Err(ConfigError::new(
                    Some(name),
                    format!("{name} is set but empty"),
                )),
                other => Ok(other),
            }
        };
        if let Some(token) = non_empty(ENV_API_TOKEN)? {
            if lookup(ENV_EMAIL).is_some() || lookup(ENV_API_KEY).is_some() {
                tracing::debug!("{ENV_API_TOKEN} is set: ignoring {ENV_EMAIL} and {ENV_API_KEY}");
            }
            return Ok(Self::api_token(token));
        }
        match (non_empty(ENV_EMAIL)?, non_empty(ENV_API_KEY)?) {
            (Some(email), Some(key)) => Ok(Self::api_key(email, key)),
            (Some(_), None) => Err(ConfigError::new(
                Some(ENV_API_KEY),
                format!(
                    "{ENV_EMAIL} is set but {ENV_API_KEY} is not; set both, or set {ENV_API_TOKEN}"
                ),
            )),
            (None, Some(_)) => Err(ConfigError::new(
                Some(ENV_EMAIL),
                format!(
                    "{ENV_API_KEY} is set but {ENV_EMAIL} is not; set both, or set {ENV_API_TOKEN}"
                ),
            )),
            (None, None) => Err(ConfigError::new(
                Some(ENV_API_TOKEN),
                format!("no credentials: set {ENV_API_TOKEN}, or {ENV_EMAIL} and {ENV_API_KEY}"),
            )),
        }
    }

    /// The authentication headers, marked sensitive, for building a
    /// `reqwest::Client` of your own (see
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)). Behind the
    /// `reqwest-client` feature.
    ///
    /// # Errors
    /// A [`ConfigError`] when a value is empty or holds characters an HTTP header
    /// cannot carry (the error never contains the secret).
    #[cfg(feature = "reqwest-client")]
    pub fn headers(&self) -> Result<HeaderMap, ConfigError> {
        self.auth_headers()
    }

    /// The authentication headers, marked sensitive; see `headers`.
    pub(crate) fn auth_headers(&self) -> Result<HeaderMap, ConfigError> {
        fn value(what: &str, text: &str) -> Result<HeaderValue, ConfigError> {
            if text.trim().is_empty() {
                return Err(ConfigError::new(None, format!("the {what} is empty")));
            }
            let mut value = HeaderValue::from_str(text).map_err(|_| {
                ConfigError::new(
                    None,
                    format!("the {what} contains characters not allowed in an HTTP header"),
                )
            })?;
            value.set_sensitive(true);
            Ok(value)
        }
        let mut headers = HeaderMap::new();
        match self {
            Self::ApiToken(token) => {
                let token = value("API token", token.expose().trim())?;
                let mut bearer = b"Bearer ".to_vec();
                bearer.extend_from_slice(token.as_bytes());
                let mut bearer = HeaderValue::from_bytes(&bearer).map_err(|_| {
                    ConfigError::new(
                        None,
                        "the API token contains characters not allowed in an HTTP header",
                    )
                })?;
                bearer.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, bearer);
            }
            Self::ApiKey { email, key } => {
                headers.insert(
                    HeaderName::from_static("x-auth-email"),
                    value("email", email.trim())?,
                );
                headers.insert(
                    HeaderName::from_static("x-auth-key"),
                    value("API key", key.expose().trim())?,
                );
            }
        }
        Ok(headers)
    }

    /// The scheme's name, for diagnostics: `api token` or `api key`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ApiToken(_) => "api token",
            Self::ApiKey { .. } => "api key",
        }
    }
}

pub(crate) fn env_lookup(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}
