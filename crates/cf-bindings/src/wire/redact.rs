//! Keeps the client's own credentials out of everything it got from the server and
//! hands on: error excerpts of response bodies, Cloudflare's messages, decode
//! errors, the `cf-ray` and `content-type` headers, where a redirect pointed, and
//! the text fields of results (a service's name, a binding's service name and
//! state), and so the log lines and output made from them. A proxy or a hostile
//! server can echo request headers back in any of these.
//!
//! Secrets are matched without regard to ASCII case: a host name in a redirect is
//! lowercased on the way, and masking a little more is never a leak.

use crate::{
    error::ApiMessage,
    error::Error,
    types::binding::{Service, ServiceBinding},
    types::prefix::{ApprovalState, IpPrefix},
    types::state::ProvisioningState,
    wire::response::Response,
};

/// What a redacted secret is replaced with.
const MASK: &str = "[redacted]";

/// A secret shorter than this is not searched for: it would mask ordinary words.
const SHORTEST: usize = 4;

/// The credentials to take out of every text shown to a user.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// The secrets, in ASCII lowercase.
    secrets: Vec<String>,
}

/// A decoded result whose text came from the server: the [`Redactor`] masks the
/// client's credentials in each of its strings before the caller sees it.
pub(crate) trait Redact {
    /// Masks the redactor's secrets in every string of `self`.
    fn redact(&mut self, redactor: &Redactor);
}

impl Redact for () {
    fn redact(&mut self, _: &Redactor) {}
}

impl<T: Redact> Redact for Vec<T> {
    fn redact(&mut self, redactor: &Redactor) {
        for item in self {
            item.redact(redactor);
        }
    }
}

// Exhaustive on purpose: a new field is a compile error here, where it must be
// decided whether it holds server text. Ids and CIDRs are validated and cannot.
impl Redact for ServiceBinding {
    fn redact(&mut self, redactor: &Redactor) {
        let ServiceBinding {
            id: _,
            cidr: _,
            service_id: _,
            service_name,
            state,
        } = self;
        redactor.text(service_name);
        state.redact(redactor);
    }
}

impl Redact for Service {
    fn redact(&mut self, redactor: &Redactor) {
        let Service { id: _, name } = self;
        redactor.text(name);
    }
}

impl Redact for IpPrefix {
    fn redact(&mut self, redactor: &Redactor) {
        let IpPrefix {
            id: _,
            cidr: _,
            account_id: _,
            description,
            asn: _,
            approved,
            advertised: _,
            advertised_modified_at: _,
            created_at: _,
            modified_at: _,
            on_demand_enabled: _,
            on_demand_locked: _,
            delegate_loa_creation: _,
            loa_document_id,
            irr_validation_state,
            ownership_validation_state,
            ownership_validation_token,
            rpki_validation_state,
        } = self;
        redactor.text(description);
        if let ApprovalState::Unknown(text) = approved {
            redactor.text(text);
        }
        for text in [
            loa_document_id,
            irr_validation_state,
            ownership_validation_state,
            ownership_validation_token,
            rpki_validation_state,
        ]
        .into_iter()
        .flatten()
        {
            redactor.text(text);
        }
    }
}

impl Redact for ProvisioningState {
    fn redact(&mut self, redactor: &Redactor) {
        if let ProvisioningState::Unknown(text) = self {
            redactor.text(text);
        }
    }
}

impl Redactor {
    /// A redactor of `secrets` (a credential's parts, see `Credentials::secrets`).
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            secrets: secrets
                .into_iter()
                .map(str::trim)
                .filter(|s| s.chars().count() >= SHORTEST)
                .map(str::to_ascii_lowercase)
                .collect(),
        }
    }

    /// `text` with every secret masked, in any ASCII case, including a secret cut
    /// short at the end of a text that was capped (`… Bearer abcd…`).
    pub(crate) fn text(&self, text: &mut String) {
        for secret in &self.secrets {
            mask_whole(text, secret);
            mask_cut(text, secret);
        }
    }

    fn option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.text(text);
        }
    }

    fn messages(&self, messages: &mut [ApiMessage]) {
        for m in messages {
            self.text(&mut m.message);
            self.option(&mut m.documentation_url);
            self.option(&mut m.pointer);
        }
    }

    /// `response` with its result's text, its messages and its `cf-ray` redacted.
    pub(crate) fn response<T: Redact>(&self, mut response: Response<T>) -> Response<T> {
        if self.secrets.is_empty() {
            return response;
        }
        response.result.redact(self);
        self.messages(&mut response.messages);
        self.option(&mut response.cf_ray);
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
                self.option(&mut e.cf_ray);
            }
            Error::UnexpectedBody(e) => {
                self.text(&mut e.reason);
                self.text(&mut e.excerpt);
                self.option(&mut e.content_type);
                self.option(&mut e.cf_ray);
            }
            Error::Decode(e) => {
                self.text(&mut e.field);
                self.text(&mut e.reason);
                self.option(&mut e.cf_ray);
            }
            Error::BodyTooLarge { cf_ray, .. } => self.option(cf_ray),
            Error::Redirected {
                location, cf_ray, ..
            } => {
                self.option(location);
                self.option(cf_ray);
            }
            _ => {}
        }
        error
    }
}

/// Masks every whole occurrence of `secret` (in ASCII lowercase) in `text`.
fn mask_whole(text: &mut String, secret: &str) {
    // ASCII lowercasing keeps every byte where it was: offsets found in `lower`
    // are character boundaries of `text`.
    let lower = text.to_ascii_lowercase();
    if !lower.contains(secret) {
        return;
    }
    let mut masked = String::with_capacity(text.len());
    let mut kept = 0;
    for (start, _) in lower.match_indices(secret) {
        masked.push_str(text.get(kept..start).unwrap_or_default());
        masked.push_str(MASK);
        kept = start + secret.len();
    }
    masked.push_str(text.get(kept..).unwrap_or_default());
    *text = masked;
}

/// Masks the start of `secret` (at least [`SHORTEST`] characters of it) at the end
/// of `text`, before a final `…`: what a cap leaves of a secret.
fn mask_cut(text: &mut String, secret: &str) {
    let ellipsis = text.ends_with('…');
    let body = text.strip_suffix('…').unwrap_or(text).to_ascii_lowercase();
    let cut = (SHORTEST..secret.len())
        .rev()
        .filter(|&n| secret.is_char_boundary(n))
        .find(|&n| secret.get(..n).is_some_and(|head| body.ends_with(head)));
    if let Some(n) = cut {
        text.truncate(body.len() - n);
        text.push_str(MASK);
        if ellipsis {
            text.push('…');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        error::{ApiError, BodyError, DecodeError},
        types::cidr::Cidr,
        types::ids::{BindingId, ServiceId},
        types::operation::Operation,
    };

    const TOKEN: &str = "tok-1234567890";

    fn token() -> Redactor {
        Redactor::new([TOKEN])
    }

    fn redact(redactor: &Redactor, text: &str) -> String {
        let mut text = text.to_owned();
        redactor.text(&mut text);
        text
    }

    #[test]
    fn masks_whole_and_cut_secrets() {
        let token = token();
        assert_eq!(
            redact(&token, "authorization: Bearer tok-1234567890 host: x"),
            "authorization: Bearer [redacted] host: x"
        );
        assert_eq!(
            redact(&token, "a: Bearer tok-12345…"),
            "a: Bearer [redacted]…"
        );
        assert_eq!(redact(&token, "nothing here…"), "nothing here…");
        let key = Redactor::new(["ops@example.com", "k3y-abcdef"]);
        assert_eq!(
            redact(&key, "x-auth-email: ops@example.com x-auth-key: k3y-abcdef"),
            "x-auth-email: [redacted] x-auth-key: [redacted]"
        );
    }

    #[test]
    fn masks_in_any_ascii_case_and_keeps_the_rest_as_it_was() {
        let token = Redactor::new([" TokEN-AbCdEf\n"]);
        assert_eq!(
            redact(
                &token,
                "http://token-abcdef.example, TOKEN-ABCDEF, é TokEN-AbCdEf É"
            ),
            "http://[redacted].example, [redacted], é [redacted] É"
        );
        assert_eq!(redact(&token, "Émile token-ab…"), "Émile [redacted]…");
        assert_eq!(redact(&token, "Émile"), "Émile");
    }

    fn echo() -> String {
        format!("echo Bearer {TOKEN}")
    }

    #[test]
    fn every_server_text_of_an_error_is_masked() {
        let redactor = token();
        let op = Operation::ListBindings;
        let mut message = ApiMessage::new(1, echo());
        message.documentation_url = Some(echo());
        message.pointer = Some(echo());
        let errors = [
            Error::Api(Box::new(ApiError {
                operation: op,
                status: 400,
                errors: vec![message.clone()],
                messages: vec![message],
                cf_ray: Some(echo()),
                retry_after: None,
                retry_cap: None,
            })),
            Error::UnexpectedBody(Box::new(BodyError {
                operation: op,
                status: 502,
                content_type: Some(echo()),
                reason: echo(),
                excerpt: echo(),
                cf_ray: Some(echo()),
                retry_after: None,
                retry_cap: None,
            })),
            Error::Decode(Box::new(DecodeError::new(
                op,
                200,
                echo(),
                echo(),
                Some(echo()),
            ))),
            Error::BodyTooLarge {
                operation: op,
                status: Some(200),
                limit: 1,
                cf_ray: Some(echo()),
            },
            Error::Redirected {
                operation: op,
                status: 307,
                location: Some(format!("http://{}.example", TOKEN.to_uppercase())),
                cf_ray: Some(echo()),
            },
        ];
        for error in errors {
            let error = redactor.error(error);
            let shown = format!("{error} {error:?}").to_ascii_lowercase();
            assert!(!shown.contains(&TOKEN[4..]), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }

    #[test]
    fn every_text_of_a_result_and_its_response_is_masked() {
        let redactor = token();
        let binding = ServiceBinding::new(
            BindingId::new("b1").unwrap(),
            "192.0.2.0/24".parse::<Cidr>().unwrap(),
            ServiceId::new("s1").unwrap(),
            echo(),
            ProvisioningState::Unknown(echo()),
        );
        let service = Service::new(ServiceId::new("s1").unwrap(), echo());
        let response = redactor.response(Response {
            result: (vec![binding], vec![service]),
            messages: vec![ApiMessage::new(1, echo())],
            status: 200,
            cf_ray: Some(echo()),
        });
        let shown = format!("{response:?}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert_eq!(shown.matches("[redacted]").count(), 5, "{shown}");
    }

    impl<A: Redact, B: Redact> Redact for (A, B) {
        fn redact(&mut self, redactor: &Redactor) {
            self.0.redact(redactor);
            self.1.redact(redactor);
        }
    }
}
