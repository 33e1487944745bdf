//! Customers and agents of the shop.

use super::auth::{user_view, UserView};
use super::{parse_id, ApiJson};
use crate::security::audit;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::customer::{Customer, Identity};
use kefu_core::ids::{CustomerId, UserId};
use kefu_core::shop::Role;
use kefu_core::store::{Change, ChangeSet, Store};
use serde::Serialize;

/// A customer with their channel identities.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    /// The customer (PII in the name masked).
    #[serde(flatten)]
    pub customer: Customer,
    /// Where they can be reached; PII in external ids (email addresses) masked.
    pub identities: Vec<Identity>,
    /// How many values in `identities` were masked (`POST /customers/{id}/reveal` with index
    /// 0..n).
    pub pii_masked: usize,
    /// Recency, frequency, monetary value over the VIP window, and the tier.
    pub rfm: kefu_core::routing::Rfm,
    /// What they answered in the widget's pre-chat form (phone and email masked).
    pub prechat: Vec<PrechatLine>,
}

/// One answer of the pre-chat form, in the merchant's words.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrechatLine {
    /// `phone`, `email` or `order`.
    pub field: String,
    /// The field in the reader's words (手机号, 邮箱, 订单号 in Chinese).
    pub label: String,
    /// The answer; phone numbers and email addresses masked like message text.
    pub value: String,
}

/// A customer's pre-chat answers for agents (the name is the customer's name, not repeated).
pub async fn prechat_lines(state: &AppState, shop: kefu_core::ids::ShopId, id: CustomerId, lang: kefu_i18n::Lang) -> Result<Vec<PrechatLine>, ApiError> {
    let Some(doc) = state.inbox.store().customer_prechat(shop, id).await? else { return Ok(Vec::new()) };
    // An unreadable document (a newer kefu's) shows nothing rather than failing the card.
    let answers: kefu_core::prechat::Answers = serde_json::from_str(&doc).unwrap_or_default();
    let lines = [("phone", answers.phone), ("email", answers.email), ("order", answers.order)];
    Ok(lines
        .into_iter()
        .filter_map(|(field, value)| {
            let label = kefu_i18n::render(lang, &format!("workspace-prechat-{field}"));
            value.map(|v| PrechatLine { field: field.into(), label, value: kefu_nlp::pii::mask(&v) })
        })
        .collect())
}

/// The shop's back-office users.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AgentList {
    /// Users with their live status.
    pub agents: Vec<UserView>,
}

/// One customer of the shop.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerView), (status = 404, body = ErrorBody)))]
pub async fn customer(State(state): State<AppState>, who: Principal, super::reader::Reader(lang): super::reader::Reader, Path(id): Path<String>) -> Result<Json<CustomerView>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let store = state.inbox.store();
    let mut customer = store.customer(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let mut identities = store.identities_of(who.user.shop_id, id).await?;
    let rfm = state.inbox.rfm_of(&customer).await;
    // Agents see addresses masked like message text; the name too (it can be an address).
    customer.display_name = kefu_nlp::pii::mask(&customer.display_name);
    let pii_masked = crate::privacy::documents::mask_identities(&mut identities);
    let prechat = prechat_lines(&state, who.user.shop_id, id, lang).await?;
    Ok(Json(CustomerView { customer, identities, pii_masked, rfm, prechat }))
}

/// Reveal one masked value of a customer's identities (scope `pii:reveal`); every reveal is
/// audited with the customer, the kind and the index, never the value.
#[utoipa::path(post, path = "/api/v1/customers/{id}/reveal", tag = "compliance", params(("id" = String, Path)), request_body = super::privacy::RevealRequest,
    responses((status = 200, body = super::privacy::Revealed), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<super::privacy::RevealRequest>) -> Result<Json<super::privacy::Revealed>, ApiError> {
    who.require(Scope::PiiReveal)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let store = state.inbox.store();
    store.customer(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let identities = store.identities_of(who.user.shop_id, id).await?;
    let (kind, value) = crate::privacy::documents::identity_value(&identities, req.index).ok_or(ApiError::NotFound("masked value"))?;
    let detail = serde_json::json!({ "kind": kind, "index": req.index });
    audit::record(&state, audit::entry(&state, &who, "pii_revealed", Some(format!("customer:{id}")), detail)).await?;
    Ok(Json(super::privacy::Revealed { kind, value }))
}

/// The shop's agents, supervisors, admins and owner with their presence.
#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", responses((status = 200, body = AgentList), (status = 401, body = ErrorBody)))]
pub async fn agents(State(state): State<AppState>, who: Principal) -> Result<Json<AgentList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let users = state.inbox.store().users(who.user.shop_id).await?;
    // Capacity lives in the routing document (see docs/ARCHITECTURE.md, People).
    let config = state.inbox.ready(who.user.shop_id).await;
    let agents = users
        .into_iter()
        .map(|mut u| {
            u.capacity = super::onboarding::people::effective_capacity(config.agents.get(&u.id).and_then(|p| p.capacity), &u);
            user_view(&state, u)
        })
        .collect();
    Ok(Json(AgentList { agents }))
}

/// A role change.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `owner`, `admin`, `supervisor` or `agent`.
    pub role: Role,
}

/// Change a user's role (scope `people:manage`). Nobody changes their own role; only an
/// owner grants or takes away ownership; the shop always keeps an owner.
#[utoipa::path(put, path = "/api/v1/agents/{id}/role", tag = "agents", params(("id" = String, Path)), request_body = RoleChange,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn set_role(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<RoleChange>) -> Result<Json<UserView>, ApiError> {
    who.require(Scope::PeopleManage)?;
    let id: UserId = parse_id(&id, "user")?;
    let store = state.inbox.store();
    let mut target = store.user(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("user"))?;
    if target.id == who.user.id {
        return Err(ApiError::Forbidden(crate::error::msg("error-role-self")));
    }
    if (target.role == Role::Owner || req.role == Role::Owner) && who.user.role != Role::Owner {
        return Err(ApiError::Forbidden(crate::error::msg("error-role-owner")));
    }
    let from = target.role;
    if from == req.role {
        return Ok(Json(user_view(&state, target)));
    }
    if from == Role::Owner {
        let active = super::onboarding::people::active_people(&state, who.user.shop_id).await?;
        if kefu_core::onboarding::leaves_no_owner(&active, target.id) {
            return Err(super::onboarding::people::last_owner());
        }
    }
    let mut cs = ChangeSet::default();
    cs.push(Change::SetUserRole { shop_id: who.user.shop_id, user_id: id, role: req.role });
    let detail = serde_json::json!({ "from": from.as_str(), "to": req.role.as_str() });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "role_changed", Some(format!("user:{id}")), detail)));
    store.apply(cs).await?;
    target.role = req.role;
    // 接待 depends on the role (agents always take chats): a person at work now follows the
    // new role at once instead of at their next connect.
    if state.hub.has_agent(target.shop_id, target.id) {
        let presence = state.inbox.presence(target.shop_id, target.id);
        state.inbox.set_presence(&target, presence).await;
    }
    Ok(Json(user_view(&state, target)))
}

/// Which customer to merge into this one.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The customer merged away: their identities write into this customer's dialogue.
    pub from: CustomerId,
}

/// Merge another customer into this one (same person on another channel).
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", params(("id" = String, Path)), request_body = MergeRequest,
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn merge(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<MergeRequest>) -> Result<Json<Customer>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    // An unknown or foreign customer on either side answers 404 from the inbox.
    Ok(Json(state.inbox.merge_customers(who.user.shop_id, id, req.from, Some(who.user.id), "manual").await?))
}

/// Undo the merge of this customer into another.
#[utoipa::path(post, path = "/api/v1/customers/{id}/unmerge", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unmerge(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Customer>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    Ok(Json(state.inbox.unmerge_customer(who.user.shop_id, id, who.user.id).await?))
}

/// A customer's whole dialogue across channels and merged identities.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Dialogue {
    /// Oldest first; each message says its channel. PII masked, sensitive words flagged.
    pub messages: Vec<crate::privacy::MessageView>,
}

/// The customer's dialogue across every channel and merged identity (the last 500 messages).
#[utoipa::path(get, path = "/api/v1/customers/{id}/dialogue", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Dialogue), (status = 404, body = ErrorBody)))]
pub async fn dialogue(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Dialogue>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let shop = who.user.shop_id;
    let words = state.words.for_shop(shop);
    let messages = state.inbox.dialogue(shop, id, 500).await?.iter().map(|m| crate::privacy::message_view(m, &words)).collect();
    Ok(Json(Dialogue { messages }))
}
