//! Internal notes on a conversation: for colleagues, never for the customer.

use super::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::ConversationId;
use kefu_core::message::Message;
use serde::Deserialize;

/// A note.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Text (up to 8 KiB).
    pub text: String,
    /// The sender's id for the note; a resend with the same id is stored once.
    pub client_id: Option<String>,
}

/// Add an internal note: stored in the dialogue (sender kind `note`), shown to agents, never
/// sent to the customer's widget or any channel. No sensitive-word check: nothing leaves.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "conversations", params(("id" = String, Path)), request_body = NoteRequest,
    responses((status = 201, body = Message), (status = 200, body = Message), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: ConversationId = parse_id(&id, "conversation")?;
    let d = state.inbox.agent_note(who.actor(), id, &req.text, req.client_id.as_deref()).await?;
    let status = if d.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(d.message)))
}
