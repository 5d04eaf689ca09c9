//! The API's base URL: Cloudflare's ([`DEFAULT_BASE_URL`]), the checks of one
//! given to the builder (no error quotes its query, fragment or user information),
//! and whether requests to it travel in clear text beyond this machine.

use crate::error::ConfigError;

/// Cloudflare's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// What of a base URL an error may quote: the text before any query (`?`) or
/// fragment (`#`), which may hold anything, and nothing at all when it may hold
/// user information (`user:password@`).
fn quotable(url: &str) -> Option<String> {
    let (kept, cut) = match url.find(['?', '#']) {
        Some(end) => (url.get(..end).unwrap_or_default(), true),
        None => (url, false),
    };
    if kept.contains('@') {
        return None;
    }
    Some(if cut {
        format!("{kept:?} (query or fragment not shown)")
    } else {
        format!("{kept:?}")
    })
}

/// Checks a base URL and drops its trailing `/`. No error quotes the URL's
/// query, fragment or user information.
pub(super) fn validate_base_url(
    url: &str,
    variable: Option<&'static str>,
) -> Result<String, ConfigError> {
    let named = |what: String| match variable {
        Some(v) => ConfigError::new(Some(v), format!("{v}: {what}")),
        None => ConfigError::new(None, format!("base URL: {what}")),
    };
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(named("is empty".to_owned()));
    }
    let shown = || {
        quotable(trimmed).unwrap_or_else(|| {
            "the URL (not shown, as it may hold user information: user:password@)".to_owned()
        })
    };
    // User information would replace the token with HTTP Basic auth without a word,
    // and would print a password in every message that shows the URL; so would a
    // URL that does not parse, where user information cannot be told apart.
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| named(format!("{} is not a URL ({e})", shown())))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(named(format!(
            "\"{}://***@{}/…\" has user information (user:password@); remove it: credentials go in CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)",
            parsed.scheme(),
            parsed.host_str().unwrap_or_default()
        )));
    }
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(named(format!(
            "{} is not an http(s) URL with a host",
            shown()
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(named(format!(
            "{} must not have a query or fragment",
            shown()
        )));
    }
    Ok(trimmed.to_owned())
}

/// Whether requests to `base_url` travel in clear text beyond this machine: an
/// `http://` URL whose host is not loopback (`localhost`, 127.0.0.0/8, `::1`).
pub(super) fn is_plaintext_beyond_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host comes in brackets; a domain name is not an address.
    let address = host.trim_start_matches('[').trim_end_matches(']');
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => !ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            !(ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()))
        }
        Err(_) => !host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;

    /// The error `build` gives for `url`.
    fn base_url_error(url: &str) -> String {
        match Client::builder().api_token("a-token").base_url(url).build() {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{url} was accepted"),
        }
    }

    #[test]
    fn no_base_url_error_quotes_a_query_a_fragment_or_user_information() {
        for (url, expected) in [
            (
                "https://api.example/client/v4?x=hunter2pass",
                "\"https://api.example/client/v4\" (query or fragment not shown) must not have a query or fragment",
            ),
            (
                "https://api.example/client/v4#hunter2pass",
                "(query or fragment not shown) must not have a query or fragment",
            ),
            (
                "ftp://api.example/?x=hunter2pass",
                "\"ftp://api.example/\" (query or fragment not shown) is not an http(s) URL",
            ),
            (
                "http://[::1/?x=hunter2pass",
                "\"http://[::1/\" (query or fragment not shown) is not a URL",
            ),
            (
                "http://a:hunter2pass@[::1/",
                "not shown, as it may hold user information",
            ),
            (
                "http://a:hunter2pass@api.example/",
                "\"http://***@api.example/…\" has user information",
            ),
            (
                "http://api.example/?u=a:hunter2pass@b",
                "must not have a query",
            ),
        ] {
            let error = base_url_error(url);
            assert!(error.contains(expected), "{url}: {error}");
            assert!(!error.contains("hunter2"), "{url}: {error}");
        }
    }

    #[test]
    fn plain_http_beyond_loopback_is_recognised() {
        for url in [
            "http://192.0.2.1/client/v4",
            "http://api.example/client/v4",
            "http://[2001:db8::1]:8080",
            "http://[::ffff:192.0.2.1]",
            "http://10.0.0.1",
            "HTTP://LOCALHOST.example",
        ] {
            assert!(is_plaintext_beyond_loopback(url), "{url}");
        }
        for url in [
            "https://api.cloudflare.com/client/v4",
            "https://192.0.2.1",
            "http://127.0.0.1:8080/client/v4",
            "http://127.1.2.3",
            "http://localhost:9",
            "http://LocalHost",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(!is_plaintext_beyond_loopback(url), "{url}");
        }
    }
}
