//! The `Host` guard against DNS rebinding: a web page whose name an attacker points
//! at 127.0.0.1 could otherwise reach the emulator from the user's browser as a
//! same-origin page. Every request must name the emulator by a loopback address,
//! `localhost`, the address it listens on, or a name it was told to allow; any other
//! `Host` is answered 421 before routing, credentials or faults.

use std::net::{IpAddr, Ipv6Addr};

use axum::{
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{ApiMessage, App};
use crate::error_codes;

/// Which `Host` values the emulator answers.
#[derive(Debug, Clone)]
pub(crate) struct HostPolicy {
    /// The address it was told to listen on (canonical form).
    listen: IpAddr,
    /// Host names allowed besides, normalised (lowercase, no trailing dot).
    names: Vec<String>,
    /// IP addresses allowed besides (canonical form).
    addresses: Vec<IpAddr>,
}

impl HostPolicy {
    /// The policy of an emulator listening on `listen` that also allows `allowed`
    /// (host names or IP addresses, without a port); an invalid entry is named in
    /// the error.
    pub(crate) fn new(listen: IpAddr, allowed: &[String]) -> Result<Self, String> {
        let mut policy = Self {
            listen: listen.to_canonical(),
            names: Vec::new(),
            addresses: Vec::new(),
        };
        for entry in allowed {
            let refuse = |why: &str| Err(format!("allowed host {entry:?} {why}"));
            let text = entry.trim();
            if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                match inner.parse::<Ipv6Addr>() {
                    Ok(ip) => policy.addresses.push(IpAddr::V6(ip).to_canonical()),
                    Err(_) => return refuse("is not an IPv6 address in brackets"),
                }
                continue;
            }
            if let Ok(ip) = text.parse::<IpAddr>() {
                policy.addresses.push(ip.to_canonical());
                continue;
            }
            if text.contains(':') {
                return refuse("has a port: give the host alone (every port is allowed)");
            }
            let name = normalise(text);
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !valid {
                return refuse("is not a host name (letters, digits, `.`, `-`, `_`)");
            }
            policy.names.push(name);
        }
        Ok(policy)
    }

    /// Whether a request whose `Host` (or absolute URI's authority) is `authority`
    /// (`host`, `host:port`, `[v6]:port`) is answered.
    pub(crate) fn allows(&self, authority: &str) -> bool {
        let Some(host) = host_of(authority) else {
            return false;
        };
        let ip = match host {
            Host::V6(text) => match text.parse::<Ipv6Addr>() {
                Ok(ip) => IpAddr::V6(ip),
                Err(_) => return false,
            },
            Host::Other(text) => match text.parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => {
                    let name = normalise(text);
                    return name == "localhost" || self.names.contains(&name);
                }
            },
        }
        .to_canonical();
        ip.is_loopback()
            // Told to listen on every address: any of them names this machine, and an
            // address (unlike a name) cannot be rebound to it.
            || self.listen.is_unspecified()
            || ip == self.listen
            || self.addresses.contains(&ip)
    }
}

/// The host of an authority: in brackets (an IPv6 address) or not.
enum Host<'a> {
    V6(&'a str),
    Other(&'a str),
}

/// Splits `host[:port]` or `[v6][:port]`; `None` when it is neither.
fn host_of(authority: &str) -> Option<Host<'_>> {
    let is_port = |p: &str| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return port_ok.then_some(Host::V6(inner));
    }
    let host = match authority.split_once(':') {
        Some((host, port)) if is_port(port) => host,
        Some(_) => return None,
        None => authority,
    };
    (!host.is_empty()).then_some(Host::Other(host))
}

/// Lowercase, without the trailing dot of a fully qualified name.
fn normalise(name: &str) -> String {
    let name = name.strip_suffix('.').unwrap_or(name);
    name.to_ascii_lowercase()
}

/// Answers 421 to a request whose `Host` the policy does not allow (or that has no
/// `Host`, or several).
pub(super) async fn check_host(State(app): State<App>, request: Request, next: Next) -> Response {
    let allowed = match request.uri().authority() {
        // An absolute URI's authority is the one that counts (RFC 9112, 3.2.2).
        Some(authority) => app.hosts.allows(authority.as_str()),
        None => {
            let mut hosts = request.headers().get_all(header::HOST).iter();
            match (hosts.next(), hosts.next()) {
                (Some(host), None) => host.to_str().is_ok_and(|h| app.hosts.allows(h)),
                _ => false,
            }
        }
    };
    if allowed {
        return next.run(request).await;
    }
    ApiMessage::new(
        StatusCode::MISDIRECTED_REQUEST,
        error_codes::HOST_NOT_ALLOWED,
        "The emulator answers only requests whose Host is a loopback address, localhost, \
         or the address it listens on (a guard against DNS rebinding); start it with \
         --allow-host NAME to accept another name",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::HostPolicy;

    fn policy(listen: IpAddr, allowed: &[&str]) -> HostPolicy {
        let allowed: Vec<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
        HostPolicy::new(listen, &allowed).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn loopback_names_and_addresses_pass_with_any_port() {
        let p = policy(IpAddr::V4(Ipv4Addr::LOCALHOST), &[]);
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8787",
            "127.1.2.3:1",
            "localhost",
            "LocalHost:8787",
            "localhost.:80",
            "[::1]",
            "[::1]:8787",
            "[::ffff:127.0.0.1]:8787",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8787",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "192.168.1.5:8787",
            "[::2]:8787",
            "",
            ":8787",
            "127.0.0.1:port",
            "127.0.0.1:8787:1",
            "::1",
            "[::1",
            "[::1]x",
            "[evil.example]",
        ] {
            assert!(!p.allows(refused), "{refused:?}");
        }
    }

    #[test]
    fn the_listen_address_and_allowed_names_pass() {
        let p = policy(
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            &["Emulator.Lan.", "198.51.100.7", "[2001:db8::7]"],
        );
        for ok in [
            "192.0.2.10:8787",
            "emulator.lan:8787",
            "EMULATOR.LAN",
            "198.51.100.7",
            "[2001:db8:0::7]:1",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for refused in ["192.0.2.11:8787", "emulator", "lan", "[2001:db8::8]"] {
            assert!(!p.allows(refused), "{refused}");
        }
        let any = policy(IpAddr::V6(Ipv6Addr::UNSPECIFIED), &[]);
        assert!(any.allows("192.0.2.99:8787") && any.allows("[2001:db8::1]:80"));
        assert!(!any.allows("evil.example:8787"));
    }

    #[test]
    fn invalid_allowed_hosts_are_refused() {
        for bad in ["", "host:8787", "[not-v6]", "a b", "evil/x"] {
            let result = HostPolicy::new(IpAddr::V4(Ipv4Addr::LOCALHOST), &[bad.to_owned()]);
            assert!(result.is_err(), "{bad:?}");
        }
    }
}
