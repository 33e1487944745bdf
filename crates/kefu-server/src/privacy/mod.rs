//! Privacy on the way out: PII masked in everything agents see, and the sensitive-word
//! filter applied to what customers send (flagged) and what agents send (blocked or held for
//! confirmation). The matching itself is kefu-nlp's; this module decides where it applies.

pub mod documents;
pub mod words;

pub use words::SensitiveWords;

use kefu_core::conversation::Conversation;
use kefu_core::message::Message;
use kefu_nlp::sensitive::{Action, Hit};
use serde::Serialize;

/// One sensitive-word hit as agents see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FlagView {
    /// The dictionary word.
    pub word: String,
    /// Its category (e.g. 广告类型, fraud).
    pub category: String,
    /// `block`, `warn` or `flag`.
    #[schema(value_type = String)]
    pub action: Action,
}

impl From<&Hit> for FlagView {
    fn from(h: &Hit) -> Self {
        FlagView { word: h.word.clone(), category: h.category.clone(), action: h.action }
    }
}

/// A message as agents see it: PII masked, with the number of masked values (each can be
/// revealed by a role with `pii:reveal`) and the sensitive words it contains.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    /// The message, content masked.
    #[serde(flatten)]
    pub message: Message,
    /// How many PII values were masked (`POST /messages/{id}/reveal` with index 0..n).
    pub pii_masked: usize,
    /// Sensitive words found in the original text.
    pub flags: Vec<FlagView>,
}

/// The agent-facing view of a message.
pub fn message_view(m: &Message, words: &kefu_nlp::sensitive::Dictionary) -> MessageView {
    let spans = kefu_nlp::pii::detect(&m.content);
    let flags = words.scan(&m.content).iter().map(FlagView::from).collect();
    let mut message = m.clone();
    if !spans.is_empty() {
        message.content = kefu_nlp::pii::mask_spans(&m.content, &spans);
    }
    MessageView { message, pii_masked: spans.len(), flags }
}

/// A conversation with its last-message preview masked.
pub fn mask_conversation(c: &Conversation) -> Conversation {
    let mut c = c.clone();
    // A name can be an address (email senders without a display name write one).
    c.customer_name = kefu_nlp::pii::mask(&c.customer_name);
    if let Some(p) = &c.last_message_preview {
        c.last_message_preview = Some(kefu_nlp::pii::mask(p));
    }
    c
}

/// A context card with PII masked in the transcript and the slots (agents see it).
pub fn mask_card(card: &kefu_core::bot::ContextCard) -> kefu_core::bot::ContextCard {
    let mut card = card.clone();
    for line in &mut card.transcript {
        line.text = kefu_nlp::pii::mask(&line.text);
    }
    for slot in &mut card.slots {
        slot.value = kefu_nlp::pii::mask(&slot.value);
    }
    card
}

/// Check an outgoing reply: a `block` word refuses it; a `warn` word refuses it until the
/// sender confirms; `flag` words pass. Returns the hits that let it pass.
pub fn check_outbound(words: &kefu_nlp::sensitive::Dictionary, text: &str, confirmed: bool) -> Result<Vec<Hit>, crate::error::ApiError> {
    let hits = words.scan(text);
    let list = |action: Option<Action>| {
        let mut w: Vec<&str> = hits.iter().filter(|h| action.is_none_or(|a| h.action == a)).map(|h| h.word.as_str()).collect();
        w.dedup();
        w.join("、")
    };
    let details = || serde_json::to_value(&hits).unwrap_or_default();
    match kefu_nlp::sensitive::Dictionary::strictest(&hits) {
        Some(Action::Block) => Err(crate::error::ApiError::Sensitive {
            code: "sensitive_blocked",
            message: crate::error::msg("error-sensitive-blocked").arg("words", list(Some(Action::Block))),
            hits: details(),
        }),
        Some(Action::Warn) if !confirmed => Err(crate::error::ApiError::Sensitive {
            code: "sensitive_warning",
            message: crate::error::msg("error-sensitive-warning").arg("words", list(Some(Action::Warn))),
            hits: details(),
        }),
        _ => Ok(hits),
    }
}

/// Look at a stored customer message: count sensitive hits, and when a customer keeps sending
/// `block`-level words, audit it once per episode (the alerting work builds on that entry).
pub async fn note_inbound(state: &crate::app::AppState, shop: kefu_core::ids::ShopId, customer: kefu_core::ids::CustomerId, text: &str) -> Result<(), crate::error::ApiError> {
    let hits = state.words.for_shop(shop).scan(text);
    if hits.is_empty() {
        return Ok(());
    }
    state.metrics.sensitive_inbound.inc();
    if hits.iter().any(|h| h.action == Action::Block) && state.guards.abusive_hit(customer, state.inbox.now()) {
        tracing::warn!(%shop, %customer, "customer keeps sending blocked words");
        let categories: Vec<&str> = hits.iter().map(|h| h.category.as_str()).collect();
        let detail = serde_json::json!({ "categories": categories });
        let entry = kefu_core::audit::AuditEntry::by("system", Some(shop), state.inbox.now(), "customer_abusive", Some(format!("customer:{customer}")), detail);
        crate::security::audit::record(state, entry).await?;
    }
    Ok(())
}
