//! Routing: the shop's teams and rules, the live queue, and what agents do with a
//! conversation beyond replying (transfer, accept or decline an offer, end, start one).

use super::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::conversation::Conversation;
use kefu_core::customer::Customer;
use kefu_core::ids::{ConversationId, CustomerId, UserId};
use kefu_core::inbox::TransferTarget;
use kefu_core::message::Message;
use kefu_core::routing::RoutingConfig;
use kefu_core::shop::Presence;
use kefu_core::store::Store;
use serde::{Deserialize, Serialize};

/// The shop's routing configuration (teams, rules, VIP policy, timings).
#[utoipa::path(get, path = "/api/v1/routing", tag = "routing", responses((status = 200, body = RoutingConfig)))]
pub async fn get_config(State(state): State<AppState>, who: Principal) -> Result<Json<RoutingConfig>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json((*state.inbox.ready(who.user.shop_id).await).clone()))
}

/// Replace the routing configuration. Validated whole: nothing changes unless all of it is
/// right; the problems come back with their paths. Each save is kept as a version; with
/// `base_version` a save on top of a newer one answers `409 stale_version`. CSAT on resolve is
/// the shop page's (`PUT /shop`): its value in the body is ignored.
#[utoipa::path(put, path = "/api/v1/routing", tag = "routing", request_body = RoutingConfig, params(super::versions::BaseVersion),
    responses((status = 200, body = RoutingConfig), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_config(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<super::versions::BaseVersion>, ApiJson(config): ApiJson<RoutingConfig>) -> Result<Json<RoutingConfig>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(super::versions::save_routing(&state, &who, config, q.base_version, "edit").await?))
}

/// A team's queue at a glance.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamQueue {
    /// Team id (empty for conversations no team was chosen for).
    pub id: String,
    /// Shown name.
    pub name: String,
    /// How many wait.
    pub waiting: usize,
    /// The longest wait in seconds.
    pub longest_wait_secs: i64,
}

/// One waiting conversation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WaitingView {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Team id, if any.
    pub team_id: Option<String>,
    /// Priority.
    pub priority: i32,
    /// VIP customer.
    pub vip: bool,
    /// Waiting since (ms).
    pub since: i64,
    /// 1-based place in its team's queue.
    pub position: usize,
    /// Expected wait in seconds.
    pub expected_wait_secs: u64,
}

/// One agent at the desk.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SeatView {
    /// Who.
    pub id: UserId,
    /// Shown name.
    pub display_name: String,
    /// online / busy / away / offline.
    pub status: Presence,
    /// Conversations held (offers included).
    pub load: u32,
    /// Most at once.
    pub capacity: u32,
    /// Teams.
    pub teams: Vec<String>,
    /// Given conversations by routing (接待): agents always; others when they switched it on.
    pub takes_chats: bool,
}

/// The live queue: per team, every waiting conversation, and the agents.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueView {
    /// Per team.
    pub teams: Vec<TeamQueue>,
    /// Waiting conversations, highest priority then longest waiting first.
    pub waiting: Vec<WaitingView>,
    /// The shop's agents with status and load.
    pub agents: Vec<SeatView>,
}

/// The live queue of the shop.
#[utoipa::path(get, path = "/api/v1/queue", tag = "routing", responses((status = 200, body = QueueView)))]
pub async fn queue(State(state): State<AppState>, who: Principal) -> Result<Json<QueueView>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let shop = who.user.shop_id;
    let config = state.inbox.ready(shop).await;
    let users = state.inbox.store().users(shop).await?;
    let now = state.inbox.now();
    // 接待 as chosen (the desk knows it only for people whose workspace has opened); agents
    // always take chats, so only the few others are read.
    let mut taking = std::collections::HashMap::new();
    for u in users.iter().filter(|u| u.role != kefu_core::shop::Role::Agent) {
        taking.insert(u.id, state.inbox.seat_choice(u).await.takes_chats_as(u.role));
    }
    let (waiting, agents) = state
        .inbox
        .view_desk(shop, |d| {
            let waiting: Vec<WaitingView> = d
                .waiting()
                .into_iter()
                .map(|w| {
                    let (position, expected_wait_secs) = d.position(w.conversation_id).unwrap_or((0, 0));
                    WaitingView { conversation_id: w.conversation_id, team_id: w.team.clone(), priority: w.priority, vip: w.vip, since: w.since, position, expected_wait_secs }
                })
                .collect();
            let agents: Vec<SeatView> = users
                .into_iter()
                .map(|u| {
                    let seat = d.seat(u.id);
                    let teams = d.teams_of(u.id);
                    SeatView {
                        id: u.id,
                        status: seat.map(|s| s.presence).unwrap_or_default(),
                        load: seat.map(|s| s.load).unwrap_or(0),
                        capacity: seat.map(|s| s.capacity).unwrap_or_else(|| super::onboarding::people::effective_capacity(None, &u)),
                        takes_chats: taking.get(&u.id).copied().unwrap_or(true),
                        display_name: u.display_name,
                        teams,
                    }
                })
                .collect();
            (waiting, agents)
        })
        .await;
    let mut teams: Vec<TeamQueue> = config.teams.iter().map(|t| TeamQueue { id: t.id.clone(), name: t.name.clone(), waiting: 0, longest_wait_secs: 0 }).collect();
    for w in &waiting {
        let id = w.team_id.clone().unwrap_or_default();
        let i = match teams.iter().position(|t| t.id == id) {
            Some(i) => i,
            None => {
                teams.push(TeamQueue { id, name: "全部客服".into(), waiting: 0, longest_wait_secs: 0 });
                teams.len() - 1
            }
        };
        teams[i].waiting += 1;
        teams[i].longest_wait_secs = teams[i].longest_wait_secs.max((now - w.since) / 1000);
    }
    Ok(Json(QueueView { teams, waiting, agents }))
}

/// Where to transfer a conversation: an agent or a team, with a note for them.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// To this agent …
    #[schema(nullable = false)]
    pub agent_id: Option<UserId>,
    /// … or to this team's queue (exactly one of the two).
    #[schema(nullable = false)]
    pub team_id: Option<String>,
    /// A note for the next agent (up to 500 characters; agents only, never the customer).
    pub note: Option<String>,
}

/// Transfer a conversation to another agent or a team.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "conversations", params(("id" = String, Path)), request_body = TransferRequest,
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn transfer(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<TransferRequest>) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    let target = match (req.agent_id, req.team_id) {
        (Some(a), None) => TransferTarget::Agent(a),
        (None, Some(t)) => TransferTarget::Team(t),
        _ => return Err(ApiError::BadRequest(crate::error::msg("error-transfer-target"))),
    };
    Ok(Json(crate::privacy::mask_conversation(&state.inbox.transfer(who.actor(), id, target, req.note).await?)))
}

/// Accept a conversation offered to you.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/accept", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = Conversation), (status = 409, body = ErrorBody)))]
pub async fn accept(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    Ok(Json(crate::privacy::mask_conversation(&state.inbox.accept_offer(who.actor(), id).await?)))
}

/// Decline a conversation offered to you; it goes to someone else.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/decline", tag = "conversations", params(("id" = String, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn decline(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<axum::http::StatusCode, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    state.inbox.decline_offer(who.actor(), id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// End a conversation for good.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/close", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    Ok(Json(crate::privacy::mask_conversation(&state.inbox.close(who.actor(), id).await?)))
}

/// An agent writes to a customer first.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// The customer.
    pub customer_id: CustomerId,
    /// The first message (not blank, up to 8 KiB).
    #[schema(pattern = r"\S")]
    pub content: String,
    /// The sender's id for the message (resends are stored once): 1-100 printable ASCII.
    #[schema(pattern = r"^[!-~]{1,100}$")]
    pub client_id: Option<String>,
}

/// The message written and its conversation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Started {
    /// The conversation, assigned to the agent.
    pub conversation: Conversation,
    /// The message.
    pub message: Message,
}

/// Start a conversation with a customer (proactive), or write into their open one.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "conversations", request_body = StartRequest,
    responses((status = 201, body = Started), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<StartRequest>) -> Result<(axum::http::StatusCode, Json<Started>), ApiError> {
    who.require(Scope::ConversationsWrite)?;
    crate::privacy::check_outbound(&state.words.for_shop(who.user.shop_id), &req.content, false)?;
    let d = state.inbox.start_conversation(who.actor(), req.customer_id, &req.content, req.client_id.as_deref()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(Started { conversation: crate::privacy::mask_conversation(&d.conversation), message: d.message })))
}

/// A customer's tags.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsRequest {
    /// The tags (`VIP` makes the customer VIP for routing).
    pub tags: Vec<String>,
}

/// Replace a customer's tags.
#[utoipa::path(put, path = "/api/v1/customers/{id}/tags", tag = "customers", params(("id" = String, Path)), request_body = TagsRequest,
    responses((status = 200, body = Customer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_tags(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<TagsRequest>) -> Result<Json<Customer>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    Ok(Json(state.inbox.set_customer_tags(who.user.shop_id, id, req.tags).await?))
}
