//! The conversation state machine as pure functions: given the current conversation (if any)
//! and what just happened, return the new conversation and the events to append.

use super::{Conversation, Source, Status};
use crate::clock::Millis;
use crate::customer::{Channel, Customer};
use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::ids::{ConversationId, UserId};

/// What a new customer message does to the customer's conversations.
#[derive(Debug, Clone, PartialEq)]
pub enum Arrival {
    /// It continues an active conversation (bot, queued or assigned); no status change.
    Continue(Conversation),
    /// It reopens a resolved conversation, which needs assignment again.
    Reopen(Conversation),
    /// It starts a new conversation, which needs assignment.
    Start(Conversation),
}

impl Arrival {
    /// The conversation the message belongs to.
    pub fn conversation(&self) -> &Conversation {
        match self {
            Arrival::Continue(c) | Arrival::Reopen(c) | Arrival::Start(c) => c,
        }
    }

    /// Whether the conversation now needs an agent (or the queue).
    pub fn needs_assignment(&self) -> bool {
        !matches!(self, Arrival::Continue(_))
    }
}

/// Decide where a customer message goes, given the customer's open conversation.
pub fn on_customer_message(
    customer: &Customer,
    open: Option<&Conversation>,
    channel: Channel,
    now: Millis,
) -> (Arrival, Vec<Event>) {
    match open {
        Some(c) if c.status.is_active() => (Arrival::Continue(c.clone()), Vec::new()),
        Some(c) if c.status == Status::Resolved => {
            let mut c = c.clone();
            c.status = Status::Queued;
            c.agent_id = None;
            c.resolved_at = None;
            c.updated_at = now;
            let ev = Event::conversation(c.shop_id, c.id, c.customer_id, now, EventKind::ConversationReopened);
            (Arrival::Reopen(c), vec![ev])
        }
        _ => {
            let c = Conversation {
                id: ConversationId::new(),
                shop_id: customer.shop_id,
                customer_id: customer.id,
                channel,
                status: Status::Queued,
                source: Source::HumanOnly,
                team_id: None,
                agent_id: None,
                priority: 0,
                created_at: now,
                updated_at: now,
                handed_off_at: None,
                resolved_at: None,
                last_message_at: None,
                last_message_id: None,
                customer_name: customer.display_name.clone(),
                last_message_preview: None,
            };
            let ev = Event::conversation(
                c.shop_id,
                c.id,
                c.customer_id,
                now,
                EventKind::ConversationCreated { channel },
            );
            (Arrival::Start(c), vec![ev])
        }
    }
}

/// Put a conversation in the queue (no agent available).
pub fn queue(c: &mut Conversation, now: Millis) -> Event {
    c.status = Status::Queued;
    c.agent_id = None;
    c.handed_off_at.get_or_insert(now);
    c.updated_at = now;
    Event::conversation(c.shop_id, c.id, c.customer_id, now, EventKind::ConversationQueued)
}

/// Give a conversation to an agent. `by` is the user who did it (none when automatic).
pub fn assign(
    c: &mut Conversation,
    agent: UserId,
    by: Option<UserId>,
    now: Millis,
) -> Result<Event, CoreError> {
    if !c.status.is_open() || c.status == Status::Resolved {
        return Err(CoreError::Conflict(crate::error::msg("error-conversation-cannot-assign").arg("status", c.status.as_str())));
    }
    if c.status == Status::Bot {
        c.source = Source::BotToHuman;
    }
    c.status = Status::Assigned;
    c.agent_id = Some(agent);
    c.handed_off_at.get_or_insert(now);
    c.updated_at = now;
    Ok(Event::conversation(
        c.shop_id,
        c.id,
        c.customer_id,
        now,
        EventKind::ConversationAssigned { agent_id: agent, by },
    ))
}

/// Resolve a conversation.
pub fn resolve(c: &mut Conversation, by: Option<UserId>, now: Millis) -> Result<Event, CoreError> {
    if !c.status.is_active() {
        return Err(CoreError::Conflict(crate::error::msg("error-conversation-already").arg("status", c.status.as_str())));
    }
    c.status = Status::Resolved;
    c.resolved_at = Some(now);
    c.updated_at = now;
    Ok(Event::conversation(c.shop_id, c.id, c.customer_id, now, EventKind::ConversationResolved { by }))
}

/// Close a conversation for good (an agent ends it, or it went quiet).
pub fn close(c: &mut Conversation, by: Option<UserId>, reason: &str, now: Millis) -> Result<Event, CoreError> {
    if c.status == Status::Closed {
        return Err(CoreError::Conflict(crate::error::msg("error-conversation-closed")));
    }
    c.status = Status::Closed;
    c.resolved_at.get_or_insert(now);
    c.updated_at = now;
    Ok(Event::conversation(c.shop_id, c.id, c.customer_id, now, EventKind::ConversationClosed { by, reason: reason.into() }))
}

/// Send a conversation back to the queue of `team` (a transfer to a team).
pub fn requeue(c: &mut Conversation, team: Option<String>, now: Millis) -> Result<(), CoreError> {
    if !c.status.is_active() {
        return Err(CoreError::Conflict(crate::error::msg("error-conversation-cannot-transfer").arg("status", c.status.as_str())));
    }
    c.status = Status::Queued;
    c.agent_id = None;
    c.team_id = team;
    c.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, ShopId};

    fn customer() -> Customer {
        Customer {
            id: CustomerId::new(),
            shop_id: ShopId::new(),
            display_name: "访客".into(),
            last_seq: 0,
            tags: Vec::new(),
            merged_into: None,
            created_at: 0,
        }
    }

    #[test]
    fn first_message_starts_a_conversation() {
        let cu = customer();
        let (arrival, events) = on_customer_message(&cu, None, Channel::Widget, 10);
        assert!(matches!(arrival, Arrival::Start(_)));
        assert!(arrival.needs_assignment());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, EventKind::ConversationCreated { channel: Channel::Widget });
    }

    #[test]
    fn active_conversation_continues_resolved_reopens_closed_restarts() {
        let cu = customer();
        let (a, _) = on_customer_message(&cu, None, Channel::Widget, 10);
        let mut c = a.conversation().clone();
        let agent = UserId::new();
        assign(&mut c, agent, None, 11).unwrap();
        let (a2, ev2) = on_customer_message(&cu, Some(&c), Channel::Widget, 12);
        assert!(matches!(a2, Arrival::Continue(_)) && ev2.is_empty());

        resolve(&mut c, Some(agent), 13).unwrap();
        let (a3, ev3) = on_customer_message(&cu, Some(&c), Channel::Widget, 14);
        match a3 {
            Arrival::Reopen(r) => {
                assert_eq!(r.id, c.id);
                assert_eq!(r.status, Status::Queued);
                assert_eq!(r.agent_id, None);
            }
            other => panic!("expected reopen, got {other:?}"),
        }
        assert_eq!(ev3[0].kind, EventKind::ConversationReopened);

        c.status = Status::Closed;
        let (a4, _) = on_customer_message(&cu, Some(&c), Channel::Widget, 15);
        assert!(matches!(a4, Arrival::Start(ref n) if n.id != c.id));
    }

    #[test]
    fn illegal_transitions_are_refused() {
        let cu = customer();
        let (a, _) = on_customer_message(&cu, None, Channel::Api, 1);
        let mut c = a.conversation().clone();
        resolve(&mut c, None, 2).unwrap();
        assert!(matches!(resolve(&mut c, None, 3), Err(CoreError::Conflict(_))));
        assert!(matches!(assign(&mut c, UserId::new(), None, 3), Err(CoreError::Conflict(_))));
    }

    #[test]
    fn bot_to_human_source() {
        let cu = customer();
        let (a, _) = on_customer_message(&cu, None, Channel::Dm, 1);
        let mut c = a.conversation().clone();
        c.status = Status::Bot;
        assign(&mut c, UserId::new(), None, 2).unwrap();
        assert_eq!(c.source, Source::BotToHuman);
        assert_eq!(c.handed_off_at, Some(2));
    }
}
