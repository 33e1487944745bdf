//! Conversations (会话): one open per customer, moving through bot → queued → assigned →
//! resolved → closed.

pub mod state;

use crate::clock::Millis;
use crate::customer::Channel;
use crate::ids::{ConversationId, CustomerId, MessageId, ShopId, UserId};
use serde::{Deserialize, Serialize};

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The bot is answering.
    Bot,
    /// Waiting for an agent.
    Queued,
    /// An agent has it.
    Assigned,
    /// Solved; a new customer message reopens it.
    Resolved,
    /// Finished for good; a new customer message starts a new conversation.
    Closed,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] =
        [Status::Bot, Status::Queued, Status::Assigned, Status::Resolved, Status::Closed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Bot => "bot",
            Status::Queued => "queued",
            Status::Assigned => "assigned",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Not closed: the customer's current conversation.
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }

    /// Someone (bot, queue or agent) is working on it.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Bot | Status::Queued | Status::Assigned)
    }
}

/// Who served the conversation, for the hotspot and metric source filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Only the bot.
    BotOnly,
    /// The bot, then a human.
    BotToHuman,
    /// Only humans.
    HumanOnly,
}

impl Source {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::BotOnly => "bot_only",
            Source::BotToHuman => "bot_to_human",
            Source::HumanOnly => "human_only",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "bot_only" => Source::BotOnly,
            "bot_to_human" => Source::BotToHuman,
            "human_only" => Source::HumanOnly,
            _ => return None,
        })
    }
}

/// A conversation, with the two read-side fields agents' lists need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// Id.
    pub id: ConversationId,
    /// Shop.
    pub shop_id: ShopId,
    /// Customer.
    pub customer_id: CustomerId,
    /// The channel it started on.
    pub channel: Channel,
    /// Where it stands.
    pub status: Status,
    /// Who served it.
    pub source: Source,
    /// Team (技能组 id from the routing configuration), once routing sets one.
    pub team_id: Option<String>,
    /// The agent who has it.
    pub agent_id: Option<UserId>,
    /// Higher is served first.
    pub priority: i32,
    /// Creation time.
    pub created_at: Millis,
    /// Last change of any field.
    pub updated_at: Millis,
    /// When it was last handed to humans (queued), for first-response time.
    pub handed_off_at: Option<Millis>,
    /// When it was last resolved.
    pub resolved_at: Option<Millis>,
    /// Time of the last message.
    pub last_message_at: Option<Millis>,
    /// The last message.
    pub last_message_id: Option<MessageId>,
    /// Read side: the customer's display name.
    pub customer_name: String,
    /// Read side: a one-line preview of the last message.
    pub last_message_preview: Option<String>,
}
