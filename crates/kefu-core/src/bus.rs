//! The event bus: committed changes are published here for every downstream consumer
//! (realtime fan-out now; metrics, alerts and webhooks later). In-process now; a NATS
//! JetStream implementation will sit behind the same trait for multi-node deployments.

use crate::clock::Millis;
use crate::conversation::Conversation;
use crate::event::Event;
use crate::ids::{ConversationId, CustomerId, ShopId, UserId};
use crate::message::Message;
use std::sync::Arc;
use tokio::sync::broadcast;

/// One committed change set, as consumers see it.
#[derive(Clone, Debug)]
pub struct Committed {
    /// Shop.
    pub shop_id: ShopId,
    /// The events appended.
    pub events: Vec<Event>,
    /// The conversation as it now stands, when one changed.
    pub conversation: Option<Conversation>,
    /// The message written, when one was.
    pub message: Option<Message>,
    /// The ticket as it now stands, when one changed, and whom to tell.
    pub ticket: Option<(crate::tickets::Ticket, Vec<crate::tickets::Notify>)>,
    /// Hot-state news that is not stored (offers, queue positions, transfer notes).
    pub notices: Vec<Notice>,
    /// Options the bot's `message` offers as quick-reply buttons (a flow's slot values); live
    /// only, the stored message is its text.
    pub quick_replies: Vec<String>,
}

/// News from the routing desk for live sockets only; nothing here is in the store.
#[derive(Clone, Debug)]
pub enum Notice {
    /// The bot handed a conversation over; the agents get the context card.
    HandedOff {
        /// The conversation.
        conversation_id: ConversationId,
        /// The agent it went to, if one was free.
        agent_id: Option<UserId>,
        /// What the bot saw and why it handed over.
        card: Arc<crate::bot::ContextCard>,
    },
    /// A conversation is offered to an agent until `expires_at`.
    Offer {
        /// The conversation.
        conversation_id: ConversationId,
        /// To whom.
        agent_id: UserId,
        /// Accept before this.
        expires_at: Millis,
    },
    /// An offer lapsed or was declined; the conversation went back to the queue.
    OfferWithdrawn {
        /// The conversation.
        conversation_id: ConversationId,
        /// Whose offer it was.
        agent_id: UserId,
    },
    /// A waiting customer's place in the queue changed.
    QueuePosition {
        /// The customer.
        customer_id: CustomerId,
        /// Their conversation.
        conversation_id: ConversationId,
        /// 1-based place.
        position: usize,
        /// Expected wait in seconds.
        expected_wait_secs: u64,
    },
    /// A conversation was transferred, with the note for the receiving side.
    Transferred {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who moved it.
        by: UserId,
        /// The agent it went to.
        to_agent: Option<UserId>,
        /// The team it went to.
        to_team: Option<String>,
        /// The note for the next agent.
        note: Option<String>,
    },
}

/// Publishes committed changes to subscribers.
pub trait EventBus: Send + Sync + 'static {
    /// Publish after commit. Never blocks; slow subscribers lose the oldest items.
    fn publish(&self, item: Arc<Committed>);
    /// A new subscription that sees everything published from now on.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>>;
}

/// The in-process bus over a tokio broadcast channel.
#[derive(Debug)]
pub struct LocalBus {
    tx: broadcast::Sender<Arc<Committed>>,
}

impl LocalBus {
    /// A bus that buffers up to `capacity` items per slow subscriber.
    pub fn new(capacity: usize) -> Self {
        Self { tx: broadcast::channel(capacity).0 }
    }
}

impl EventBus for LocalBus {
    fn publish(&self, item: Arc<Committed>) {
        // No subscriber is not an error: the log in the store is the record.
        let _ = self.tx.send(item);
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.tx.subscribe()
    }
}
