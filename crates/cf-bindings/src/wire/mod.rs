//! One request on the wire and back: the transport's bounds and headers
//! (`transport`), the envelope shapes of each generated answer (`shapes`, the
//! exhaustive destructures), Cloudflare's envelope rules (`envelope`), the call
//! through the generated client (`call`), the redaction of what the server echoes
//! (`redact`), and the [`Response`] a caller gets.

pub(crate) mod call;
pub(crate) mod envelope;
pub(crate) mod redact;
pub(crate) mod response;
pub(crate) mod shapes;
pub(crate) mod transport;

pub use response::Response;
