//! CSRF defence for the browser UI: a state-changing request that authenticates with the
//! session cookie must echo the `kefu_csrf` cookie in the `X-CSRF-Token` header (double
//! submit). Bearer-token callers are exempt: a browser never attaches those on its own.

use crate::auth::principal::cookie_value_in;
use crate::error::ApiError;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Name of the readable cookie holding the token.
pub const CSRF_COOKIE: &str = "kefu_csrf";
/// Header the UI echoes it in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Reject cookie-authenticated unsafe requests without a matching token.
pub async fn check(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = req.headers();
    let uses_cookie = !headers.contains_key(AUTHORIZATION) && cookie_value_in(headers, crate::auth::SESSION_COOKIE).is_some();
    if unsafe_method && uses_cookie && !req.uri().path().ends_with("/auth/login") {
        let expected = cookie_value_in(headers, CSRF_COOKIE).unwrap_or("");
        let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if expected.is_empty() || !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return ApiError::Forbidden(crate::error::msg("error-csrf"))
                .into_response();
        }
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
