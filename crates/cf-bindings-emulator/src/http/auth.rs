//! Authentication: an API token (`Authorization: Bearer`) or an email and a global
//! API key (`X-Auth-Email` + `X-Auth-Key`), answered as Cloudflare answers.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{ApiMessage, App};
use crate::{AcceptedCredentials, error_codes};

/// Checks `Authorization: Bearer` or `X-Auth-Email` + `X-Auth-Key`.
pub(super) async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    match check_credentials(&app.credentials, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

fn check_credentials(creds: &AcceptedCredentials, headers: &HeaderMap) -> Result<(), ApiMessage> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::trim).unwrap_or(""))
    };
    if let Some(authorization) = text(header::AUTHORIZATION.as_str()) {
        let token = authorization
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiMessage::bad_request(
                    error_codes::INVALID_AUTHORIZATION_FORMAT,
                    "Invalid format for Authorization header: expected `Bearer <token>`",
                )
            })?;
        return if creds.accept_any || creds.api_token.as_deref() == Some(token) {
            Ok(())
        } else {
            Err(ApiMessage::new(
                StatusCode::FORBIDDEN,
                error_codes::INVALID_TOKEN,
                "Authentication error: invalid API token",
            ))
        };
    }
    match (text("x-auth-email"), text("x-auth-key")) {
        (Some(email), Some(key)) if !email.is_empty() && !key.is_empty() => {
            let email_ok = creds
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email));
            let key_ok = creds.api_key.as_deref() == Some(key);
            if creds.accept_any || (email_ok && key_ok) {
                Ok(())
            } else {
                Err(ApiMessage::new(
                    StatusCode::FORBIDDEN,
                    error_codes::INVALID_EMAIL_OR_KEY,
                    "Unknown X-Auth-Key or X-Auth-Email",
                ))
            }
        }
        _ => Err(ApiMessage::new(
            StatusCode::UNAUTHORIZED,
            error_codes::MISSING_CREDENTIALS,
            "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
        )),
    }
}
