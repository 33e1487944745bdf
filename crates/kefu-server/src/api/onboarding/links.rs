//! Public endpoints behind the one-time links: the first-run setup, accepting an
//! invitation, redeeming a password reset; and the demo accounts the login page may list.

use crate::api::auth::{open_session, MeResponse};
use crate::api::ApiJson;
use crate::app::AppState;
use crate::auth::hash_password;
use crate::error::{ApiError, ErrorBody};
use crate::onboarding::{self, invalid};
use axum::extract::State;
use axum::Json;
use kefu_core::audit::AuditEntry;
use kefu_core::ids::UserId;
use kefu_core::onboarding::{normalise_email, TokenKind};
use kefu_core::shop::{Role, User, UserCredentials};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A link's secret, as in `?token=`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkCheck {
    /// The secret from the link.
    pub token: String,
}

/// What a usable link is for (shown on its page before the form).
#[derive(Serialize, utoipa::ToSchema)]
pub struct LinkInfo {
    /// `setup`, `invitation` or `reset`.
    pub kind: TokenKind,
    /// Whom it is for (empty for setup).
    pub email: String,
    /// The shop joined (invitations and resets).
    pub shop_name: Option<String>,
    /// The role granted (invitations).
    pub role: Option<Role>,
    /// A suggested display name.
    pub display_name: String,
    /// Until when it works (none: until used).
    pub expires_at: Option<i64>,
}

/// What a link is for, or 404 (unknown) / 410 (used, expired) with what to do. POST so the
/// secret never appears in a URL path or a log line.
#[utoipa::path(post, path = "/api/v1/links/check", tag = "onboarding", request_body = LinkCheck,
    responses((status = 200, body = LinkInfo), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn check(State(state): State<AppState>, ApiJson(req): ApiJson<LinkCheck>) -> Result<Json<LinkInfo>, ApiError> {
    let store = state.inbox.store();
    let token = store
        .onboard_token(&crate::auth::secret_hash(req.token.trim()))
        .await?
        .ok_or(onboarding::token_error(kefu_core::onboarding::TokenProblem::Unknown))?;
    token.usable(token.kind, state.inbox.now()).map_err(onboarding::token_error)?;
    let shop_name = match token.shop_id {
        Some(s) => store.shop(s).await?.map(|s| s.name),
        None => None,
    };
    Ok(Json(LinkInfo { kind: token.kind, email: token.email, shop_name, role: token.grant.role, display_name: token.grant.display_name, expires_at: token.expires_at }))
}

/// The first-run form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The setup link's secret.
    pub token: String,
    /// The shop's name.
    pub shop_name: String,
    /// UTC offset, default `+08:00`.
    #[serde(default = "default_tz")]
    pub time_zone: String,
    /// `zh-CN` (default) or `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// The owner's login email.
    pub email: String,
    /// The owner's display name.
    pub display_name: String,
    /// The owner's password (the usual policy).
    pub password: String,
}

fn default_tz() -> String {
    "+08:00".into()
}

fn default_language() -> String {
    "zh-CN".into()
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(invalid(crate::error::msg("error-display-name")));
    }
    Ok(name.to_string())
}

async fn hash_checked(password: String, email: &str) -> Result<String, ApiError> {
    crate::security::password_policy::check(&password, email).map_err(invalid)?;
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| ApiError::Internal(e.to_string()))?.map_err(ApiError::Internal)
}

/// Create the first shop and its owner with the setup link, and log the owner in.
#[utoipa::path(post, path = "/api/v1/setup", tag = "onboarding", request_body = SetupRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn setup(State(state): State<AppState>, ApiJson(req): ApiJson<SetupRequest>) -> Result<(axum::http::HeaderMap, Json<MeResponse>), ApiError> {
    let now = state.inbox.now();
    let store = state.inbox.store();
    let token = onboarding::usable(store, &req.token, TokenKind::Setup, now).await?;
    let email = normalise_email(&req.email).map_err(invalid)?;
    let display_name = check_name(&req.display_name)?;
    if store.email_taken(&email).await? {
        return Err(onboarding::email_taken());
    }
    let (shop, mut cs) = onboarding::new_shop(&req.shop_name, &req.time_zone, &req.language, now)?;
    let password_hash = hash_checked(req.password, &email).await?;
    let user = User { id: UserId::new(), shop_id: shop.id, email, display_name, role: Role::Owner, capacity: 0, created_at: now, language: None };
    cs.push(Change::UseOnboardToken { id: token.id, at: now });
    cs.push(Change::InsertUser(UserCredentials { user: user.clone(), password_hash }));
    cs.push(Change::AppendAudit(AuditEntry::by_user(shop.id, user.id, now, "shop_set_up", Some(format!("shop:{}", shop.id)), json!({}))));
    store.apply(cs).await.map_err(used_meanwhile)?;
    tracing::info!(shop = %shop.id, "first shop set up");
    open_session(&state, user, ChangeSet::default()).await
}

/// A redeem that lost a race to another tab: the link was used meanwhile.
fn used_meanwhile(e: kefu_core::store::StoreError) -> ApiError {
    match e {
        kefu_core::store::StoreError::Duplicate(m) if m.contains("link") => onboarding::token_error(kefu_core::onboarding::TokenProblem::Used),
        kefu_core::store::StoreError::Duplicate(_) => onboarding::email_taken(),
        other => other.into(),
    }
}

/// Accepting an invitation.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The invitation's secret.
    pub token: String,
    /// How colleagues and customers see you.
    pub display_name: String,
    /// Your password (the usual policy).
    pub password: String,
}

/// Join the shop with the invitation's role, teams, capacity and languages; logs in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "onboarding", request_body = AcceptRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn accept(State(state): State<AppState>, ApiJson(req): ApiJson<AcceptRequest>) -> Result<(axum::http::HeaderMap, Json<MeResponse>), ApiError> {
    let now = state.inbox.now();
    let store = state.inbox.store();
    let token = onboarding::usable(store, &req.token, TokenKind::Invitation, now).await?;
    let shop_id = token.shop_id.ok_or(ApiError::Internal("an invitation without a shop".into()))?;
    onboarding::ensure_open(&state, shop_id)?;
    let display_name = check_name(&req.display_name)?;
    if store.email_taken(&token.email).await? {
        return Err(onboarding::email_taken());
    }
    let password_hash = hash_checked(req.password, &token.email).await?;
    let role = token.grant.role.unwrap_or(Role::Agent);
    let user = User { id: UserId::new(), shop_id, email: token.email.clone(), display_name, role, capacity: 0, created_at: now, language: None };
    let mut cs = ChangeSet::default();
    cs.push(Change::UseOnboardToken { id: token.id, at: now });
    cs.push(Change::InsertUser(UserCredentials { user: user.clone(), password_hash }));
    cs.push(Change::AppendAudit(AuditEntry::by_user(shop_id, user.id, now, "invitation_accepted", Some(format!("invitation:{}", token.id)), json!({ "role": role.as_str() }))));
    store.apply(cs).await.map_err(used_meanwhile)?;
    let g = &token.grant;
    if !g.teams.is_empty() || g.capacity.is_some() || !g.languages.is_empty() {
        if let Err(e) = onboarding::set_work_profile(&state, shop_id, user.id, &g.teams, g.capacity, &g.languages).await {
            // A team deleted since the invitation: the person still joins, without it.
            tracing::warn!(error = %e, "applying an invitation's teams failed");
        }
    }
    open_session(&state, user, ChangeSet::default()).await
}

/// Setting a new password with a reset link.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The reset link's secret.
    pub token: String,
    /// The new password.
    pub password: String,
}

/// Set a new password with a reset link; unlocks the login and logs in.
#[utoipa::path(post, path = "/api/v1/password-resets/redeem", tag = "onboarding", request_body = ResetRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn redeem_reset(State(state): State<AppState>, ApiJson(req): ApiJson<ResetRequest>) -> Result<(axum::http::HeaderMap, Json<MeResponse>), ApiError> {
    let now = state.inbox.now();
    let store = state.inbox.store();
    let token = onboarding::usable(store, &req.token, TokenKind::Reset, now).await?;
    let (Some(shop_id), Some(user_id)) = (token.shop_id, token.grant.user_id) else {
        return Err(onboarding::token_error(kefu_core::onboarding::TokenProblem::Unknown));
    };
    let user = store.user(shop_id, user_id).await?.ok_or(onboarding::token_error(kefu_core::onboarding::TokenProblem::Expired))?;
    onboarding::ensure_may_log_in(&state, &user).await?;
    let password_hash = hash_checked(req.password, &user.email).await?;
    let mut cs = ChangeSet::default();
    cs.push(Change::UseOnboardToken { id: token.id, at: now });
    cs.push(Change::SetPasswordHash { shop_id, user_id, password_hash });
    cs.push(Change::AppendAudit(AuditEntry::by_user(shop_id, user_id, now, "password_reset", Some(format!("reset:{}", token.id)), json!({}))));
    store.apply(cs).await.map_err(used_meanwhile)?;
    state.guards.unlock_account(&user.email);
    open_session(&state, user, ChangeSet::default()).await
}

/// The demo accounts, while the demo shop exists.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DemoAccounts {
    /// Whether the demo shop exists.
    pub demo: bool,
    /// Their shared password (only while the demo exists).
    pub password: Option<String>,
    /// email, name, role.
    pub accounts: Vec<DemoAccount>,
}

/// One demo login.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DemoAccount {
    /// Login email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// What the login page lists: the demo accounts only while the demo shop exists.
#[utoipa::path(get, path = "/api/v1/auth/demo", tag = "auth", responses((status = 200, body = DemoAccounts)))]
pub async fn demo_accounts(State(state): State<AppState>) -> Json<DemoAccounts> {
    if !crate::demo::exists(&state.inbox).await {
        return Json(DemoAccounts { demo: false, password: None, accounts: Vec::new() });
    }
    let accounts = crate::demo::DEMO_USERS.iter().map(|(email, name, role)| DemoAccount { email: email.to_string(), name: name.to_string(), role: *role }).collect();
    Json(DemoAccounts { demo: true, password: Some(crate::demo::DEMO_PASSWORD.into()), accounts })
}
