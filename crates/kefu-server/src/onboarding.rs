//! Onboarding glue shared by the API, the CLI and start-up: which shops are suspended (hot
//! state), making a shop, issuing one-time links, applying what an invitation grants.

use crate::app::AppState;
use crate::auth::{new_secret, secret_hash};
use crate::error::ApiError;
use axum::http::{HeaderMap, StatusCode};
use kefu_core::audit::AuditEntry;
use kefu_core::clock::Millis;
use kefu_core::ids::{CredentialId, ShopId, UserId};
use kefu_core::onboarding::{self as rules, Grant, OnboardToken, TokenKind, TokenProblem};
use kefu_core::shop::{Role, Shop, User};
use kefu_core::store::{Change, ChangeSet, Store, StoreError};
use kefu_store::SqlStore;
use std::collections::HashSet;
use std::sync::RwLock;

/// Suspended shops, kept in memory so every request can be refused without a read.
#[derive(Default)]
pub struct Tenancy {
    suspended: RwLock<HashSet<ShopId>>,
}

impl Tenancy {
    /// The suspended shops as stored.
    pub async fn load(store: &SqlStore) -> Result<Self, StoreError> {
        Ok(Tenancy { suspended: RwLock::new(store.suspended_shops().await?.into_iter().collect()) })
    }

    /// Whether the shop is suspended.
    pub fn is_suspended(&self, shop: ShopId) -> bool {
        self.suspended.read().unwrap_or_else(|p| p.into_inner()).contains(&shop)
    }

    /// Mark the shop suspended or not.
    pub fn set_suspended(&self, shop: ShopId, suspended: bool) {
        let mut set = self.suspended.write().unwrap_or_else(|p| p.into_inner());
        if suspended {
            set.insert(shop);
        } else {
            set.remove(&shop);
        }
    }
}

/// 403 `shop_suspended`.
pub fn suspended() -> ApiError {
    ApiError::Refused { status: StatusCode::FORBIDDEN, code: "shop_suspended", message: crate::error::msg("error-shop-suspended") }
}

/// Refuse anything for a suspended shop.
pub fn ensure_open(state: &AppState, shop: ShopId) -> Result<(), ApiError> {
    if state.tenancy.is_suspended(shop) {
        Err(suspended())
    } else {
        Ok(())
    }
}

/// Refuse a login to a suspended shop or a deactivated person.
pub async fn ensure_may_log_in(state: &AppState, user: &User) -> Result<(), ApiError> {
    ensure_open(state, user.shop_id)?;
    let person = state.inbox.store().person(user.shop_id, user.id).await?;
    if person.is_some_and(|p| p.deactivated_at.is_some()) {
        return Err(ApiError::Refused { status: StatusCode::FORBIDDEN, code: "account_deactivated", message: crate::error::msg("error-account-deactivated") });
    }
    Ok(())
}

/// A freshly issued one-time link: the row to store and the secret to hand out once.
pub struct Link {
    /// As stored.
    pub token: OnboardToken,
    /// Only ever in the link.
    pub secret: String,
}

impl Link {
    /// The page it opens, e.g. `/invite?token=…`.
    pub fn path(&self) -> String {
        path_of(self.token.kind, &self.secret)
    }
}

/// The page a link of this kind opens.
pub fn path_of(kind: TokenKind, secret: &str) -> String {
    let page = match kind {
        TokenKind::Setup => "setup",
        TokenKind::Invitation => "invite",
        TokenKind::Reset => "reset",
    };
    format!("/{page}?token={secret}")
}

/// Issue a link; invitations last 7 days, resets a day, the setup link until used.
pub fn issue(kind: TokenKind, shop_id: Option<ShopId>, email: &str, grant: Grant, created_by: Option<UserId>, now: Millis) -> Result<Link, ApiError> {
    let prefix = match kind {
        TokenKind::Setup => "kefu_setup_",
        TokenKind::Invitation => "kefu_inv_",
        TokenKind::Reset => "kefu_rst_",
    };
    let secret = new_secret(prefix).map_err(ApiError::Internal)?;
    let expires_at = match kind {
        TokenKind::Setup => None,
        TokenKind::Invitation => Some(now + rules::INVITATION_TTL_MS),
        TokenKind::Reset => Some(now + rules::RESET_TTL_MS),
    };
    let token = OnboardToken {
        id: CredentialId::new(),
        kind,
        shop_id,
        secret_hash: secret_hash(&secret),
        email: email.to_string(),
        grant,
        created_by,
        created_at: now,
        expires_at,
        used_at: None,
        revoked_at: None,
    };
    Ok(Link { token, secret })
}

/// What a bad link answers: 404 for an unknown one, 410 for a used or expired one; the
/// message (Chinese) says what to do.
pub fn token_error(problem: TokenProblem) -> ApiError {
    let (status, message) = match problem {
        TokenProblem::Unknown => (StatusCode::NOT_FOUND, "error-link-unknown"),
        TokenProblem::Used => (StatusCode::GONE, "error-link-used"),
        TokenProblem::Expired => (StatusCode::GONE, "error-link-expired"),
    };
    ApiError::Refused { status, code: problem.code(), message: crate::error::msg(message) }
}

/// The stored link for a secret, if it can be used now for `kind`.
pub async fn usable(store: &SqlStore, secret: &str, kind: TokenKind, now: Millis) -> Result<OnboardToken, ApiError> {
    let token = store.onboard_token(&secret_hash(secret.trim())).await?.ok_or(token_error(TokenProblem::Unknown))?;
    token.usable(kind, now).map_err(token_error)?;
    Ok(token)
}

/// 409 for an email that already belongs to someone.
pub fn email_taken() -> ApiError {
    ApiError::Refused { status: StatusCode::CONFLICT, code: "email_taken", message: crate::error::msg("error-email-taken") }
}

/// 409 unless the email is free: no account, and no pending invitation of another shop
/// (`own_shop`'s pending ones are replaced by a new invitation).
pub async fn ensure_email_free(store: &SqlStore, email: &str, own_shop: Option<ShopId>, now: Millis) -> Result<(), ApiError> {
    if store.email_taken(email).await? {
        return Err(email_taken());
    }
    let elsewhere = store.invitations_for(email).await?.iter().any(|t| t.pending(now) && (own_shop.is_none() || t.shop_id != own_shop));
    if elsewhere {
        return Err(ApiError::Refused { status: StatusCode::CONFLICT, code: "email_invited", message: crate::error::msg("error-email-invited") });
    }
    Ok(())
}

/// 400 `invalid_request` with a catalogue message.
pub fn invalid(message: kefu_i18n::Message) -> ApiError {
    ApiError::Refused { status: StatusCode::BAD_REQUEST, code: "invalid_request", message }
}

/// A new shop's rows: the shop, its profile and default departments.
pub fn new_shop(name: &str, time_zone: &str, language: &str, now: Millis) -> Result<(Shop, ChangeSet), ApiError> {
    rules::check_new_shop(name, time_zone, language).map_err(invalid)?;
    let key = new_secret("").map_err(ApiError::Internal)?;
    let shop = Shop { id: ShopId::new(), name: name.trim().to_string(), widget_key: format!("w{}", &key[..20]), created_at: now };
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertShop(shop.clone()));
    cs.push(Change::SetShopProfile { shop_id: shop.id, time_zone: time_zone.into(), language: language.into() });
    for d in kefu_core::tickets::defaults::departments(shop.id) {
        cs.push(Change::PutDepartment(d));
    }
    Ok((shop, cs))
}

/// Make a shop whose owner is invited by email (CLI and platform API): the shop and the
/// owner's one-time link, committed together with an audit entry by `actor`.
pub async fn create_shop_for_owner(store: &SqlStore, name: &str, owner_email: &str, time_zone: &str, language: &str, now: Millis, actor: &str) -> Result<(Shop, Link), ApiError> {
    let email = rules::normalise_email(owner_email).map_err(invalid)?;
    ensure_email_free(store, &email, None, now).await?;
    let (shop, mut cs) = new_shop(name, time_zone, language, now)?;
    let grant = Grant { role: Some(Role::Owner), display_name: "店主".into(), ..Grant::default() };
    let link = issue(TokenKind::Invitation, Some(shop.id), &email, grant, None, now)?;
    cs.push(Change::PutOnboardToken(link.token.clone()));
    cs.push(Change::AppendAudit(AuditEntry::by(actor, Some(shop.id), now, "shop_created", Some(format!("shop:{}", shop.id)), serde_json::json!({ "owner_invited": true }))));
    store.apply(cs).await?;
    Ok((shop, link))
}

/// On an empty database with the demo off: a fresh setup link (older ones are withdrawn).
pub async fn setup_link_at_start(store: &SqlStore, demo: bool, now: Millis) -> Result<Option<String>, ApiError> {
    if demo || !store.shops().await?.is_empty() {
        return Ok(None);
    }
    let link = issue(TokenKind::Setup, None, "", Grant::default(), None, now)?;
    let mut cs = ChangeSet::default();
    cs.push(Change::RevokeOnboardTokens { shop_id: None, kind: TokenKind::Setup, id: None, email: None, at: now });
    cs.push(Change::PutOnboardToken(link.token.clone()));
    store.apply(cs).await?;
    Ok(Some(link.path()))
}

/// Where links point: this server as the caller reached it.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("{}://{host}", if state.config.secure_cookies { "https" } else { "http" })
}

/// Put a person's teams, capacity and languages into the routing document (the one place
/// they live): membership of exactly `teams` (unknown ids are refused with 422).
pub async fn set_work_profile(state: &AppState, shop: ShopId, user: UserId, teams: &[String], capacity: Option<u32>, languages: &[String]) -> Result<(), ApiError> {
    let mut config = (*state.inbox.ready(shop).await).clone();
    if let Some(unknown) = teams.iter().find(|t| config.team(t).is_none()) {
        return Err(ApiError::Refused { status: StatusCode::UNPROCESSABLE_ENTITY, code: "unknown_team", message: crate::error::msg("error-team-unknown").arg("team", unknown.to_string()) });
    }
    if capacity.is_some_and(|c| c == 0 || c > 200) {
        return Err(invalid(crate::error::msg("error-capacity")));
    }
    for team in &mut config.teams {
        let wanted = teams.contains(&team.id);
        let has = team.members.contains(&user);
        if wanted && !has {
            team.members.push(user);
        } else if !wanted && has {
            team.members.retain(|m| *m != user);
        }
    }
    let profile = config.agents.entry(user).or_default();
    profile.capacity = capacity;
    profile.languages = languages.to_vec();
    // A version of its own, so a routing page loaded before this change saves with a stale
    // base (409) instead of undoing it.
    let latest = crate::api::versions::latest(state, shop, crate::api::versions::ROUTING).await?;
    let doc = serde_json::to_string(&config).map_err(|e| ApiError::Internal(e.to_string()))?;
    let version = kefu_core::settings_version::next(shop, crate::api::versions::ROUTING, latest, doc, None, "people", state.inbox.now());
    let kept = vec![kefu_core::store::Change::PutSettingVersion(version)];
    state.inbox.put_routing_config_with(shop, config, kept).await.map_err(|e| crate::api::versions::stale_on_race(e, latest))?;
    Ok(())
}

/// Send a link by email when an SMTP relay is configured (in the background: the link is
/// also shown to copy, so a slow relay never blocks the page).
pub fn email_link(state: &AppState, to: &str, subject: &str, text: String) -> bool {
    let mailer = state.channels.email.clone();
    if !mailer.is_configured() {
        return false;
    }
    let out = crate::channels::email::smtp::Outgoing {
        from: "kefu <noreply@kefu.invalid>".into(),
        to: to.to_string(),
        header: kefu_core::channels::email::EmailHeader { message_id: format!("{}@kefu.invalid", CredentialId::new()), subject: subject.into(), references: Vec::new() },
        in_reply_to: None,
        text,
    };
    tokio::spawn(async move {
        if let Err(e) = mailer.send(&out).await {
            tracing::warn!(reason = %e, "sending a link by email failed");
        }
    });
    true
}
