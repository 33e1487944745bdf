//! Managing the shop's people (owners and admins, scope `people:manage`): invitations,
//! editing, deactivating, password-reset links, unlocking a login. Everything is audited.

use crate::api::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::onboarding::{self, invalid, Link};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::clock::Millis;
use kefu_core::ids::{CredentialId, UserId};
use kefu_core::onboarding::{leaves_no_owner, normalise_email, Grant, OnboardToken, TokenKind};
use kefu_core::shop::{Presence, Role, User};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A person as the People page shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonView {
    /// Id.
    pub id: UserId,
    /// Login email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// `active` or `deactivated`.
    pub state: &'static str,
    /// Live presence.
    pub presence: Presence,
    /// Teams (技能组) from the routing document.
    pub teams: Vec<String>,
    /// Most conversations at once (the routing document's, else the default).
    pub capacity: u32,
    /// Languages spoken (empty: any).
    pub languages: Vec<String>,
    /// Last login or workspace connection.
    pub last_seen_at: Option<Millis>,
    /// Whether the login is locked after failed attempts.
    pub locked: bool,
}

/// A pending invitation (the link itself is shown only when issued).
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    /// Id.
    pub id: CredentialId,
    /// Who is invited.
    pub email: String,
    /// Role, teams, capacity, languages.
    pub grant: Grant,
    /// Issued.
    pub created_at: Millis,
    /// Valid until.
    pub expires_at: Option<Millis>,
}

/// The shop's people and pending invitations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PeopleList {
    /// Everyone, in joining order.
    pub people: Vec<PersonView>,
    /// Pending invitations, newest first.
    pub invitations: Vec<InvitationView>,
    /// Teams that can be chosen: id and name.
    pub teams: Vec<TeamChoice>,
}

/// A team to choose.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamChoice {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A link just issued, to copy (and e-mailed when SMTP is configured).
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedLink {
    /// The invitation, for invitations.
    pub invitation: Option<InvitationView>,
    /// The full link; shown once.
    pub link: String,
    /// Whether it was also sent by email.
    pub emailed: bool,
}

fn invitation_view(t: &OnboardToken) -> InvitationView {
    InvitationView { id: t.id, email: t.email.clone(), grant: t.grant.clone(), created_at: t.created_at, expires_at: t.expires_at }
}

/// The shop's people with role, status, teams, capacity and last seen; and pending invitations.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", responses((status = 200, body = PeopleList), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal) -> Result<Json<PeopleList>, ApiError> {
    who.require(Scope::PeopleManage)?;
    let shop = who.user.shop_id;
    let store = state.inbox.store();
    let config = state.inbox.ready(shop).await;
    let now = state.inbox.now();
    let people = store
        .people(shop)
        .await?
        .into_iter()
        .map(|p| {
            let u = &p.user;
            let profile = config.agents.get(&u.id);
            PersonView {
                id: u.id,
                email: u.email.clone(),
                display_name: u.display_name.clone(),
                role: u.role,
                state: if p.deactivated_at.is_some() { "deactivated" } else { "active" },
                presence: state.inbox.presence(shop, u.id),
                teams: config.teams.iter().filter(|t| t.members.contains(&u.id)).map(|t| t.id.clone()).collect(),
                capacity: effective_capacity(profile.and_then(|p| p.capacity), u),
                languages: profile.map(|p| p.languages.clone()).unwrap_or_default(),
                last_seen_at: p.last_seen_at,
                locked: state.guards.login_locked(&u.email, now),
            }
        })
        .collect();
    let invitations = store.onboard_tokens(shop, TokenKind::Invitation).await?.iter().filter(|t| t.pending(now)).map(invitation_view).collect();
    let teams = config.teams.iter().map(|t| TeamChoice { id: t.id.clone(), name: t.name.clone() }).collect();
    Ok(Json(PeopleList { people, invitations, teams }))
}

/// The one capacity the desk uses: the routing document's, else the account's, else 10.
pub fn effective_capacity(from_routing: Option<u32>, user: &User) -> u32 {
    from_routing.unwrap_or(if user.capacity == 0 { 10 } else { user.capacity })
}

/// An invitation to issue.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Their email (their login).
    #[schema(pattern = r"^[^\s\x00-\x1f\x7f-\x9f<>,;@]+@[^\s\x00-\x1f\x7f-\x9f<>,;@.][^\s\x00-\x1f\x7f-\x9f<>,;@]*\.[^\s\x00-\x1f\x7f-\x9f<>,;@]*[^\s\x00-\x1f\x7f-\x9f<>,;@.]$", max_length = 254)]
    pub email: String,
    /// Role on joining (only an owner invites an owner).
    pub role: Role,
    /// A suggested display name.
    #[serde(default)]
    pub display_name: String,
    /// Teams (技能组) ids.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Most conversations at once.
    #[schema(minimum = 1, maximum = 200)]
    pub capacity: Option<u32>,
    /// Languages spoken.
    #[serde(default)]
    pub languages: Vec<String>,
}

fn may_grant(who: &Principal, role: Role) -> Result<(), ApiError> {
    if role == Role::Owner && who.user.role != Role::Owner {
        return Err(ApiError::Forbidden(crate::error::msg("error-invite-owner")));
    }
    Ok(())
}

/// Invite someone: a single-use link valid 7 days, answered to copy and e-mailed when SMTP
/// is configured. 409 when the email already has an account.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "people", request_body = InviteRequest,
    responses((status = 201, body = IssuedLink), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(State(state): State<AppState>, who: Principal, headers: HeaderMap, ApiJson(req): ApiJson<InviteRequest>) -> Result<(StatusCode, Json<IssuedLink>), ApiError> {
    who.require(Scope::PeopleManage)?;
    may_grant(&who, req.role)?;
    let shop = who.user.shop_id;
    let email = normalise_email(&req.email).map_err(invalid)?;
    onboarding::ensure_email_free(state.inbox.store(), &email, Some(shop), state.inbox.now()).await?;
    let config = state.inbox.ready(shop).await;
    if let Some(unknown) = req.teams.iter().find(|t| config.team(t).is_none()) {
        return Err(ApiError::Refused { status: StatusCode::UNPROCESSABLE_ENTITY, code: "unknown_team", message: crate::error::msg("error-team-unknown").arg("team", unknown.to_string()) });
    }
    if req.capacity.is_some_and(|c| c == 0 || c > 200) {
        return Err(invalid(crate::error::msg("error-capacity")));
    }
    let grant = Grant { role: Some(req.role), display_name: req.display_name.trim().chars().take(40).collect(), teams: req.teams, capacity: req.capacity, languages: req.languages, user_id: None };
    let issued = send_invitation(&state, &who, &headers, &email, grant).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Issue an invitation (withdrawing older pending ones for the same email), audit, email.
async fn send_invitation(state: &AppState, who: &Principal, headers: &HeaderMap, email: &str, grant: Grant) -> Result<IssuedLink, ApiError> {
    let now = state.inbox.now();
    let shop = who.user.shop_id;
    let link = onboarding::issue(TokenKind::Invitation, Some(shop), email, grant, Some(who.user.id), now)?;
    let mut cs = ChangeSet::default();
    cs.push(Change::RevokeOnboardTokens { shop_id: Some(shop), kind: TokenKind::Invitation, id: None, email: Some(email.to_string()), at: now });
    cs.push(Change::PutOnboardToken(link.token.clone()));
    let role = link.token.grant.role.map(|r| r.as_str()).unwrap_or("agent");
    cs.push(Change::AppendAudit(audit::entry(state, who, "person_invited", Some(format!("invitation:{}", link.token.id)), json!({ "role": role }))));
    state.inbox.store().apply(cs).await?;
    let url = format!("{}{}", onboarding::base_url(state, headers), link.path());
    let shop_name = state.inbox.store().shop(shop).await?.map(|s| s.name).unwrap_or_default();
    let emailed = onboarding::email_link(
        state,
        email,
        &format!("邀请你加入「{shop_name}」的客服团队"),
        format!("你好！\n\n{} 邀请你加入「{shop_name}」的客服团队。打开下面的链接设置密码即可开始工作（7 天内有效，只能用一次）：\n\n{url}\n", who.user.display_name),
    );
    Ok(IssuedLink { invitation: Some(invitation_view(&link.token)), link: url, emailed })
}

async fn pending_invitation(state: &AppState, who: &Principal, id: &str) -> Result<OnboardToken, ApiError> {
    let id: CredentialId = parse_id(id, "invitation")?;
    let now = state.inbox.now();
    state
        .inbox
        .store()
        .onboard_tokens(who.user.shop_id, TokenKind::Invitation)
        .await?
        .into_iter()
        .find(|t| t.id == id && t.pending(now))
        .ok_or(ApiError::NotFound("invitation"))
}

/// Send a pending invitation again: a new link (the old one stops working), 7 more days.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = IssuedLink), (status = 404, body = ErrorBody)))]
pub async fn resend(State(state): State<AppState>, who: Principal, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<IssuedLink>, ApiError> {
    who.require(Scope::PeopleManage)?;
    let old = pending_invitation(&state, &who, &id).await?;
    may_grant(&who, old.grant.role.unwrap_or(Role::Agent))?;
    Ok(Json(send_invitation(&state, &who, &headers, &old.email, old.grant).await?))
}

/// Withdraw a pending invitation.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    who.require(Scope::PeopleManage)?;
    let old = pending_invitation(&state, &who, &id).await?;
    let mut cs = ChangeSet::default();
    cs.push(Change::RevokeOnboardTokens { shop_id: Some(who.user.shop_id), kind: TokenKind::Invitation, id: Some(old.id), email: None, at: state.inbox.now() });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "invitation_revoked", Some(format!("invitation:{}", old.id)), json!({}))));
    state.inbox.store().apply(cs).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person of the caller's shop whom the caller may manage: never themselves, and owners
/// only by an owner.
async fn managed(state: &AppState, who: &Principal, id: &str) -> Result<kefu_store::onboarding::Person, ApiError> {
    who.require(Scope::PeopleManage)?;
    let id: UserId = parse_id(id, "user")?;
    let person = state.inbox.store().person(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("user"))?;
    if person.user.role == Role::Owner && who.user.role != Role::Owner {
        return Err(ApiError::Forbidden(crate::error::msg("error-manage-owner")));
    }
    Ok(person)
}

/// An edit of a person: any field left out stays.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonEdit {
    /// New display name.
    pub display_name: Option<String>,
    /// Teams (技能组) ids: exactly these.
    pub teams: Option<Vec<String>>,
    /// Most conversations at once (none clears it back to the default).
    pub capacity: Option<u32>,
    /// Languages spoken.
    pub languages: Option<Vec<String>>,
}

/// Rename a person, or set their teams, capacity and languages (kept in the routing document).
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonEdit,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<PersonEdit>) -> Result<StatusCode, ApiError> {
    let person = managed(&state, &who, &id).await?;
    let (shop, user) = (who.user.shop_id, person.user.id);
    if let Some(name) = &req.display_name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(invalid(crate::error::msg("error-display-name")));
        }
        let mut cs = ChangeSet::default();
        cs.push(Change::RenameUser { shop_id: shop, user_id: user, display_name: name.into() });
        cs.push(Change::AppendAudit(audit::entry(&state, &who, "person_renamed", Some(format!("user:{user}")), json!({}))));
        state.inbox.store().apply(cs).await?;
    }
    if req.teams.is_some() || req.capacity.is_some() || req.languages.is_some() {
        let config = state.inbox.ready(shop).await;
        let teams = req.teams.unwrap_or_else(|| config.teams.iter().filter(|t| t.members.contains(&user)).map(|t| t.id.clone()).collect());
        let languages = req.languages.unwrap_or_else(|| config.agents.get(&user).map(|p| p.languages.clone()).unwrap_or_default());
        let capacity = req.capacity.or_else(|| config.agents.get(&user).and_then(|p| p.capacity));
        onboarding::set_work_profile(&state, shop, user, &teams, capacity, &languages).await?;
        let detail = json!({ "teams": teams, "capacity": capacity, "languages": languages });
        audit::record(&state, audit::entry(&state, &who, "person_work_changed", Some(format!("user:{user}")), detail)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivate a person: their sessions, sockets and tokens end at once, their open
/// conversations go back to routing, their history stays. The last owner stays.
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn deactivate(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let person = managed(&state, &who, &id).await?;
    let user = person.user;
    if user.id == who.user.id {
        return Err(ApiError::Forbidden(crate::error::msg("error-deactivate-self")));
    }
    if person.deactivated_at.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    let active = active_people(&state, who.user.shop_id).await?;
    if leaves_no_owner(&active, user.id) {
        return Err(last_owner());
    }
    let now = state.inbox.now();
    let mut cs = ChangeSet::default();
    cs.push(Change::SetUserDeactivated { shop_id: user.shop_id, user_id: user.id, at: Some(now) });
    cs.push(Change::EndUserCredentials { shop_id: user.shop_id, user_id: user.id, at: now });
    cs.push(Change::RevokeOnboardTokens { shop_id: Some(user.shop_id), kind: TokenKind::Reset, id: None, email: Some(user.email.clone()), at: now });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "person_deactivated", Some(format!("user:{}", user.id)), json!({}))));
    state.inbox.store().apply(cs).await?;
    state.hub.drop_agent(user.shop_id, user.id);
    state.inbox.set_presence(&user, Presence::Offline).await;
    let moved = state.inbox.release_agent(who.actor(), user.id).await?;
    tracing::info!(user = %user.id, moved, "person deactivated");
    Ok(StatusCode::NO_CONTENT)
}

/// Let a deactivated person log in again (with their old password, or a reset link).
#[utoipa::path(post, path = "/api/v1/people/{id}/reactivate", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reactivate(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let person = managed(&state, &who, &id).await?;
    if person.deactivated_at.is_none() {
        return Ok(StatusCode::NO_CONTENT);
    }
    let user = person.user;
    let mut cs = ChangeSet::default();
    cs.push(Change::SetUserDeactivated { shop_id: user.shop_id, user_id: user.id, at: None });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "person_reactivated", Some(format!("user:{}", user.id)), json!({}))));
    state.inbox.store().apply(cs).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issue a one-time password-reset link (valid a day) to copy, e-mailed when SMTP is set.
#[utoipa::path(post, path = "/api/v1/people/{id}/password-reset", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = IssuedLink), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn password_reset(State(state): State<AppState>, who: Principal, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<IssuedLink>, ApiError> {
    let person = managed(&state, &who, &id).await?;
    if person.deactivated_at.is_some() {
        return Err(ApiError::Refused { status: StatusCode::CONFLICT, code: "account_deactivated", message: crate::error::msg("error-reset-deactivated") });
    }
    let user = person.user;
    let now = state.inbox.now();
    let grant = Grant { user_id: Some(user.id), display_name: user.display_name.clone(), ..Grant::default() };
    let link: Link = onboarding::issue(TokenKind::Reset, Some(user.shop_id), &user.email, grant, Some(who.user.id), now)?;
    let mut cs = ChangeSet::default();
    cs.push(Change::RevokeOnboardTokens { shop_id: Some(user.shop_id), kind: TokenKind::Reset, id: None, email: Some(user.email.clone()), at: now });
    cs.push(Change::PutOnboardToken(link.token.clone()));
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "password_reset_issued", Some(format!("user:{}", user.id)), json!({}))));
    state.inbox.store().apply(cs).await?;
    let url = format!("{}{}", onboarding::base_url(&state, &headers), link.path());
    let emailed = onboarding::email_link(&state, &user.email, "重置你的客服账号密码", format!("你好，{}：\n\n打开下面的链接设置新密码（24 小时内有效，只能用一次）：\n\n{url}\n", user.display_name));
    Ok(Json(IssuedLink { invitation: None, link: url, emailed }))
}

/// Unlock a login locked after failed attempts.
#[utoipa::path(post, path = "/api/v1/people/{id}/unlock", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let person = managed(&state, &who, &id).await?;
    state.guards.unlock_account(&person.user.email);
    audit::record(&state, audit::entry(&state, &who, "login_unlocked", Some(format!("user:{}", person.user.id)), json!({}))).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's active people.
pub async fn active_people(state: &AppState, shop: kefu_core::ids::ShopId) -> Result<Vec<User>, ApiError> {
    Ok(state.inbox.store().people(shop).await?.into_iter().filter(|p| p.deactivated_at.is_none()).map(|p| p.user).collect())
}

/// 409: the shop must keep an active owner.
pub fn last_owner() -> ApiError {
    ApiError::Refused { status: StatusCode::CONFLICT, code: "last_owner", message: crate::error::msg("error-last-owner") }
}
