//! The customer profile: who the customer is in the merchant's words (name, channels, tier),
//! what happened with them (orders, conversations, tickets, notes), and the edits an agent
//! makes there (name, tags, merge, unmerge).

use super::history::{channel_label, SearchResult};
use super::reader::Reader;
use super::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::customer::Customer;
use kefu_core::ids::CustomerId;
use kefu_core::message::Direction;
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_core::tickets::TicketFilter;
use kefu_i18n::Lang;
use serde::{Deserialize, Serialize};

/// One way to reach the customer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChannelLine {
    /// Channel name.
    pub channel: String,
    /// The channel in words.
    pub label: String,
    /// The address on it, PII masked (an email address), or the platform's id.
    pub external_id: String,
    /// Since when (ms).
    pub created_at: i64,
}

/// An order in short.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    /// The platform's order number.
    pub number: String,
    /// Status name.
    pub status: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Currency.
    pub currency: String,
    /// Placed (ms).
    pub created_at: i64,
}

/// A ticket in short.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketLine {
    /// Ticket id.
    pub id: String,
    /// Shop-wide number.
    pub number: i64,
    /// Title, PII masked.
    pub title: String,
    /// Workflow state.
    pub state: String,
    /// Created (ms).
    pub created_at: i64,
}

/// An internal note written in one of the customer's conversations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NoteLine {
    /// Conversation id.
    pub conversation_id: String,
    /// Text, PII masked.
    pub content: String,
    /// Written (ms).
    pub created_at: i64,
}

/// A customer merged into this one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MergedLine {
    /// Their id (for `/customers/{id}/unmerge`).
    pub id: String,
    /// Their name, PII masked.
    pub name: String,
}

/// Everything about a customer an agent needs, in words.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// Customer id.
    pub id: String,
    /// Name (platform nickname, email display name, or what an agent set), PII masked.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `new`, `regular` or `vip`.
    pub tier: String,
    /// 新客, 老客 or VIP.
    pub tier_label: String,
    /// First seen (ms).
    pub created_at: i64,
    /// Channels and identities.
    pub channels: Vec<ChannelLine>,
    /// How many values in `channels` were masked (`POST /customers/{id}/reveal`).
    pub pii_masked: usize,
    /// Recent orders, newest first.
    pub orders: Vec<OrderLine>,
    /// Past and current conversations, newest first.
    pub conversations: Vec<SearchResult>,
    /// Tickets, newest first.
    pub tickets: Vec<TicketLine>,
    /// Internal notes, newest first.
    pub notes: Vec<NoteLine>,
    /// The customer this one was merged into (their dialogue continues there).
    pub merged_into: Option<MergedLine>,
    /// Customers merged into this one (by an agent or automatically by a shared union id).
    pub merged_from: Vec<MergedLine>,
    /// What they answered in the widget's pre-chat form (phone and email masked).
    pub prechat: Vec<super::people::PrechatLine>,
}

/// A customer's profile; a merged-away customer answers too (with `merged_into`), so the
/// merge can be undone.
#[utoipa::path(get, path = "/api/v1/customers/{id}/profile", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn profile(State(state): State<AppState>, who: Principal, Reader(lang): Reader, Path(id): Path<String>) -> Result<Json<Profile>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    Ok(Json(build(&state, &who, id, lang).await?))
}

/// Changes to a customer.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    /// A new name (1-40 characters).
    pub name: Option<String>,
    /// The new tags (replacing all).
    pub tags: Option<Vec<String>>,
}

/// Rename a customer or replace their tags; audited (`customer_updated`, which fields, never
/// the name).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)), request_body = ProfileChange,
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(State(state): State<AppState>, who: Principal, Reader(lang): Reader, Path(id): Path<String>, ApiJson(req): ApiJson<ProfileChange>) -> Result<Json<Profile>, ApiError> {
    who.require(Scope::ConversationsWrite)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let shop = who.user.shop_id;
    let store = state.inbox.store();
    store.customer(shop, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let mut fields = Vec::new();
    if let Some(tags) = req.tags {
        state.inbox.set_customer_tags(shop, id, tags).await?;
        fields.push("tags");
    }
    let mut cs = ChangeSet::default();
    if let Some(name) = req.name {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(ApiError::BadRequest(crate::error::msg("error-name-40")));
        }
        cs.push(Change::SetCustomerName { shop_id: shop, customer_id: id, name });
        fields.push("name");
    }
    let detail = serde_json::json!({ "fields": fields });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "customer_updated", Some(format!("customer:{id}")), detail)));
    store.apply(cs).await?;
    Ok(Json(build(&state, &who, id, lang).await?))
}

async fn build(state: &AppState, who: &Principal, id: CustomerId, lang: Lang) -> Result<Profile, ApiError> {
    let shop = who.user.shop_id;
    let store = state.inbox.store();
    let customer = store.customer(shop, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let mut identities = store.identities_of(shop, id).await?;
    let pii_masked = crate::privacy::documents::mask_identities(&mut identities);
    let rfm = state.inbox.rfm_of(&customer).await;
    let orders = store.orders_of_customer(shop, id, 20).await?;
    let tickets = store
        .tickets(shop, &TicketFilter { customer_id: Some(id), limit: 20, ..Default::default() })
        .await?;
    let conversations = super::history::search_results(state, who, kefu_store::SearchQuery { customer_id: Some(id.to_string()), limit: 20, ..Default::default() }, lang).await?;
    let mut notes: Vec<NoteLine> = Vec::new();
    for c in &conversations {
        let Ok(conversation) = c.conversation_id.parse() else { continue };
        let messages = store.messages_of_conversation(shop, conversation, 0, 1000).await?;
        notes.extend(messages.into_iter().filter(|m| m.direction == Direction::Internal).map(|m| NoteLine {
            conversation_id: m.conversation_id.to_string(),
            content: kefu_nlp::pii::mask(&m.content),
            created_at: m.created_at,
        }));
    }
    notes.sort_by_key(|n| std::cmp::Reverse(n.created_at));
    notes.truncate(20);
    let merged_into = match customer.merged_into {
        Some(into) => store.customer(shop, into).await?.map(|c| merged_line(&c)),
        None => None,
    };
    let mut merged_from = Vec::new();
    for other in store.merged_into(shop, id).await? {
        if let Some(c) = store.customer(shop, other).await? {
            merged_from.push(merged_line(&c));
        }
    }
    Ok(Profile {
        id: customer.id.to_string(),
        name: kefu_nlp::pii::mask(&customer.display_name),
        tags: customer.tags.clone(),
        tier: rfm.tier.to_string(),
        tier_label: tier_label(rfm.tier, lang),
        created_at: customer.created_at,
        channels: identities
            .into_iter()
            .map(|i| ChannelLine {
                channel: i.channel.as_str().to_string(),
                label: channel_label(i.channel.as_str(), lang),
                external_id: i.external_id,
                created_at: i.created_at,
            })
            .collect(),
        pii_masked,
        orders: orders
            .into_iter()
            .map(|o| OrderLine { number: o.external_id, status: o.status.as_str().to_string(), amount_cents: o.amount_cents, currency: o.currency, created_at: o.created_at })
            .collect(),
        conversations,
        tickets: tickets
            .into_iter()
            .map(|t| TicketLine { id: t.id.to_string(), number: t.number, title: kefu_nlp::pii::mask(&t.title), state: t.state, created_at: t.created_at })
            .collect(),
        notes,
        merged_into,
        merged_from,
        prechat: super::people::prechat_lines(state, shop, id, lang).await?,
    })
}

fn merged_line(c: &Customer) -> MergedLine {
    MergedLine { id: c.id.to_string(), name: kefu_nlp::pii::mask(&c.display_name) }
}

/// The RFM tier in the reader's words.
pub fn tier_label(tier: &str, lang: Lang) -> String {
    kefu_core::bot::card_words::tier_word(tier, lang)
}
