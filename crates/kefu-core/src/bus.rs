//! The event bus: committed changes are published here for every downstream consumer
//! (realtime fan-out now; metrics, alerts and webhooks later). In-process now; a NATS
//! JetStream implementation will sit behind the same trait for multi-node deployments.

use crate::conversation::Conversation;
use crate::event::Event;
use crate::ids::ShopId;
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
