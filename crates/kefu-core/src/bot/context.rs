//! The context card an agent receives on hand-off: what the bot saw and why it handed over.

use super::card_words::{self, Mood};
use super::dialogue::DialogueState;
use super::kb::KnowledgeBase;
use crate::clock::Millis;
use crate::customer::Customer;
use crate::ids::{ConversationId, CustomerId};
use crate::message::{Message, SenderKind};
use crate::orders::Order;
use crate::routing::Rfm;
use kefu_i18n::Lang;
use serde::Serialize;
use std::collections::BTreeMap;

/// Messages of the bot transcript shown on the card.
pub const TRANSCRIPT_LINES: usize = 30;

/// Everything an agent needs to take over without asking again.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContextCard {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Why the bot handed over (`asked_for_human`, …); none if it never did.
    pub reason: Option<String>,
    /// The reason in words.
    pub reason_text: Option<String>,
    /// The dialogue so far, oldest first (masked for agents by the server).
    pub transcript: Vec<CardLine>,
    /// FAQs and flows the customer asked about, oldest first, once each.
    pub intents: Vec<CardIntent>,
    /// What the customer gave (size, colour, order number …), in the flows' order.
    pub slots: Vec<CardSlot>,
    /// Sentiment score per customer message, −1..1, oldest first.
    pub sentiment_trend: Vec<f32>,
    /// The latest mood in words with its trend; none before the customer wrote.
    pub mood: Option<Mood>,
    /// Who the customer is.
    pub customer: CardCustomer,
    /// The customer's latest orders.
    pub recent_orders: Vec<CardOrder>,
}

/// A topic the customer asked about, by the knowledge base's own title.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardIntent {
    /// The FAQ's or flow's id (for the details view).
    pub id: String,
    /// The FAQ's question or the flow's name, as the merchant wrote it.
    pub title: String,
    /// The title in each language the topic is written or translated in (`zh`, `en`), so a
    /// reader of another language than the merchant's sees it in theirs when it exists.
    pub titles: std::collections::BTreeMap<String, String>,
    /// The topic was deleted from the knowledge base since (the title then says so).
    #[serde(skip)]
    pub deleted: bool,
}

/// One thing the customer gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardSlot {
    /// The slot's or entity's kind (`size`, `colour`, …).
    pub kind: String,
    /// The kind in words (尺码, 颜色, … in the reader's language).
    pub label: String,
    /// What the customer said (masked for agents by the server).
    pub value: String,
}

/// One line of the transcript.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardLine {
    /// `customer`, `bot`, `agent` or `system`.
    pub sender: String,
    /// The text.
    pub text: String,
    /// When.
    pub at: Millis,
}

/// The customer's profile on the card.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardCustomer {
    /// Id.
    pub id: CustomerId,
    /// Name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `vip`, `regular` or `new`.
    pub tier: String,
    /// The tier in words (新客, 老客 or VIP in Chinese).
    pub tier_label: String,
    /// Paid orders in the RFM window.
    pub orders_in_window: u32,
    /// Spent in the window (fen).
    pub spent_cents: i64,
}

/// One order on the card.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardOrder {
    /// The platform's order number.
    pub order_no: String,
    /// Status.
    pub status: String,
    /// The status in words (待发货 … in the reader's language).
    pub status_label: String,
    /// Amount (fen).
    pub amount_cents: i64,
    /// Item names.
    pub items: Vec<String>,
    /// Tracking number, once shipped.
    pub tracking_number: Option<String>,
    /// When it was placed.
    pub created_at: Millis,
}

impl ContextCard {
    /// Say the card's words (reason, mood, slot names, tier, order statuses, deleted topics) in
    /// `lang`; the codes beside them stay as they are.
    pub fn reword(&mut self, lang: Lang) {
        self.reason_text = self.reason.as_deref().and_then(|r| card_words::reason_text(r, lang));
        if let Some(mood) = &mut self.mood {
            mood.reword(lang);
        }
        for slot in &mut self.slots {
            slot.label = card_words::slot_label(&slot.kind, lang);
        }
        let short = if lang == Lang::En { "en" } else { "zh" };
        for intent in &mut self.intents {
            if intent.deleted {
                intent.title = card_words::deleted_topic(lang);
            } else if let Some(title) = intent.titles.get(short) {
                intent.title = title.clone();
            }
        }
        self.customer.tier_label = card_words::tier_word(&self.customer.tier, lang);
        for order in &mut self.recent_orders {
            if let Some(status) = crate::orders::OrderStatus::parse(&order.status) {
                order.status_label = card_words::order_status_word(status, lang);
            }
        }
    }
}

/// Build the card from what the bot remembers and what the store knows; `kb` names the topics.
/// Its words are Chinese (the default language) until [`ContextCard::reword`] says otherwise.
#[allow(clippy::too_many_arguments)]
pub fn card(conversation_id: ConversationId, state: &DialogueState, kb: &KnowledgeBase, customer: &Customer, rfm: &Rfm, transcript: &[Message], orders: &[Order]) -> ContextCard {
    let reason = state.handed_off.clone();
    let shown: Vec<&Message> = transcript.iter().filter(|m| m.sender_kind != SenderKind::Note).collect();
    let mut card = ContextCard {
        conversation_id,
        reason,
        reason_text: None,
        transcript: shown[shown.len().saturating_sub(TRANSCRIPT_LINES)..]
            .iter()
            .map(|m| CardLine { sender: m.sender_kind.as_str().to_string(), text: m.content.clone(), at: m.created_at })
            .collect(),
        intents: intents(state, kb),
        slots: slots(state, kb),
        sentiment_trend: state.sentiments.clone(),
        mood: card_words::mood(&state.sentiments, Lang::ZhCn),
        customer: CardCustomer {
            id: customer.id,
            name: customer.display_name.clone(),
            tags: customer.tags.clone(),
            tier: rfm.tier.to_string(),
            tier_label: String::new(),
            orders_in_window: rfm.frequency,
            spent_cents: rfm.monetary_cents,
        },
        recent_orders: orders
            .iter()
            .take(5)
            .map(|o| CardOrder {
                order_no: o.external_id.clone(),
                status: o.status.as_str().to_string(),
                status_label: card_words::order_status_word(o.status, Lang::ZhCn),
                amount_cents: o.amount_cents,
                items: o.items.iter().map(|i| i.name.clone()).collect(),
                tracking_number: o.tracking_number.clone(),
                created_at: o.created_at,
            })
            .collect(),
    };
    card.reword(Lang::ZhCn);
    card
}

/// The topics asked about, once each, by their titles; a topic deleted from the knowledge
/// base since is named as such rather than by its id.
fn intents(state: &DialogueState, kb: &KnowledgeBase) -> Vec<CardIntent> {
    let mut out: Vec<CardIntent> = Vec::new();
    for id in &state.intents {
        if out.iter().any(|i| &i.id == id) {
            continue;
        }
        let faq = kb.faq(id);
        let flow = kb.flows.iter().find(|f| &f.id == id);
        let title = faq.map(|f| f.question.clone()).or_else(|| flow.map(|f| f.name.clone()));
        let deleted = title.is_none();
        let titles = crate::bot::translations::LANGUAGES
            .iter()
            .filter_map(|&l| {
                let own = faq.map(|f| f.question_in(l)).or_else(|| flow.map(|f| f.name_in(l)))?;
                let translated = faq.map_or(true, |f| f.speaks(l));
                translated.then(|| (l.to_string(), own.to_string()))
            })
            .collect();
        out.push(CardIntent { id: id.clone(), title: title.unwrap_or_default(), titles, deleted });
    }
    out
}

/// Slots of finished, paused and running flows (latest value wins), then what the customer
/// mentioned outside any flow, one line per kind.
fn slots(state: &DialogueState, kb: &KnowledgeBase) -> Vec<CardSlot> {
    let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
    for run in [&state.finished].into_iter().chain(state.paused.iter().map(|r| &r.slots)).chain(state.flow.iter().map(|r| &r.slots)) {
        for (name, value) in run {
            by_name.insert(name, value);
        }
    }
    let mut out: Vec<CardSlot> = Vec::new();
    for (name, value) in by_name {
        let kind = kb.flows.iter().flat_map(|f| &f.slots).find(|s| s.name == name).map_or("choice", |s| s.kind.as_str());
        push_slot(&mut out, kind, value);
    }
    for (kind, value) in &state.seen {
        if !out.iter().any(|s| &s.kind == kind) && card_words::known_slot(kind) {
            push_slot(&mut out, kind, value);
        }
    }
    out
}

fn push_slot(out: &mut Vec<CardSlot>, kind: &str, value: &str) {
    let slot = CardSlot { kind: kind.to_string(), label: card_words::slot_label(kind, Lang::ZhCn), value: value.to_string() };
    if !out.contains(&slot) {
        out.push(slot);
    }
}
