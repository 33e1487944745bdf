//! History and search: every conversation whatever its status, narrowed by filters, with
//! full-text search over sealed message text through the blind index (kefu-store `search`).

use super::reader::Reader;
use super::ApiQuery;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::store::Store;
use kefu_i18n::Lang;
use serde::{Deserialize, Serialize};

/// Filters of a history search; every one is optional.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words that must all appear in one message (Chinese, Latin words; case, width and
    /// traditional characters do not matter).
    pub q: Option<String>,
    /// `bot`, `queued`, `assigned`, `resolved` or `closed`.
    pub status: Option<String>,
    /// `widget`, `dm`, `comment`, `order_message`, `live`, `email` or `api`.
    pub channel: Option<String>,
    /// Agent user id.
    pub agent_id: Option<String>,
    /// Team id.
    pub team_id: Option<String>,
    /// Customer id (customers merged into them included).
    pub customer_id: Option<String>,
    /// A customer tag or a hotspot tag of the conversation.
    pub tag: Option<String>,
    /// Hotspot category, `l1` or `l1/l2`.
    pub category: Option<String>,
    /// Active on or after this time (ms since the epoch).
    pub from: Option<i64>,
    /// Started before this time (ms since the epoch).
    pub to: Option<i64>,
    /// Rated with this many stars (1-10).
    pub rating: Option<u8>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Page size (default 20, max 100).
    pub limit: Option<u32>,
}

/// One conversation found.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// Conversation id.
    pub conversation_id: String,
    /// Customer id.
    pub customer_id: String,
    /// The customer's name, PII masked.
    pub customer_name: String,
    /// Channel name.
    pub channel: String,
    /// The channel in words.
    pub channel_label: String,
    /// Status name.
    pub status: String,
    /// The status in words (已解决 …).
    pub status_label: String,
    /// Agent id, when assigned.
    pub agent_id: Option<String>,
    /// The agent's display name.
    pub agent_name: Option<String>,
    /// Started (ms).
    pub created_at: i64,
    /// Last activity (ms).
    pub updated_at: i64,
    /// Resolved (ms).
    pub resolved_at: Option<i64>,
    /// The matching message's id (with `q`).
    pub message_id: Option<String>,
    /// When the matching message was written (with `q`).
    pub matched_at: Option<i64>,
    /// The matching part of the message (with `q`), or the last message; PII masked.
    pub snippet: String,
    /// The customer's rating, once they gave one.
    pub rating: Option<super::ratings::RatingLine>,
}

/// A page of search results.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Newest first.
    pub results: Vec<SearchResult>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Search every conversation of the shop (history), newest first.
#[utoipa::path(get, path = "/api/v1/conversations/search", tag = "conversations", params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn search(State(state): State<AppState>, who: Principal, Reader(lang): Reader, ApiQuery(p): ApiQuery<SearchParams>) -> Result<Json<SearchResults>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let query = store_query(p)?;
    let (results, next) = page_of(&state, &who, query, lang).await?;
    Ok(Json(SearchResults { results, next }))
}

/// Results of a search in one shop, for the profile's conversation list.
pub async fn search_results(state: &AppState, who: &Principal, query: kefu_store::SearchQuery, lang: Lang) -> Result<Vec<SearchResult>, ApiError> {
    Ok(page_of(state, who, query, lang).await?.0)
}

async fn page_of(state: &AppState, who: &Principal, query: kefu_store::SearchQuery, lang: Lang) -> Result<(Vec<SearchResult>, Option<String>), ApiError> {
    let shop = who.user.shop_id;
    let store = state.inbox.store();
    let page = store.search(&shop.to_string(), &query).await?;
    let agents: Vec<(String, String)> = store.users(shop).await?.into_iter().map(|u| (u.id.to_string(), u.display_name)).collect();
    let ids: Vec<_> = page.hits.iter().map(|h| h.conversation.id).collect();
    let mut ratings = super::ratings::ratings_of(state, shop, &ids).await?;
    let results = page
        .hits
        .into_iter()
        .map(|h| {
            let c = h.conversation;
            let agent_id = c.agent_id.map(|a| a.to_string());
            let agent_name = agent_id.as_ref().and_then(|a| agents.iter().find(|(id, _)| id == a).map(|(_, n)| n.clone()));
            let (message_id, matched_at, text) = match h.hit {
                Some((id, at, text)) => (Some(id), Some(at), kefu_core::search::snippet(&text, &query.q, 60)),
                None => (None, None, c.last_message_preview.clone().unwrap_or_default()),
            };
            SearchResult {
                conversation_id: c.id.to_string(),
                customer_id: c.customer_id.to_string(),
                customer_name: kefu_nlp::pii::mask(&c.customer_name),
                channel: c.channel.as_str().to_string(),
                channel_label: channel_label(c.channel.as_str(), lang),
                status: c.status.as_str().to_string(),
                status_label: status_label(c.status.as_str(), lang),
                agent_id,
                agent_name,
                created_at: c.created_at,
                updated_at: c.updated_at,
                resolved_at: c.resolved_at,
                message_id,
                matched_at,
                snippet: kefu_nlp::pii::mask(&text),
                rating: ratings.remove(&c.id),
            }
        })
        .collect();
    Ok((results, page.next.map(|(at, id)| format!("{at}.{id}"))))
}

fn store_query(p: SearchParams) -> Result<kefu_store::SearchQuery, ApiError> {
    let bad = |key: &'static str| ApiError::BadRequest(crate::error::msg(key));
    if let Some(s) = &p.status {
        kefu_core::conversation::Status::parse(s).ok_or_else(|| bad("error-search-status"))?;
    }
    if let Some(c) = &p.channel {
        kefu_core::customer::Channel::parse(c).ok_or_else(|| bad("error-search-channel"))?;
    }
    if p.rating.is_some_and(|r| !(1..=*kefu_core::csat::SCALE_RANGE.end()).contains(&r)) {
        return Err(bad("error-search-rating"));
    }
    let after = match &p.cursor {
        None => None,
        Some(c) => {
            let (at, id) = c.split_once('.').ok_or_else(|| bad("error-search-cursor"))?;
            Some((at.parse::<i64>().map_err(|_| bad("error-search-cursor"))?, id.to_string()))
        }
    };
    let q = p.q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(ApiError::BadRequest(crate::error::msg("error-search-long")));
    }
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    Ok(kefu_store::SearchQuery {
        q,
        status: blank(p.status),
        channel: blank(p.channel),
        agent_id: blank(p.agent_id),
        team_id: blank(p.team_id),
        customer_id: blank(p.customer_id),
        tag: blank(p.tag),
        category: blank(p.category),
        from: p.from,
        to: p.to,
        rating: p.rating,
        after,
        limit: p.limit.unwrap_or(20).clamp(1, 100),
    })
}

/// A code in the reader's words from the catalogue id `prefix` + code; an unknown code as is.
fn worded(prefix: &str, code: &str, lang: Lang) -> String {
    let id = format!("{prefix}{code}");
    if kefu_i18n::has_message(lang, &id) {
        kefu_i18n::render(lang, &id)
    } else {
        code.to_string()
    }
}

/// A channel in the reader's words (the workspace's `workspace-channel-…`).
pub fn channel_label(channel: &str, lang: Lang) -> String {
    worded("workspace-channel-", channel, lang)
}

/// A conversation status in the reader's words (the workspace's `workspace-status-…`).
pub fn status_label(status: &str, lang: Lang) -> String {
    worded("workspace-status-", status, lang)
}
