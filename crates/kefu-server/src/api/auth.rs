//! Login, logout, who am I, and presence.

use super::ApiJson;
use crate::app::AppState;
use crate::auth::{hash_password, new_secret, secret_hash, verify_password, Principal, Via, SESSION_COOKIE};
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use crate::security::csrf::CSRF_COOKIE;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use kefu_core::abuse::LoginOutcome;
use kefu_core::access::Session;
use kefu_core::audit::AuditEntry;
use kefu_core::ids::CredentialId;
use kefu_core::routing::{may_stop_taking_chats, SeatChoice};
use kefu_core::shop::{Presence, Shop, User};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;
use kefu_i18n::Lang;
use std::net::SocketAddr;
use std::sync::OnceLock;

/// Login form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A user with their live presence.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Online, away or offline.
    pub status: Presence,
}

/// The caller and their shop.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    /// Who.
    pub user: UserView,
    /// Their shop.
    pub shop: Shop,
    /// When the session ends (unix ms), for sessions.
    pub expires_at: Option<i64>,
    /// Their own seat choice: status and 接待 (always on for agents).
    pub seat: SeatChoice,
    /// The interface language they chose; `null` follows the browser.
    pub language: Option<Lang>,
    /// The shop's default language (`zh-CN` or `en`).
    pub shop_language: String,
    /// The shop's time zone, a UTC offset such as `+08:00`: dates and times are shown in it.
    pub time_zone: String,
}

impl MeResponse {
    /// The caller, their shop and its language and time zone.
    async fn new(state: &AppState, user: User, shop: Shop, expires_at: Option<i64>, seat: SeatChoice) -> Result<Self, ApiError> {
        let profile = state.inbox.store().shop_profile(user.shop_id).await?;
        let (time_zone, shop_language) = profile.map(|p| (p.time_zone, p.language)).unwrap_or_else(|| ("+08:00".into(), "zh-CN".into()));
        let language = user.language;
        Ok(MeResponse { user: user_view(state, user), shop, expires_at, seat, language, shop_language, time_zone })
    }
}

/// A person's own interface language.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequest {
    /// `zh-CN` or `en`; `null` follows the browser's language.
    #[schema(value_type = Option<String>, pattern = r"^(zh-CN|en)$")]
    pub language: Option<Lang>,
}

/// A person's own seat choice: their status, and (owners, admins, supervisors) 接待; what is
/// left out stays as it was (an empty body changes nothing and answers the current choice).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `online`, `busy` or `away` (`offline` follows from closing the workspace).
    #[schema(value_type = Option<String>, pattern = r"^(online|busy|away)$")]
    pub status: Option<Presence>,
    /// Take chats (接待): owners, admins and supervisors are given conversations only when
    /// this is on; agents always take chats (`false` is refused for them, 409).
    pub takes_chats: Option<bool>,
}

/// Presence change result.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    /// The user with their live status (`offline` while no workspace is open).
    pub user: UserView,
    /// What they chose (kept; applied whenever a workspace is open).
    pub seat: SeatChoice,
}

pub(crate) fn user_view(state: &AppState, user: User) -> UserView {
    let status = state.inbox.presence(user.shop_id, user.id);
    UserView { user, status }
}

/// A valid hash to verify against when the email is unknown, so both paths cost the same.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

/// Log in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody),
        (status = 403, description = "The account is deactivated (`account_deactivated`) or its shop suspended (`shop_suspended`)", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let store = state.inbox.store();
    let ip = peer.ip();
    if let Err(e) = state.guards.login_allowed(&req.email, ip, state.inbox.now()) {
        tracing::warn!(%ip, "login throttled");
        return Err(e);
    }
    let creds = store.user_by_email(&req.email).await?;
    let hash = creds.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let outcome = match (&creds, ok) {
        (Some(_), true) => LoginOutcome::Succeeded,
        (Some(_), false) => LoginOutcome::WrongPassword,
        (None, _) => LoginOutcome::UnknownEmail,
    };
    if let Some(lock_ms) = state.guards.login_result(&req.email, ip, outcome, state.inbox.now()) {
        tracing::warn!(%ip, lock_secs = lock_ms / 1000, known = creds.is_some(), "login locked for this account and IP");
    }
    let creds = match creds {
        Some(c) if ok => c,
        // Failed logins of a known account go to its shop's audit log; unknown emails only
        // count towards the throttle (recording them would let anyone fill the log).
        other => {
            if let Some(c) = other {
                let e = AuditEntry::by_user(c.user.shop_id, c.user.id, state.inbox.now(), "login_failed", None, json!({ "ip": ip.to_string() }));
                audit::record(&state, e).await?;
            }
            return Err(ApiError::InvalidCredentials);
        }
    };
    let user = creds.user;
    crate::onboarding::ensure_may_log_in(&state, &user).await?;
    let mut cs = ChangeSet::default();
    cs.push(Change::AppendAudit(AuditEntry::by_user(user.shop_id, user.id, state.inbox.now(), "login", None, json!({ "ip": ip.to_string() }))));
    open_session(&state, user, cs).await
}

/// Start a login session for `user` (after a password check, a setup or an accepted
/// invitation): the session row, the cookies, and `extra` changes committed with it.
pub(crate) async fn open_session(state: &AppState, user: User, extra: ChangeSet) -> Result<(HeaderMap, Json<MeResponse>), ApiError> {
    let store = state.inbox.store();
    let secret = new_secret("").map_err(ApiError::Internal)?;
    let now = state.inbox.now();
    let ttl_ms = state.config.session_ttl.as_millis() as i64;
    let session = Session {
        id: CredentialId::new(),
        shop_id: user.shop_id,
        user_id: user.id,
        secret_hash: secret_hash(&secret),
        created_at: now,
        expires_at: now + ttl_ms,
    };
    let expires_at = session.expires_at;
    let mut cs = extra;
    cs.push(Change::InsertSession(session));
    cs.push(Change::TouchUser { shop_id: user.shop_id, user_id: user.id, at: now });
    store.apply(cs).await?;
    let csrf = new_secret("").map_err(ApiError::Internal)?;
    let shop = store.shop(user.shop_id).await?.ok_or(ApiError::NotFound("shop"))?;
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ttl_ms / 1000,
        if state.config.secure_cookies { "; Secure" } else { "" }
    );
    // Readable by the page (not HttpOnly) so the UI can echo it; see security::csrf.
    let csrf_cookie = format!(
        "{CSRF_COOKIE}={csrf}; Path=/; SameSite=Strict; Max-Age={}{}",
        ttl_ms / 1000,
        if state.config.secure_cookies { "; Secure" } else { "" }
    );
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    headers.append(SET_COOKIE, HeaderValue::from_str(&csrf_cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    tracing::info!(user = %user.id, shop = %user.shop_id, "login");
    let seat = state.inbox.seat_choice(&user).await.effective(user.role);
    Ok((headers, Json(MeResponse::new(state, user, shop, Some(expires_at), seat).await?)))
}

/// End the session and clear the cookie. An API token is not a session: it is revoked with
/// `DELETE /api/v1/tokens/{id}`, and logging out with one answers 400 saying so (a 204 would
/// suggest the token stopped working).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, who: Principal) -> Result<impl IntoResponse, ApiError> {
    if who.via == Via::Token {
        return Err(ApiError::Refused {
            status: StatusCode::BAD_REQUEST,
            code: "token_logout",
            message: crate::error::msg("error-token-logout"),
        });
    }
    if let Some(hash) = who.session_hash.clone() {
        let mut cs = ChangeSet::default();
        cs.push(Change::DeleteSession { secret_hash: hash });
        cs.push(Change::AppendAudit(audit::entry(&state, &who, "logout", None, json!({}))));
        state.inbox.store().apply(cs).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, HeaderValue::from_static("kefu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    headers.append(SET_COOKIE, HeaderValue::from_static("kefu_csrf=; Path=/; SameSite=Strict; Max-Age=0"));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// The caller and their shop.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, who: Principal) -> Result<Json<MeResponse>, ApiError> {
    let store = state.inbox.store();
    let shop = store.shop(who.user.shop_id).await?.ok_or(ApiError::NotFound("shop"))?;
    let expires_at = match (&who.via, &who.session_hash) {
        (Via::Session, Some(h)) => store.session(h).await?.map(|s| s.expires_at),
        _ => None,
    };
    let seat = state.inbox.seat_choice(&who.user).await.effective(who.user.role);
    Ok(Json(MeResponse::new(&state, who.user, shop, expires_at, seat).await?))
}

/// Choose one's interface language: pages and API error messages use it from then on, over
/// the browser's language; `null` follows the browser again (then the shop's default).
#[utoipa::path(put, path = "/api/v1/me/language", tag = "auth", request_body = LanguageRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn set_language(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<LanguageRequest>) -> Result<Json<MeResponse>, ApiError> {
    let store = state.inbox.store();
    let mut cs = ChangeSet::default();
    cs.push(Change::SetUserLanguage { shop_id: who.user.shop_id, user_id: who.user.id, language: req.language });
    store.apply(cs).await?;
    let user = User { language: req.language, ..who.user.clone() };
    // This answer is already in the new choice (or, for null, the browser's or shop's).
    crate::language::settle_for(&state, &user).await;
    let shop = store.shop(user.shop_id).await?.ok_or(ApiError::NotFound("shop"))?;
    let expires_at = match (&who.via, &who.session_hash) {
        (Via::Session, Some(h)) => store.session(h).await?.map(|s| s.expires_at),
        _ => None,
    };
    let seat = state.inbox.seat_choice(&user).await.effective(user.role);
    Ok(Json(MeResponse::new(&state, user, shop, expires_at, seat).await?))
}

/// Choose one's status (在线/忙碌/离开) and, for owners, admins and supervisors, 接待. The
/// choice is kept and applied whenever a workspace is open; without one the live status stays
/// `offline` and routing gives nothing, as before.
#[utoipa::path(put, path = "/api/v1/me/status", tag = "auth", request_body = StatusRequest,
    responses((status = 200, body = StatusResponse), (status = 400, body = ErrorBody),
        (status = 409, description = "Agents always take chats (`agents_take_chats`)", body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<StatusRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    if req.status == Some(Presence::Offline) {
        return Err(ApiError::BadRequest(crate::error::msg("error-status-choice")));
    }
    if req.takes_chats == Some(false) && !may_stop_taking_chats(who.user.role) {
        // A well-formed request the caller's role refuses: agents choose busy or away instead.
        return Err(ApiError::Refused { status: StatusCode::CONFLICT, code: "agents_take_chats", message: crate::error::msg("error-agents-take-chats") });
    }
    let mut seat = state.inbox.seat_choice(&who.user).await;
    seat.status = req.status.unwrap_or(seat.status);
    seat.takes_chats = req.takes_chats.unwrap_or(seat.takes_chats);
    state.inbox.put_seat_choice(&who.user, seat).await?;
    if state.hub.has_agent(who.user.shop_id, who.user.id) {
        state.inbox.set_presence(&who.user, seat.status).await;
    }
    Ok(Json(StatusResponse { seat: seat.effective(who.user.role), user: user_view(&state, who.user) }))
}

/// Password change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now.
    pub current: String,
    /// The new one (at least 10 characters, two kinds of characters, not the login name).
    pub new: String,
}

/// Change one's own password; other sessions stay valid until they expire.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn change_password(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<PasswordChange>) -> Result<StatusCode, ApiError> {
    if who.via != Via::Session {
        return Err(ApiError::Forbidden(crate::error::msg("error-password-token")));
    }
    crate::security::password_policy::check(&req.new, &who.user.email).map_err(ApiError::BadRequest)?;
    let store = state.inbox.store();
    let creds = store.user_by_email(&who.user.email).await?.ok_or(ApiError::Unauthenticated)?;
    let (current, stored, new) = (req.current, creds.password_hash, req.new);
    let hash = tokio::task::spawn_blocking(move || if verify_password(&current, &stored) { hash_password(&new).map(Some) } else { Ok(None) })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?
        // 400, not 401: a typo here must not look like a lost session to the UI.
        .ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-password-current")))?;
    let mut cs = ChangeSet::default();
    cs.push(Change::SetPasswordHash { shop_id: who.user.shop_id, user_id: who.user.id, password_hash: hash });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "password_changed", None, json!({}))));
    store.apply(cs).await?;
    Ok(StatusCode::NO_CONTENT)
}
