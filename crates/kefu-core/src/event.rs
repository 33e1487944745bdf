//! Domain events: every state change appends one to the log, in the same transaction.

use crate::clock::Millis;
use crate::customer::Channel;
use crate::ids::{ConversationId, CustomerId, EventId, MessageId, ShopId, TicketId, UserId};
use crate::message::SenderKind;
use serde::{Deserialize, Serialize};

/// What happened. Payloads hold ids, never message text, so the log carries no content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A customer was seen for the first time.
    CustomerCreated {
        /// The channel they arrived on.
        channel: Channel,
    },
    /// A conversation was opened.
    ConversationCreated {
        /// The channel it started on.
        channel: Channel,
    },
    /// A resolved conversation was reopened by a new customer message.
    ConversationReopened,
    /// The customer wrote.
    MessageReceived {
        /// The message.
        message_id: MessageId,
    },
    /// An agent, the bot or the system wrote to the customer.
    MessageSent {
        /// The message.
        message_id: MessageId,
        /// Who wrote it.
        sender_kind: SenderKind,
    },
    /// An agent left an internal note (never sent to the customer).
    NoteAdded {
        /// The note (a message with sender kind `note`).
        message_id: MessageId,
        /// Who wrote it.
        by: UserId,
    },
    /// The conversation waits for an agent.
    ConversationQueued,
    /// The conversation was given to an agent.
    ConversationAssigned {
        /// The agent.
        agent_id: UserId,
        /// Who assigned it (none for automatic assignment).
        by: Option<UserId>,
    },
    /// The conversation was resolved.
    ConversationResolved {
        /// Who resolved it.
        by: Option<UserId>,
    },
    /// Routing chose a team and priority for a conversation that needs a person.
    ConversationRouted {
        /// Team; none means every agent.
        team: Option<String>,
        /// Priority.
        priority: i32,
        /// The rule that matched, by name.
        rule: Option<String>,
        /// The customer is VIP.
        vip: bool,
    },
    /// An agent moved a conversation to another agent or team.
    ConversationTransferred {
        /// The agent who had it.
        from: Option<UserId>,
        /// The agent it went to.
        to_agent: Option<UserId>,
        /// The team it went to.
        to_team: Option<String>,
        /// Who moved it.
        by: UserId,
    },
    /// The conversation was closed for good.
    ConversationClosed {
        /// Who closed it (none for the inactivity sweeper).
        by: Option<UserId>,
        /// `agent` or `inactivity`.
        reason: String,
    },
    /// The customer rated the service (CSAT).
    ConversationRated {
        /// 1 to `scale` stars.
        stars: u8,
        /// The shop's scale when it was rated (5 for ratings older than the setting).
        #[serde(default = "crate::event::five")]
        scale: u8,
        /// The comment, stored as the customer's message.
        comment_id: Option<MessageId>,
        /// The agent rated.
        agent_id: Option<UserId>,
    },
    /// A customer (the event's customer) was merged into another.
    CustomersMerged {
        /// The customer their identities now write to.
        into: CustomerId,
        /// The agent who merged (none when automatic).
        by: Option<UserId>,
        /// `manual`, `union_id`, `phone` or `email`.
        reason: String,
    },
    /// A merge was undone.
    CustomerUnmerged {
        /// The customer it had been merged into.
        from: CustomerId,
        /// The agent who undid it.
        by: UserId,
    },
    /// A ticket was created.
    TicketCreated {
        /// The ticket.
        ticket_id: TicketId,
        /// Its type.
        ticket_type: String,
    },
    /// A ticket moved along its workflow.
    TicketMoved {
        /// The ticket.
        ticket_id: TicketId,
        /// From state.
        from: String,
        /// To state.
        to: String,
        /// The new state is terminal.
        closed: bool,
    },
    /// The sentiment of a public comment, as kefu-nlp read it.
    CommentSentiment {
        /// The comment's message.
        message_id: MessageId,
        /// `positive`, `neutral` or `negative`.
        polarity: String,
        /// Score in −1..1.
        score: f32,
    },
    /// The conversation's consultation category (咨询热点), read from its first question.
    ConversationCategorised {
        /// Level 1 of the hotspot taxonomy.
        l1: String,
        /// Level 2.
        l2: String,
        /// Level-3 tags (free, per shop), possibly none.
        #[serde(default)]
        tags: Vec<String>,
    },
    /// The bot answered with an FAQ.
    BotAnswered {
        /// The FAQ.
        faq_id: String,
        /// The A/B variant shown, if an experiment ran.
        #[serde(default)]
        variant: Option<String>,
    },
    /// The bot was unsure and offered up to three FAQs ("您是想问：").
    BotSuggested {
        /// The FAQs offered, best first.
        faq_ids: Vec<String>,
    },
    /// The bot did not understand the message.
    BotUnknown,
    /// A multi-turn flow moved on (asked for a slot, filled one, finished, was left).
    BotFlowStep {
        /// The flow.
        flow: String,
        /// `asked:<slot>`, `filled:<slot>`, `done`, `paused`, `resumed`.
        step: String,
    },
    /// The bot handed the conversation to a person.
    HandedOff {
        /// `unknown_streak`, `strong_emotion`, `asked_for_human`, `vip`, `faq_transfer`,
        /// `outside_bot_hours`.
        reason: String,
    },
    /// The customer rated a bot answer (thumbs up/down).
    BotFeedback {
        /// The FAQ answered.
        faq_id: String,
        /// Thumbs up.
        helpful: bool,
    },
    /// A conversation met a variant of an A/B experiment (once per conversation and experiment).
    ExperimentExposed {
        /// The experiment.
        experiment: String,
        /// The variant's name.
        variant: String,
    },
    /// An SLA warning, breach or escalation on a ticket.
    TicketSla {
        /// The ticket.
        ticket_id: TicketId,
        /// `warning`, `breached` or `escalated`.
        outcome: String,
        /// Which target.
        target: String,
    },
    /// A metric alert fired (analytics).
    AlertRaised {
        /// The shop's rule id.
        rule: String,
        /// What the rule watches (`response_time`, `category_surge`, …).
        alert: String,
        /// The subject: empty for the shop, a category `l1/l2` or a customer id.
        subject: String,
        /// The measured value.
        value: f64,
        /// The rule's threshold.
        threshold: f64,
    },
    /// A metric alert resolved.
    AlertResolved {
        /// The shop's rule id.
        rule: String,
        /// The subject.
        subject: String,
        /// The value now, when there is a reading.
        value: Option<f64>,
    },
}

impl EventKind {
    /// The stored name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CustomerCreated { .. } => "customer_created",
            EventKind::ConversationCreated { .. } => "conversation_created",
            EventKind::ConversationReopened => "conversation_reopened",
            EventKind::MessageReceived { .. } => "message_received",
            EventKind::MessageSent { .. } => "message_sent",
            EventKind::NoteAdded { .. } => "note_added",
            EventKind::ConversationQueued => "conversation_queued",
            EventKind::ConversationAssigned { .. } => "conversation_assigned",
            EventKind::ConversationResolved { .. } => "conversation_resolved",
            EventKind::ConversationRouted { .. } => "conversation_routed",
            EventKind::ConversationTransferred { .. } => "conversation_transferred",
            EventKind::ConversationClosed { .. } => "conversation_closed",
            EventKind::ConversationRated { .. } => "conversation_rated",
            EventKind::CustomersMerged { .. } => "customers_merged",
            EventKind::CustomerUnmerged { .. } => "customer_unmerged",
            EventKind::TicketCreated { .. } => "ticket_created",
            EventKind::TicketMoved { .. } => "ticket_moved",
            EventKind::TicketSla { .. } => "ticket_sla",
            EventKind::CommentSentiment { .. } => "comment_sentiment",
            EventKind::ConversationCategorised { .. } => "conversation_categorised",
            EventKind::BotAnswered { .. } => "bot_answered",
            EventKind::BotSuggested { .. } => "bot_suggested",
            EventKind::BotUnknown => "bot_unknown",
            EventKind::BotFlowStep { .. } => "bot_flow_step",
            EventKind::HandedOff { .. } => "handed_off",
            EventKind::BotFeedback { .. } => "bot_feedback",
            EventKind::AlertRaised { .. } => "alert_raised",
            EventKind::AlertResolved { .. } => "alert_resolved",
            EventKind::ExperimentExposed { .. } => "experiment_exposed",
        }
    }
}

/// One entry of the event log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Id (time-ordered).
    pub id: EventId,
    /// Shop.
    pub shop_id: ShopId,
    /// The conversation it concerns, if any.
    pub conversation_id: Option<ConversationId>,
    /// The customer it concerns, if any.
    pub customer_id: Option<CustomerId>,
    /// When.
    pub at: Millis,
    /// What.
    pub kind: EventKind,
}

impl Event {
    /// An event about a conversation.
    pub fn conversation(
        shop_id: ShopId,
        conversation_id: ConversationId,
        customer_id: CustomerId,
        at: Millis,
        kind: EventKind,
    ) -> Self {
        Event {
            id: EventId::new(),
            shop_id,
            conversation_id: Some(conversation_id),
            customer_id: Some(customer_id),
            at,
            kind,
        }
    }
}

/// The scale of ratings stored before shops could choose one.
pub(crate) fn five() -> u8 {
    crate::csat::DEFAULT_SCALE
}
