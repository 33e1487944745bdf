//! Tickets (工单): what chat cannot settle travels between departments by a per-type workflow,
//! under SLA, until the customer confirms it is solved.

pub mod defaults;
pub mod desk;
pub mod moves;
pub mod sla;
pub mod workflow;

use crate::clock::Millis;
use crate::message::{Message, SenderKind};
use crate::ids::{CommentId, ConversationId, CustomerId, DepartmentId, ShopId, TicketId, UserId};
use serde::{Deserialize, Serialize};
use sla::SlaClock;

pub use desk::TicketDesk;
pub use workflow::{CustomerAnswer, Notify, StateDef, TransitionDef, Workflow, WorkflowError};

/// How urgent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl Priority {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// One step up (urgent stays urgent).
    pub fn raised(self) -> Self {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            _ => Priority::Urgent,
        }
    }
}

/// Who wrote a comment or made a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// A back-office user.
    User {
        /// Who.
        id: UserId,
    },
    /// The customer, through their channel.
    Customer,
    /// kefu itself (SLA sweeps, escalations).
    System,
}

/// A comment: public ones reach the customer, internal ones stay inside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    /// Id.
    pub id: CommentId,
    /// Who.
    pub author: Author,
    /// Text.
    pub body: String,
    /// Visible to the customer.
    pub public: bool,
    /// When.
    pub at: Millis,
}

/// A file attached to a ticket (metadata; the bytes live in object storage).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Where to fetch it.
    pub url: String,
    /// Size in bytes.
    pub size: u64,
}

/// One line of a ticket's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// When.
    pub at: Millis,
    /// Who.
    pub by: Author,
    /// What changed.
    pub change: TicketChange,
}

/// What changed, from → to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketChange {
    /// Created in a state.
    Created {
        /// Initial state.
        state: String,
    },
    /// Moved along the workflow.
    Moved {
        /// From state.
        from: String,
        /// To state.
        to: String,
        /// The transition's name.
        transition: String,
        /// A note given with the move.
        note: Option<String>,
    },
    /// Department or assignee changed.
    Assigned {
        /// Department before.
        from_department: Option<String>,
        /// Department after.
        to_department: Option<String>,
        /// Assignee before.
        from_assignee: Option<UserId>,
        /// Assignee after.
        to_assignee: Option<UserId>,
    },
    /// Priority changed.
    Priority {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// A comment was added.
    Commented {
        /// The comment.
        comment: CommentId,
        /// Public or internal.
        public: bool,
    },
    /// Tags changed.
    Tagged {
        /// Tags before.
        from: Vec<String>,
        /// Tags after.
        to: Vec<String>,
    },
    /// A file was attached.
    Attached {
        /// File name.
        name: String,
    },
    /// An SLA target is near.
    SlaWarning {
        /// Which.
        target: sla::SlaTarget,
    },
    /// An SLA target was missed.
    SlaBreached {
        /// Which.
        target: sla::SlaTarget,
    },
    /// An escalation rule fired.
    Escalated {
        /// What it did.
        action: sla::EscalationAction,
    },
}

/// A ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    /// Id.
    pub id: TicketId,
    /// Shop.
    pub shop_id: ShopId,
    /// Number shown to people (per shop: 1, 2, 3 …).
    pub number: i64,
    /// Type key (selects the workflow).
    pub ticket_type: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The customer it is for.
    pub customer_id: Option<CustomerId>,
    /// Conversations it came from or concerns.
    pub conversation_ids: Vec<ConversationId>,
    /// Priority.
    pub priority: Priority,
    /// Owning department (key).
    pub department: Option<String>,
    /// Person working on it.
    pub assignee_id: Option<UserId>,
    /// Workflow state key.
    pub state: String,
    /// Free tags.
    pub tags: Vec<String>,
    /// Files.
    pub attachments: Vec<Attachment>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
    /// SLA clocks.
    pub sla: SlaClock,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
    /// Reached a terminal state.
    pub closed_at: Option<Millis>,
}

/// A department (客服, 法务, 技术 …) and its members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    /// Id.
    pub id: DepartmentId,
    /// Shop.
    pub shop_id: ShopId,
    /// Stable key used by workflows, e.g. `legal`.
    pub key: String,
    /// Display name, e.g. 法务.
    pub name: String,
    /// Members.
    pub members: Vec<UserId>,
}

/// Which tickets to list.
#[derive(Clone, Debug, Default)]
pub struct TicketFilter {
    /// Only this state.
    pub state: Option<String>,
    /// Only this department.
    pub department: Option<String>,
    /// Only this type.
    pub ticket_type: Option<String>,
    /// Only this assignee.
    pub assignee_id: Option<UserId>,
    /// Only this customer.
    pub customer_id: Option<CustomerId>,
    /// Only open (not closed) tickets.
    pub open_only: bool,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The messages of a conversation a ticket attaches by choice, in dialogue order; every
/// chosen id must be one of the conversation's messages.
pub fn chosen_messages(all: Vec<Message>, ids: &[crate::ids::MessageId]) -> Result<Vec<Message>, crate::error::CoreError> {
    if let Some(missing) = ids.iter().find(|id| !all.iter().any(|m| m.id == **id)) {
        return Err(crate::error::CoreError::Invalid(crate::error::msg("error-ticket-message-foreign").arg("message", missing.to_string())));
    }
    Ok(all.into_iter().filter(|m| ids.contains(&m.id)).collect())
}

/// The transcript copied into a ticket created from a conversation: one line per message,
/// internal notes only when the creator asked for them. Empty when there is nothing to copy.
pub fn transcript_text(messages: &[Message], include_notes: bool) -> String {
    let lines: Vec<String> = messages
        .iter()
        .filter(|m| include_notes || m.sender_kind != SenderKind::Note)
        .map(|m| format!("[{}] {}\n", m.sender_kind.as_str(), m.content))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\n\n— 会话记录 —\n{}", lines.concat())
}

#[cfg(test)]
mod transcript_tests {
    use super::*;
    use crate::customer::Channel;
    use crate::ids::{MessageId, ShopId};

    fn line(kind: SenderKind, text: &str) -> Message {
        Message {
            id: MessageId::new(),
            shop_id: ShopId::new(),
            conversation_id: ConversationId::new(),
            customer_id: CustomerId::new(),
            seq: 1,
            direction: kind.direction(),
            sender_kind: kind,
            sender_id: None,
            channel: Channel::Widget,
            content: text.into(),
            client_id: None,
            created_at: 0,
        }
    }

    #[test]
    fn notes_are_copied_only_when_asked() {
        let msgs = [line(SenderKind::Customer, "我的快递没到"), line(SenderKind::Note, "这位客户上周投诉过"), line(SenderKind::Agent, "帮您查一下")];
        let without = transcript_text(&msgs, false);
        assert!(without.contains("[customer] 我的快递没到") && without.contains("[agent] 帮您查一下"), "{without}");
        assert!(!without.contains("上周投诉过"), "{without}");
        assert!(transcript_text(&msgs, true).contains("[note] 这位客户上周投诉过"));
        assert_eq!(transcript_text(&msgs[1..2], false), "", "only notes and not asked: nothing to copy");
    }
}
