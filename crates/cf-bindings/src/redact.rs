//! Keeps the client's own credentials out of what it shows: error excerpts of
//! response bodies, Cloudflare's messages and decode errors, and so the log lines
//! made from them. A proxy or a hostile server can echo request headers back.

use crate::{credentials::Credentials, error::Error, failure::ApiMessage, response::Response};

/// What a redacted secret is replaced with.
const MASK: &str = "[redacted]";

/// A secret shorter than this is not searched for: it would mask ordinary words.
const SHORTEST: usize = 4;

/// The credentials to take out of every text shown to a user.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(credentials: &Credentials) -> Self {
        let secrets = match credentials {
            Credentials::ApiToken(token) => vec![token.expose().trim().to_owned()],
            Credentials::ApiKey { email, key } => {
                vec![key.expose().trim().to_owned(), email.trim().to_owned()]
            }
        };
        Self {
            secrets: secrets
                .into_iter()
                .filter(|s| s.chars().count() >= SHORTEST)
                .collect(),
        }
    }

    /// `text` with every secret masked, including a secret cut short at the end of
    /// an excerpt (`… Bearer abcd…`).
    pub(crate) fn text(&self, text: &mut String) {
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), MASK);
            }
            let body = text.strip_suffix('…').unwrap_or(text);
            let cut = (SHORTEST..secret.len())
                .rev()
                .filter(|&n| secret.is_char_boundary(n))
                .find(|&n| body.ends_with(&secret[..n]));
            if let Some(n) = cut {
                let keep = body.len() - n;
                let ellipsis = text.ends_with('…');
                text.truncate(keep);
                text.push_str(MASK);
                if ellipsis {
                    text.push('…');
                }
            }
        }
    }

    fn messages(&self, messages: &mut [ApiMessage]) {
        for m in messages {
            self.text(&mut m.message);
            if let Some(url) = &mut m.documentation_url {
                self.text(url);
            }
            if let Some(pointer) = &mut m.pointer {
                self.text(pointer);
            }
        }
    }

    /// `response` with its messages redacted.
    pub(crate) fn response<T>(&self, mut response: Response<T>) -> Response<T> {
        self.messages(&mut response.messages);
        response
    }

    /// `error` with every text that came from the server redacted.
    pub(crate) fn error(&self, mut error: Error) -> Error {
        if self.secrets.is_empty() {
            return error;
        }
        match &mut error {
            Error::Api(e) => {
                self.messages(&mut e.errors);
                self.messages(&mut e.messages);
            }
            Error::UnexpectedBody(e) => {
                self.text(&mut e.reason);
                self.text(&mut e.excerpt);
                if let Some(ct) = &mut e.content_type {
                    self.text(ct);
                }
            }
            Error::Decode(e) => {
                self.text(&mut e.field);
                self.text(&mut e.reason);
            }
            Error::Redirected {
                location: Some(location),
                ..
            } => self.text(location),
            _ => {}
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    fn redact(credentials: &Credentials, text: &str) -> String {
        let mut text = text.to_owned();
        Redactor::new(credentials).text(&mut text);
        text
    }

    #[test]
    fn masks_whole_and_cut_secrets() {
        let token = Credentials::api_token(Secret::new("tok-1234567890"));
        assert_eq!(
            redact(&token, "authorization: Bearer tok-1234567890 host: x"),
            "authorization: Bearer [redacted] host: x"
        );
        assert_eq!(
            redact(&token, "a: Bearer tok-12345…"),
            "a: Bearer [redacted]…"
        );
        assert_eq!(redact(&token, "nothing here…"), "nothing here…");
        let key = Credentials::api_key("ops@example.com", Secret::new("k3y-abcdef"));
        assert_eq!(
            redact(&key, "x-auth-email: ops@example.com x-auth-key: k3y-abcdef"),
            "x-auth-email: [redacted] x-auth-key: [redacted]"
        );
    }
}
