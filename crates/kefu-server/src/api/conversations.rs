//! Conversations and their messages, as agents use them.

use super::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::privacy::{check_outbound, mask_conversation, message_view, MessageView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::conversation::{Conversation, Status};
use kefu_core::ids::{ConversationId, UserId};
use kefu_core::message::Message;
use kefu_core::store::{ConversationFilter, Store};
use serde::{Deserialize, Serialize};

/// Filters for the conversation list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Comma-separated statuses, e.g. `queued,assigned` (default: all).
    pub status: Option<String>,
    /// `me` or an agent id.
    pub assignee: Option<String>,
    /// At most this many (default 50, max 500).
    pub limit: Option<u32>,
}

/// A page of conversations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationList {
    /// Most recently active first.
    pub conversations: Vec<Conversation>,
}

/// Paging through messages.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// Only messages with a higher sequence number.
    pub after_seq: Option<i64>,
    /// At most this many (default 200, max 1000).
    pub limit: Option<u32>,
}

/// Messages, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// The messages, PII masked, sensitive words flagged.
    pub messages: Vec<MessageView>,
}

/// An agent's reply.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Text (up to 8 KiB).
    pub content: String,
    /// The sender's id for the message; a resend with the same id is stored once.
    pub client_id: Option<String>,
    /// Send despite a sensitive-word warning (`sensitive_warning`); blocked words never pass.
    #[serde(default)]
    pub confirm: bool,
}

/// Whom to assign to.
#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The agent (default: the caller).
    pub agent_id: Option<UserId>,
}

async fn load(state: &AppState, who: &Principal, id: &str) -> Result<Conversation, ApiError> {
    let id: ConversationId = parse_id(id, "conversation")?;
    state.inbox.store().conversation(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("conversation"))
}

/// List the shop's conversations.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery),
    responses((status = 200, body = ConversationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConversationList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let statuses = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| Status::parse(s.trim()).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-status-unknown").arg("status", s.to_string()))))
            .collect::<Result<_, _>>()?,
    };
    let agent_id = match q.assignee.as_deref() {
        None | Some("") => None,
        Some("me") => Some(who.user.id),
        Some(other) => Some(other.parse().map_err(|_| ApiError::BadRequest(crate::error::msg("error-assignee").arg("assignee", other.to_string())))?),
    };
    let filter = ConversationFilter { statuses, agent_id, limit: q.limit.unwrap_or(50) };
    let conversations = state.inbox.store().conversations(who.user.shop_id, &filter).await?;
    Ok(Json(ConversationList { conversations: conversations.iter().map(mask_conversation).collect() }))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)))]
pub async fn get_one(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(mask_conversation(&load(&state, &who, &id).await?)))
}

/// Messages of a conversation, oldest first.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = String, Path), MessagesQuery),
    responses((status = 200, body = MessageList), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Json<MessageList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let c = load(&state, &who, &id).await?;
    let messages = state
        .inbox
        .store()
        .messages_of_conversation(who.user.shop_id, c.id, q.after_seq.unwrap_or(0), q.limit.unwrap_or(200))
        .await?;
    let words = state.words.for_shop(who.user.shop_id);
    Ok(Json(MessageList { messages: messages.iter().map(|m| message_view(m, &words)).collect() }))
}

/// Reply to the customer. 201 for a new message, 200 for a resend of a stored one.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = String, Path)), request_body = ReplyRequest,
    responses((status = 201, body = Message), (status = 200, body = Message), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    check_outbound(&state.words.for_shop(who.user.shop_id), &req.content, req.confirm).inspect_err(|_| {
        state.metrics.sensitive_outbound.inc();
    })?;
    let d = state.inbox.agent_message(who.actor(), id, &req.content, req.client_id.as_deref()).await?;
    let status = if d.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(d.message)))
}

/// Take a waiting conversation, or (supervisors) give one to an agent.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/assign", tag = "conversations", params(("id" = String, Path)), request_body = AssignRequest,
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    // An empty body means "assign to me".
    let req: AssignRequest = if body.iter().all(u8::is_ascii_whitespace) {
        AssignRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(crate::error::msg("error-json-body").arg("reason", e.to_string())))?
    };
    Ok(Json(mask_conversation(&state.inbox.assign(who.actor(), id, req.agent_id).await?)))
}

/// Resolve a conversation.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/resolve", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resolve(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Conversation>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    Ok(Json(mask_conversation(&state.inbox.resolve(who.actor(), id).await?)))
}
