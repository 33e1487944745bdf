//! The HTTP error type: every failure becomes a status code and
//! `{ "error": { "code": "...", "message": "..." } }`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kefu_core::store::StoreError;
use kefu_core::CoreError;
use serde::Serialize;

/// What an API call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// From the domain.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong email or password.
    #[error("邮箱或密码不正确")]
    InvalidCredentials,
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// Body over the limit.
    #[error("request body is too large")]
    PayloadTooLarge,
    /// Unknown or foreign id.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Too many requests; retry after the given seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// Too many failed logins: this account from this IP, or unknown emails from this IP
    /// (`network`). Shown on the login page, so the message is in the UI's language.
    #[error("{}", login_locked_message(*network, *retry_after_secs))]
    LoginLocked {
        /// The per-IP cap rather than the account's lock.
        network: bool,
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// An outgoing reply hit the sensitive-word filter (blocked, or a warning to confirm).
    #[error("{message}")]
    Sensitive {
        /// `sensitive_blocked` or `sensitive_warning`.
        code: &'static str,
        /// What to tell the agent.
        message: String,
        /// The hits: word, category, action, offsets.
        hits: serde_json::Value,
    },
    /// A well-formed document that breaks the rules (e.g. a routing rule naming no team);
    /// `problems` lists each with its path.
    #[error("{message}")]
    Unprocessable {
        /// Summary.
        message: String,
        /// Each problem with its path.
        problems: serde_json::Value,
    },
    /// Refused with a specific status and code (e.g. 422 `private_target`, 400 `invalid_email`).
    #[error("{message}")]
    Refused {
        /// HTTP status.
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Something broke on our side (details are logged, not returned).
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Core(CoreError::Store(e))
    }
}

/// The JSON error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Machine-readable code and human message.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `not_found`.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// Structured facts for some codes, any JSON value: for `invalid_document` an array of
    /// problems (each with its path), for `sensitive_*` an array of the words hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    /// Status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Core(c) => core_status(c),
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::LoginLocked { network: false, .. } => (StatusCode::TOO_MANY_REQUESTS, "login_locked"),
            ApiError::LoginLocked { network: true, .. } => (StatusCode::TOO_MANY_REQUESTS, "login_locked_network"),
            ApiError::Sensitive { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Unprocessable { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_document"),
            ApiError::Refused { status, code, .. } => (*status, code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The message safe to show: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Core(CoreError::Store(StoreError::Closed)) => "the server is shutting down; retry shortly".into(),
            ApiError::Core(CoreError::Store(_)) | ApiError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }
}

fn login_locked_message(network: bool, retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    if network {
        format!("此网络登录失败次数过多，请 {minutes} 分钟后再试")
    } else {
        format!("登录失败次数过多，请 {minutes} 分钟后再试")
    }
}

/// Status and stable code of a domain error (shared by HTTP and WebSocket error frames).
pub fn core_status(e: &CoreError) -> (StatusCode, &'static str) {
    match e {
        CoreError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        CoreError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        CoreError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "message_too_large"),
        CoreError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        CoreError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        CoreError::Unverified { code, .. } => (StatusCode::UNAUTHORIZED, code),
        CoreError::Store(StoreError::Closed) => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
        CoreError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_secs } | ApiError::LoginLocked { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        };
        let details = match &self {
            ApiError::Sensitive { hits, .. } => Some(hits.clone()),
            ApiError::Unprocessable { problems, .. } => Some(problems.clone()),
            _ => None,
        };
        let mut res = (status, Json(ErrorBody { error: ErrorDetail { code, message: self.public_message(), details } })).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        res
    }
}

/// Longest request target accepted; longer ones answer 414 in our shape (hyper itself answers
/// an empty 414 past 64 KiB, before any of our code runs).
const MAX_URI_BYTES: usize = 8 * 1024;

/// Middleware: every error leaves as `{error:{code,message}}`. Handlers already answer so;
/// this catches the framework's own answers (body over the limit, unknown route, wrong method,
/// extractor rejections) which are plain text or empty.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        let message = format!("request target of {target} bytes is over the limit of {MAX_URI_BYTES}");
        return ApiError::Refused { status: StatusCode::URI_TOO_LONG, code: "uri_too_long", message }.into_response();
    }
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // A server error's text may hold internals; a client error's says what was wrong.
    let text = match status.is_server_error() {
        true => None,
        false => axum::body::to_bytes(body, 4096).await.ok().and_then(|b| String::from_utf8(b.to_vec()).ok()),
    };
    let message = match text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let body = ErrorBody { error: ErrorDetail { code: framework_code(status), message, details: None } };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    (parts, Json(body)).into_response()
}

/// Stable codes for statuses the framework answers on its own.
fn framework_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        411 => "length_required",
        413 => "payload_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "invalid_request",
        429 => "rate_limited",
        431 => "headers_too_large",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "invalid_request",
    }
}
