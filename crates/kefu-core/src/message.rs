//! Messages in a conversation.

use crate::clock::Millis;
use crate::customer::Channel;
use crate::error::CoreError;
use crate::ids::{ConversationId, CustomerId, MessageId, ShopId, UserId};
use serde::{Deserialize, Serialize};

/// The most text one message may carry, in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    In,
    /// To the customer.
    Out,
    /// Stays inside the shop: an internal note, never sent to the customer or a channel.
    Internal,
}

impl Direction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Internal => "internal",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "in" => Direction::In,
            "out" => Direction::Out,
            "internal" => Direction::Internal,
            _ => return None,
        })
    }
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// The customer.
    Customer,
    /// A human agent.
    Agent,
    /// The bot.
    Bot,
    /// kefu itself (notices such as "you are in the queue").
    System,
    /// An agent's internal note: in the dialogue for colleagues, never for the customer.
    Note,
}

impl SenderKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderKind::Customer => "customer",
            SenderKind::Agent => "agent",
            SenderKind::Bot => "bot",
            SenderKind::System => "system",
            SenderKind::Note => "note",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "customer" => SenderKind::Customer,
            "agent" => SenderKind::Agent,
            "bot" => SenderKind::Bot,
            "system" => SenderKind::System,
            "note" => SenderKind::Note,
            _ => return None,
        })
    }

    /// The direction messages by this sender travel.
    pub fn direction(self) -> Direction {
        match self {
            SenderKind::Customer => Direction::In,
            SenderKind::Note => Direction::Internal,
            SenderKind::Agent | SenderKind::Bot | SenderKind::System => Direction::Out,
        }
    }

    /// Whether the customer may see it: everything but internal notes.
    pub fn for_customer(self) -> bool {
        self != SenderKind::Note
    }
}

/// One message. `content` is plaintext in memory; the store seals it at rest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// Shop.
    pub shop_id: ShopId,
    /// Conversation.
    pub conversation_id: ConversationId,
    /// The customer whose dialogue this is part of.
    pub customer_id: CustomerId,
    /// Position in the customer's dialogue (1, 2, 3 … across conversations and channels).
    pub seq: i64,
    /// Which way it travels.
    pub direction: Direction,
    /// Who wrote it.
    pub sender_kind: SenderKind,
    /// The agent who wrote it, for agent messages.
    pub sender_id: Option<UserId>,
    /// The channel it came through or goes out on.
    pub channel: Channel,
    /// Text.
    pub content: String,
    /// The sender's own id for the message, used to drop resends.
    pub client_id: Option<String>,
    /// Creation time.
    pub created_at: Millis,
}

/// Check message text: not blank, not over [`MAX_TEXT_BYTES`]. Returns it trimmed of trailing
/// whitespace only, so intentional leading indentation survives.
pub fn validate_text(text: &str) -> Result<&str, CoreError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(CoreError::TooLarge { len: text.len(), limit: MAX_TEXT_BYTES });
    }
    let t = text.trim_end();
    if t.trim().is_empty() {
        return Err(CoreError::Invalid(crate::error::msg("error-message-empty")));
    }
    Ok(t)
}

/// Check a client id: 1–100 printable ASCII characters.
pub fn validate_client_id(id: &str) -> Result<(), CoreError> {
    if id.is_empty() || id.len() > 100 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CoreError::Invalid(crate::error::msg("error-client-id")));
    }
    Ok(())
}

/// Check what a sender submits: the text (returned trimmed at the end) and the client id.
pub fn validate_input<'a>(text: &'a str, client_id: Option<&str>) -> Result<&'a str, CoreError> {
    let text = validate_text(text)?;
    if let Some(id) = client_id {
        validate_client_id(id)?;
    }
    Ok(text)
}

/// A short single-line preview of a message for conversation lists.
pub fn preview(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut out: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    if text.chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits() {
        assert!(validate_text("   ").is_err());
        assert_eq!(validate_text("你好 \n").ok(), Some("你好"));
        let big = "a".repeat(MAX_TEXT_BYTES + 1);
        assert!(matches!(validate_text(&big), Err(CoreError::TooLarge { .. })));
        assert!(validate_text(&"字".repeat(MAX_TEXT_BYTES / 3)).is_ok());
    }

    #[test]
    fn client_ids() {
        assert!(validate_client_id("abc-123").is_ok());
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id("has space").is_err());
        assert!(validate_client_id(&"x".repeat(101)).is_err());
    }

    #[test]
    fn previews_are_short_and_single_line() {
        assert_eq!(preview("a\nb"), "a b");
        let p = preview(&"长".repeat(100));
        assert_eq!(p.chars().count(), 61);
    }
}
