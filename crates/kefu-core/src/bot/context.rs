//! The context card an agent receives on hand-off: what the bot saw and why it handed over.

use super::dialogue::DialogueState;
use super::handoff::HandoffReason;
use crate::clock::Millis;
use crate::customer::Customer;
use crate::ids::{ConversationId, CustomerId};
use crate::message::{Message, SenderKind};
use crate::orders::Order;
use crate::routing::Rfm;
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
    /// FAQs and flows the customer asked about, oldest first.
    pub intents: Vec<String>,
    /// Slots the customer gave (size, colour, order number …).
    pub slots: BTreeMap<String, String>,
    /// Sentiment score per customer message, −1..1, oldest first.
    pub sentiment_trend: Vec<f32>,
    /// Who the customer is.
    pub customer: CardCustomer,
    /// The customer's latest orders.
    pub recent_orders: Vec<CardOrder>,
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
    /// Amount (fen).
    pub amount_cents: i64,
    /// Item names.
    pub items: Vec<String>,
    /// Tracking number, once shipped.
    pub tracking_number: Option<String>,
    /// When it was placed.
    pub created_at: Millis,
}

/// Build the card from what the bot remembers and what the store knows.
pub fn card(conversation_id: ConversationId, state: &DialogueState, customer: &Customer, rfm: &Rfm, transcript: &[Message], orders: &[Order]) -> ContextCard {
    let reason = state.handed_off.clone();
    let reason_text = reason.as_deref().and_then(reason_of).map(|r| r.explain().to_string());
    let slots = state.flow.iter().chain(state.paused.iter()).flat_map(|r| r.slots.clone()).collect();
    let shown: Vec<&Message> = transcript.iter().filter(|m| m.sender_kind != SenderKind::Note).collect();
    ContextCard {
        conversation_id,
        reason,
        reason_text,
        transcript: shown[shown.len().saturating_sub(TRANSCRIPT_LINES)..]
            .iter()
            .map(|m| CardLine { sender: m.sender_kind.as_str().to_string(), text: m.content.clone(), at: m.created_at })
            .collect(),
        intents: state.intents.clone(),
        slots,
        sentiment_trend: state.sentiments.clone(),
        customer: CardCustomer {
            id: customer.id,
            name: customer.display_name.clone(),
            tags: customer.tags.clone(),
            tier: rfm.tier.to_string(),
            orders_in_window: rfm.frequency,
            spent_cents: rfm.monetary_cents,
        },
        recent_orders: orders
            .iter()
            .take(5)
            .map(|o| CardOrder {
                order_no: o.external_id.clone(),
                status: o.status.as_str().to_string(),
                amount_cents: o.amount_cents,
                items: o.items.iter().map(|i| i.name.clone()).collect(),
                tracking_number: o.tracking_number.clone(),
                created_at: o.created_at,
            })
            .collect(),
    }
}

fn reason_of(name: &str) -> Option<HandoffReason> {
    use HandoffReason::*;
    [UnknownStreak, StrongEmotion, AskedForHuman, Vip, FaqTransfer, OutsideBotHours].into_iter().find(|r| r.as_str() == name)
}
