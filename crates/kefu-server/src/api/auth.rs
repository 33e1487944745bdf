//! Login, logout, who am I, and presence.

use super::ApiJson;
use crate::app::AppState;
use crate::auth::{hash_password, new_secret, secret_hash, verify_password, Principal, Via, SESSION_COOKIE};
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use kefu_core::access::Session;
use kefu_core::ids::CredentialId;
use kefu_core::shop::{Presence, Shop, User};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
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
}

/// Presence change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `online` or `away`.
    pub status: Presence,
}

/// Presence change result.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    /// The user with the new status.
    pub user: UserView,
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
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn login(State(state): State<AppState>, ApiJson(req): ApiJson<LoginRequest>) -> Result<impl IntoResponse, ApiError> {
    let store = state.inbox.store();
    let creds = store.user_by_email(&req.email).await?;
    let hash = creds.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(creds) = creds.filter(|_| ok) else {
        return Err(ApiError::InvalidCredentials);
    };
    let user = creds.user;
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
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertSession(session));
    store.apply(cs).await?;
    let shop = store.shop(user.shop_id).await?.ok_or(ApiError::NotFound("shop"))?;
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ttl_ms / 1000,
        if state.config.secure_cookies { "; Secure" } else { "" }
    );
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    tracing::info!(user = %user.id, shop = %user.shop_id, "login");
    Ok((headers, Json(MeResponse { user: user_view(&state, user), shop, expires_at: Some(expires_at) })))
}

/// End the session and clear the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, who: Principal) -> Result<impl IntoResponse, ApiError> {
    if let Some(hash) = who.session_hash {
        let mut cs = ChangeSet::default();
        cs.push(Change::DeleteSession { secret_hash: hash });
        state.inbox.store().apply(cs).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, HeaderValue::from_static("kefu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
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
    Ok(Json(MeResponse { user: user_view(&state, who.user), shop, expires_at }))
}

/// Switch between taking conversations (`online`) and not (`away`).
#[utoipa::path(put, path = "/api/v1/me/status", tag = "auth", request_body = StatusRequest,
    responses((status = 200, body = StatusResponse), (status = 400, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<StatusRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    if req.status == Presence::Offline {
        return Err(ApiError::BadRequest("status must be online or away; offline follows from closing the workspace".into()));
    }
    if !state.hub.has_agent(who.user.shop_id, who.user.id) {
        return Err(ApiError::BadRequest("open the workspace first: presence needs a live connection".into()));
    }
    state.inbox.set_presence(&who.user, req.status).await;
    Ok(Json(StatusResponse { user: user_view(&state, who.user) }))
}
