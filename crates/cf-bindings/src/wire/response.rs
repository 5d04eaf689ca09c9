//! [`Response`]: a successful answer with what else the envelope and headers said.

use std::ops::Deref;

use crate::{
    error::Error,
    error::{ApiMessage, DecodeError},
    types::binding::FieldError,
    types::operation::Operation,
};

/// A successful answer: the `result`, plus what else the envelope and headers said.
///
/// It dereferences to the result, so `response.len()` or `binding.cidr` work
/// directly; [`Response::into_inner`] takes the result out.
///
/// # Why `Deref`
/// The Rust API guidelines ask that only smart pointers implement `Deref`
/// (C-DEREF), because method calls resolve through it silently. `Response<T>` keeps
/// it as a deliberate exception, in the way of `axum::Json<T>`: a response *is* its
/// result with some metadata attached, almost every caller wants only the result,
/// and the dereference cannot fail and costs nothing. What makes `Deref` confusing
/// elsewhere does not arise here: `Response` has no trait implementations beyond the
/// derived ones and only two inherent methods, [`into_inner`](Self::into_inner)
/// and [`map`](Self::map), so nothing of `T` is hidden except a method of `T`
/// itself named `into_inner` or `map` (reach it with `response.result.map(..)`).
/// There is no `DerefMut`: change the result through the public
/// [`result`](Self::result) field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The envelope's `result`, converted.
    pub result: T,
    /// The envelope's `messages` (also logged at warn when not empty: the first
    /// three, then a count of the rest).
    pub messages: Vec<ApiMessage>,
    /// The HTTP status.
    pub status: u16,
    /// The `cf-ray` header, cut after 64 characters (with the client's own
    /// credentials masked, like every text from the server).
    pub cf_ray: Option<String>,
}

impl<T> Response<T> {
    /// The result, without the rest.
    pub fn into_inner(self) -> T {
        self.result
    }

    /// Applies `f` to the result, keeping the rest.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            result: f(self.result),
            messages: self.messages,
            status: self.status,
            cf_ray: self.cf_ray,
        }
    }

    /// Converts the wire result to the crate's model; a field that does not fit is an
    /// [`Error::Decode`].
    pub(crate) fn convert<U>(
        self,
        operation: Operation,
        f: impl FnOnce(T) -> Result<U, FieldError>,
    ) -> Result<Response<U>, Error> {
        let Response {
            result,
            messages,
            status,
            cf_ray,
        } = self;
        match f(result) {
            Ok(result) => Ok(Response {
                result,
                messages,
                status,
                cf_ray,
            }),
            Err((field, reason)) => Err(Error::Decode(Box::new(DecodeError::new(
                operation, status, field, reason, cf_ray,
            )))),
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.result
    }
}
