//! The shapes an envelope is read as: the generated, typed ones ([`Envelope`]), an
//! untyped one (`ValueEnvelope`, for the tests), and the most lenient one ([`LenientEnvelope`]),
//! which keeps the error items of any envelope.

use cf_bindings_generated::types;
use serde::{Deserialize, de::DeserializeOwned};

use crate::error::ApiMessage;

/// A generated response type: an envelope with a typed `result`.
pub(crate) trait Envelope: DeserializeOwned {
    /// The type of `result`.
    type Result;
    /// `success`, `errors`, `messages` and `result`.
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        Self::Result,
    );
}

macro_rules! envelope {
    ($ty:ty, $result:ty, |$r:ident| $get:expr) => {
        impl Envelope for $ty {
            type Result = $result;
            fn into_parts(
                self,
            ) -> (
                bool,
                Vec<types::AddressingMessage>,
                Vec<types::AddressingMessage>,
                $result,
            ) {
                // Exhaustive on purpose: a new envelope field is a compile error here.
                let Self {
                    success,
                    errors,
                    messages,
                    result: $r,
                } = self;
                (success, errors.0, messages.0, $get)
            }
        }
    };
}

envelope!(
    types::IpAddressManagementServiceBindingsListServiceBindingsResponse,
    Vec<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsCreateServiceBindingResponse,
    Option<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsGetServiceBindingResponse,
    Option<types::AddressingServiceBinding>,
    |r| r
);
envelope!(
    types::IpAddressManagementServiceBindingsListServicesResponse,
    Vec<types::AddressingService>,
    |r| r
);
envelope!(
    types::IpAddressManagementPrefixesListPrefixesResponse,
    Vec<types::AddressingIpamPrefixes>,
    |r| r
);
envelope!(
    types::IpAddressManagementPrefixesPrefixDetailsResponse,
    Option<types::AddressingIpamPrefixes>,
    |r| r
);

impl Envelope for types::AddressingApiResponseCommon {
    type Result = ();
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        (),
    ) {
        let Self {
            success,
            errors,
            messages,
        } = self;
        (success, errors.0, messages.0, ())
    }
}

/// An envelope with any `result`, used by `decode_envelope` (the tests' entry point).
#[cfg(test)]
#[derive(Deserialize)]
pub(crate) struct ValueEnvelope {
    success: bool,
    errors: types::AddressingMessages,
    messages: types::AddressingMessages,
    #[serde(default)]
    result: serde_json::Value,
}

#[cfg(test)]
impl Envelope for ValueEnvelope {
    type Result = serde_json::Value;
    fn into_parts(
        self,
    ) -> (
        bool,
        Vec<types::AddressingMessage>,
        Vec<types::AddressingMessage>,
        serde_json::Value,
    ) {
        (self.success, self.errors.0, self.messages.0, self.result)
    }
}

/// The most lenient reading of an envelope, used when the expected shape did not
/// decode: it only needs `success`, so that no error items are ever lost.
#[derive(Deserialize)]
pub(crate) struct LenientEnvelope {
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) errors: Option<Vec<LenientMessage>>,
    #[serde(default)]
    pub(crate) messages: Option<Vec<LenientMessage>>,
}

#[derive(Deserialize)]
pub(crate) struct LenientMessage {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    documentation_url: Option<String>,
    #[serde(default)]
    source: Option<LenientSource>,
}

#[derive(Deserialize)]
struct LenientSource {
    #[serde(default)]
    pointer: Option<String>,
}

impl From<LenientMessage> for ApiMessage {
    fn from(m: LenientMessage) -> Self {
        ApiMessage::from_server(
            m.code,
            m.message.unwrap_or_default(),
            m.documentation_url,
            m.source.and_then(|s| s.pointer),
        )
    }
}

/// One item of an envelope's `errors` or `messages`, as the wrapper shows it.
pub(crate) fn api_message(m: types::AddressingMessage) -> ApiMessage {
    // Exhaustive on purpose: a new message field is a compile error here.
    let types::AddressingMessage {
        code,
        documentation_url,
        message,
        source,
    } = m;
    let pointer = source.and_then(|types::AddressingMessageSource { pointer }| pointer);
    ApiMessage::from_server(code, message, documentation_url, pointer)
}
