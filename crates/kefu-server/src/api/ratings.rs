//! A conversation's rating in the merchant's words: stars on the shop's scale and the
//! customer's comment (PII masked), for the workspace, history and the customer profile.

use super::extract::parse_id;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::ids::{ConversationId, ShopId};
use kefu_core::store::Store;
use serde::Serialize;
use std::collections::HashMap;

/// How the customer rated a conversation.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct RatingLine {
    /// Stars given, 1 to `scale`.
    pub stars: u8,
    /// The shop's scale when it was rated.
    pub scale: u8,
    /// The customer's comment, PII masked; none when they gave only stars.
    pub comment: Option<String>,
    /// When (ms).
    pub rated_at: i64,
}

/// A conversation's rating, if the customer gave one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationRating {
    /// The latest rating; none before the customer rated.
    pub rating: Option<RatingLine>,
}

/// The latest rating of each conversation that has one, by conversation id.
pub async fn ratings_of(state: &AppState, shop: ShopId, conversations: &[ConversationId]) -> Result<HashMap<ConversationId, RatingLine>, ApiError> {
    let store = state.inbox.store();
    let mut out = HashMap::new();
    for r in store.ratings(shop, conversations).await? {
        let comment = match r.comment_id {
            Some(id) => store.message(shop, id).await?.and_then(|m| kefu_core::csat::comment_of(&m.content)),
            None => None,
        };
        let line = RatingLine { stars: r.stars, scale: r.scale, comment: comment.map(|c| kefu_nlp::pii::mask(&c)), rated_at: r.at };
        out.insert(r.conversation_id, line);
    }
    Ok(out)
}

/// The customer's rating of one conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/rating", tag = "conversations", params(("id" = String, Path)),
    responses((status = 200, body = ConversationRating), (status = 404, body = ErrorBody)))]
pub async fn rating(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<ConversationRating>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let shop = who.user.shop_id;
    let id: ConversationId = parse_id(&id, "conversation")?;
    state.inbox.store().conversation(shop, id).await?.ok_or(ApiError::NotFound("conversation"))?;
    let rating = ratings_of(&state, shop, &[id]).await?.remove(&id);
    Ok(Json(ConversationRating { rating }))
}
