//! The HTTP error type: every failure becomes a status code and
//! `{ "error": { "code": "...", "message": "..." } }`. The code is stable; the message is a
//! catalogue message (`errors.ftl`) rendered in the request's language (`crate::language`)
//! when the response is made. `Display` renders English, for logs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kefu_core::store::StoreError;
use kefu_core::CoreError;
use kefu_i18n::{Lang, Message};
use serde::Serialize;

pub use kefu_core::error::{msg, verbatim};

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
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Authenticated, but not allowed.
    #[error("{}", .0.render(Lang::En))]
    Forbidden(Message),
    /// Malformed request.
    #[error("{}", .0.render(Lang::En))]
    BadRequest(Message),
    /// Body over the limit.
    #[error("request body is too large")]
    PayloadTooLarge,
    /// Unknown or foreign id; the noun names what (`error-noun-<noun>` in the catalogue).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Too many requests; retry after the given seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// Too many failed logins: this account from this IP, or unknown emails from this IP
    /// (`network`). Shown on the login page.
    #[error("too many failed logins; retry in {retry_after_secs} s")]
    LoginLocked {
        /// The per-IP cap rather than the account's lock.
        network: bool,
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// An outgoing reply hit the sensitive-word filter (blocked, or a warning to confirm).
    #[error("{}", message.render(Lang::En))]
    Sensitive {
        /// `sensitive_blocked` or `sensitive_warning`.
        code: &'static str,
        /// What to tell the agent.
        message: Message,
        /// The hits: word, category, action, offsets.
        hits: serde_json::Value,
    },
    /// A well-formed document that breaks the rules (e.g. a routing rule naming no team);
    /// `problems` lists each with its path. A problem's English `message` that the catalogue
    /// knows (`error-problem-…`) is rendered in the caller's language.
    #[error("{}", message.render(Lang::En))]
    Unprocessable {
        /// Summary.
        message: Message,
        /// Each problem with its path.
        problems: serde_json::Value,
    },
    /// Refused with a specific status and code (e.g. 422 `private_target`, 400 `invalid_email`).
    #[error("{}", message.render(Lang::En))]
    Refused {
        /// HTTP status.
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        message: Message,
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
    /// What went wrong, in the caller's language (their saved language, else
    /// `Accept-Language`, else the shop's default).
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

    /// The message safe to show, in the request's language: internal details stay in the log.
    pub fn public_message(&self) -> String {
        self.message_in(crate::language::current())
    }

    /// The message safe to show, in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        match self {
            ApiError::Core(c) => core_message(c, lang),
            ApiError::Internal(_) => kefu_i18n::render(lang, "error-internal"),
            ApiError::Unauthenticated => kefu_i18n::render(lang, "error-unauthenticated"),
            ApiError::InvalidCredentials => kefu_i18n::render(lang, "error-invalid-credentials"),
            ApiError::PayloadTooLarge => kefu_i18n::render(lang, "error-payload-too-large"),
            ApiError::NotFound(noun) => not_found(noun, lang),
            ApiError::RateLimited { retry_after_secs } => msg("error-rate-limited").arg("seconds", *retry_after_secs).render(lang),
            ApiError::LoginLocked { network, retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                let key = if *network { "error-login-locked-network" } else { "error-login-locked" };
                msg(key).arg("minutes", minutes).render(lang)
            }
            ApiError::Forbidden(m) | ApiError::BadRequest(m) => m.render(lang),
            ApiError::Sensitive { message, .. } | ApiError::Unprocessable { message, .. } | ApiError::Refused { message, .. } => message.render(lang),
        }
    }
}

/// "<thing> not found" in `lang`; a noun the catalogue lacks is shown as written.
fn not_found(noun: &str, lang: Lang) -> String {
    let key = format!("error-noun-{}", noun.replace(' ', "-"));
    let thing = if kefu_i18n::has_message(lang, &key) { kefu_i18n::render(lang, &key) } else { noun.to_string() };
    msg("error-not-found").arg("thing", thing).render(lang)
}

/// The message of a domain error in `lang` (shared by HTTP and WebSocket error frames).
pub fn core_message(e: &CoreError, lang: Lang) -> String {
    match e {
        CoreError::NotFound(noun) => not_found(noun, lang),
        CoreError::Invalid(m) | CoreError::Forbidden(m) | CoreError::Conflict(m) => m.render(lang),
        CoreError::Unverified { message, .. } => message.render(lang),
        CoreError::TooLarge { len, limit } => msg("error-message-too-large").arg("len", *len).arg("limit", *limit).render(lang),
        CoreError::Store(StoreError::Closed) => kefu_i18n::render(lang, "error-shutting-down"),
        CoreError::Store(_) => kefu_i18n::render(lang, "error-internal"),
    }
}

/// Each problem's words in `lang` when the catalogue knows their English wording
/// (`error-problem-<words>`); other messages (already in the reader's words) stay.
pub fn localise_problems(problems: &serde_json::Value, lang: Lang) -> serde_json::Value {
    let mut out = problems.clone();
    if let Some(list) = out.as_array_mut() {
        for p in list {
            // A problem is `{path, message}`, or (alert rules) one string `path: message`.
            if let Some(line) = p.as_str() {
                if let Some((path, words)) = line.split_once(": ") {
                    *p = serde_json::Value::String(format!("{path}: {}", problem_text(words, lang)));
                }
                continue;
            }
            let Some(text) = p.get("message").and_then(|m| m.as_str()) else { continue };
            let words = problem_text(text, lang);
            p["message"] = serde_json::Value::String(words);
        }
    }
    out
}

/// 422 `invalid_document` for a document with problems: the summary (`key` with `count`,
/// the first problem's `path` and its words as `first`) and each problem at its path.
pub fn document_problems(key: &'static str, problems: &[kefu_core::routing::ConfigProblem]) -> ApiError {
    let lang = crate::language::current();
    let first = problems.first().map(|p| (p.path.clone(), problem_text(&p.message, lang))).unwrap_or_default();
    let message = msg(key).arg("count", problems.len()).arg("path", first.0).arg("first", first.1);
    ApiError::Unprocessable { message, problems: serde_json::to_value(problems).unwrap_or_default() }
}

/// A problem's words in `lang` when the catalogue knows them, else as written.
pub fn problem_text(message: &str, lang: Lang) -> String {
    let key = format!("error-problem-{}", problem_slug(message));
    if kefu_i18n::has_message(lang, &key) {
        kefu_i18n::render(lang, &key)
    } else {
        message.to_string()
    }
}

/// `must be 1-64 characters` → `must_be_1_64_characters`: lower case, each run of other
/// characters one `_`.
fn problem_slug(text: &str) -> String {
    let mut slug = String::new();
    for ch in text.to_lowercase().chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
    }
    slug.trim_matches('_').to_string()
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
        let lang = crate::language::current();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_secs } | ApiError::LoginLocked { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        };
        let details = match &self {
            ApiError::Sensitive { hits, .. } => Some(hits.clone()),
            ApiError::Unprocessable { problems, .. } => Some(localise_problems(problems, lang)),
            _ => None,
        };
        let message = self.message_in(lang);
        let mut res = (status, Json(ErrorBody { error: ErrorDetail { code, message, details } })).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        res.headers_mut().insert(axum::http::header::CONTENT_LANGUAGE, axum::http::HeaderValue::from_static(lang.tag()));
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
        let message = msg("error-uri-too-long").arg("bytes", target).arg("limit", MAX_URI_BYTES);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn problems_are_worded_in_the_readers_language_in_both_shapes() {
        let problems = json!([
            { "path": "teams[0].id", "message": "must be 1-32 characters of a-z, 0-9, - or _" },
            "rules[0].threshold: a positive number",
            { "path": "x", "message": "something the catalogue does not know" },
        ]);
        let zh = localise_problems(&problems, Lang::ZhCn);
        assert_eq!(zh[0]["message"], "编号需为 1-32 位小写字母、数字、- 或 _");
        assert_eq!(zh[1], "rules[0].threshold: 应为正数");
        assert_eq!(zh[2]["message"], "something the catalogue does not know");
        let en = localise_problems(&problems, Lang::En);
        assert_eq!(en[0]["message"], "Must be 1-32 characters of a-z, 0-9, - or _");
    }

    #[test]
    fn every_error_has_words_in_each_language() {
        let errors = [
            ApiError::Unauthenticated,
            ApiError::InvalidCredentials,
            ApiError::NotFound("ticket type"),
            ApiError::LoginLocked { network: true, retry_after_secs: 61 },
            ApiError::Core(CoreError::TooLarge { len: 9000, limit: 8000 }),
        ];
        for lang in Lang::ALL {
            for e in &errors {
                let words = e.message_in(lang);
                assert!(!words.is_empty() && !words.starts_with("error-"), "{lang}: {e:?} reads {words:?}");
            }
        }
        assert_eq!(ApiError::NotFound("ticket type").message_in(Lang::En), "Ticket type not found");
        assert_eq!(ApiError::LoginLocked { network: true, retry_after_secs: 61 }.message_in(Lang::ZhCn), "此网络登录失败次数过多，请 2 分钟后再试");
    }
}
