//! The result of one generated call, turned into `Result<Response<_>, Error>`.

use cf_bindings_generated::{ResponseHead, types};
use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;

use crate::{
    error::Error,
    types::operation::Operation,
    wire::envelope::{api_error, decode_bytes, finish},
    wire::response::Response,
    wire::shapes::{Envelope, api_message},
    wire::transport::{Bounds, redirected, transport_error},
};

/// The error type of every generated operation.
pub(crate) type GenError = progenitor_client::Error<types::AddressingApiResponseCommonFailure>;

/// Turns the result of a generated operation into `Result<Response<_>, Error>`.
///
/// `head` is the status and headers the call received, as captured by its
/// [`ResponseRecorder`](cf_bindings_generated::ResponseRecorder): progenitor drops them
/// when a body does not decode.
pub(crate) async fn decode<E: Envelope>(
    operation: Operation,
    result: Result<ResponseValue<E>, GenError>,
    head: Option<ResponseHead>,
    bounds: Bounds,
) -> Result<Response<E::Result>, Error> {
    let head_status = head.as_ref().map(|h| h.status.as_u16());
    match result {
        Ok(value) => {
            let status = value.status().as_u16();
            let headers = value.headers().clone();
            finish(operation, status, &headers, value.into_inner())
        }
        Err(GenError::ErrorResponse(value)) => {
            let status = value.status().as_u16();
            let headers = value.headers().clone();
            // Exhaustive on purpose: a new field of the failure envelope is a
            // compile error here. `success` is `false` by the status; `result` is
            // null or absent on failures and carries nothing to report.
            let types::AddressingApiResponseCommonFailure {
                errors,
                messages,
                result: _,
                success: _,
            } = value.into_inner();
            Err(api_error(
                operation,
                status,
                &headers,
                errors.0.into_iter().map(api_message).collect(),
                messages.0.into_iter().map(api_message).collect(),
            ))
        }
        Err(GenError::InvalidResponsePayload(bytes, _)) => {
            let (status, headers) = match head {
                Some(h) => (h.status.as_u16(), h.headers),
                None => (0, HeaderMap::new()),
            };
            decode_bytes::<E>(operation, status, &headers, &bytes)
        }
        Err(GenError::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            // A redirect is refused before its body is read: a body cut short must
            // not make it look like an answer that may have been acted on.
            if let Some(redirect) = redirected(operation, status, &headers) {
                return Err(redirect);
            }
            match response.bytes().await {
                Ok(body) => decode_bytes::<E>(operation, status, &headers, &body),
                Err(e) => Err(transport_error(
                    operation,
                    e,
                    Some(status),
                    &headers,
                    bounds,
                )),
            }
        }
        Err(GenError::CommunicationError(e)) => Err(transport_error(
            operation,
            e,
            None,
            &HeaderMap::new(),
            bounds,
        )),
        Err(GenError::ResponseBodyError(e) | GenError::InvalidUpgrade(e)) => {
            let headers = head.map(|h| h.headers).unwrap_or_default();
            Err(transport_error(operation, e, head_status, &headers, bounds))
        }
        Err(GenError::InvalidRequest(message) | GenError::Custom(message)) => {
            Err(Error::Other { operation, message })
        }
    }
}
