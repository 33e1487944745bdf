//! The API channel: any system delivers customer messages with a bearer token.

use super::ApiJson;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::conversation::Conversation;
use kefu_core::customer::Channel;
use kefu_core::inbox::MergeKey;
use kefu_core::message::Message;
use serde::{Deserialize, Serialize};

/// A customer message from an integration.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundMessage {
    /// The integration's id for the customer (1-200 bytes of UTF-8).
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: String,
    /// Name to show agents (first message only).
    pub display_name: Option<String>,
    /// Text (not blank, up to 8 KiB).
    #[schema(pattern = r"\S")]
    pub content: String,
    /// The integration's id for the message (1-100 printable ASCII); redelivery with the same
    /// id is stored once.
    #[schema(pattern = r"^[!-~]{1,100}$")]
    pub client_id: Option<String>,
    /// The channel the message came on: `api` (default), `dm`, `comment`, `order_message`
    /// or `live`. The widget and email have their own endpoints.
    pub channel: Option<Channel>,
    /// The platform's id of the person across its apps; messages with the same union id are
    /// one customer.
    pub union_id: Option<String>,
    /// A phone number the platform verified; merges customers like a union id.
    pub verified_phone: Option<String>,
    /// An email address the platform verified; merges customers like a union id.
    pub verified_email: Option<String>,
}

/// Where the message landed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InboundResult {
    /// The stored message.
    pub message: Message,
    /// Its conversation.
    pub conversation: Conversation,
}

/// Deliver a customer message (scope `inbound:write`). 201 when stored now, 200 for a
/// redelivery of a stored message.
#[utoipa::path(post, path = "/api/v1/inbound/messages", tag = "channels", request_body = InboundMessage,
    responses((status = 201, body = InboundResult), (status = 200, body = InboundResult), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn message(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(req): ApiJson<InboundMessage>,
) -> Result<(StatusCode, Json<InboundResult>), ApiError> {
    who.require(Scope::InboundWrite)?;
    let shop = who.user.shop_id;
    let channel = req.channel.unwrap_or(Channel::Api);
    if matches!(channel, Channel::Widget | Channel::Email) {
        return Err(ApiError::BadRequest(crate::error::msg("error-channel-own-endpoint").arg("channel", channel.as_str())));
    }
    let (customer, _) = state
        .inbox
        .customer_for(shop, channel, req.external_id.trim(), req.display_name.as_deref().unwrap_or(""))
        .await?;
    let keys: Vec<MergeKey> = [
        req.union_id.map(MergeKey::UnionId),
        req.verified_phone.map(MergeKey::Phone),
        req.verified_email.map(MergeKey::Email),
    ]
    .into_iter()
    .flatten()
    .collect();
    let customer = if keys.is_empty() { customer } else { state.inbox.link_keys(shop, customer, &keys).await? };
    crate::security::limits::admit_customer_message(&state, shop, customer.id).await?;
    let d = state.inbox.customer_message(shop, customer.id, channel, &req.content, req.client_id.as_deref()).await?;
    if !d.duplicate {
        crate::privacy::note_inbound(&state, shop, customer.id, &req.content).await?;
    }
    let status = if d.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(InboundResult { message: d.message, conversation: d.conversation })))
}
