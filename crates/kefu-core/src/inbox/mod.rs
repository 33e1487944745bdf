//! The inbox: the async glue of the message path. It loads what a decision needs from the
//! store, asks the pure state machine and the desk, commits the change set (durable before
//! anyone is told), then publishes it on the bus.
//!
//! Work on one customer is serialised by a striped lock, so sequence numbers, dedupe and
//! conversation creation never race, while different customers' writes share group commits.

mod agent_side;
mod bot_side;
mod learning_side;
mod experiment_side;
mod customer_side;
mod handover;
mod identity;
mod language;
mod platform_side;
mod notes;
mod people_side;
mod routing_side;
mod seat_side;

pub use identity::MergeKey;
pub use language::{noted_language, state_language};
pub use handover::{agent_joined_default, agent_joined_line, queue_answer, AGENT_JOINED_FIELD, PREFERENCES_KEY};
pub use bot_side::{TrainingStatus, LIVE_SESSION_KEY};
pub use experiment_side::{ExperimentResults, FaqFigures, VariantResult};
pub use routing_side::{TransferTarget, VIP_TAG};

use crate::routing::{Desk, RoutingConfig, Waiting};
use crate::bus::{Committed, EventBus};
use crate::clock::Clock;
use crate::conversation::{Conversation, Status};
use crate::error::CoreError;
use crate::ids::{CustomerId, ShopId, UserId};
use crate::message::Message;
use crate::shop::Role;
use crate::store::{Change, ChangeSet, Store};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio::sync::Mutex as AsyncMutex;

/// How many lock stripes serialise per-customer work.
const STRIPES: usize = 1024;

/// The back-office user acting, as the inbox needs to know them.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    /// Their shop.
    pub shop_id: ShopId,
    /// Who.
    pub user_id: UserId,
    /// With what rights.
    pub role: Role,
}

/// The result of writing a message.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The stored message (the original one for a resend).
    pub message: Message,
    /// Its conversation as it now stands.
    pub conversation: Conversation,
    /// True when this was a resend of an already stored message.
    pub duplicate: bool,
}

/// Defaults the inbox applies.
#[derive(Clone, Debug)]
pub struct InboxSettings {
    /// Conversations an agent holds at once when their account says nothing else.
    pub default_capacity: u32,
}

impl Default for InboxSettings {
    fn default() -> Self {
        Self { default_capacity: 10 }
    }
}

/// The message path's coordinator. One per process.
pub struct Inbox<S: Store> {
    store: Arc<S>,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
    desks: Mutex<HashMap<ShopId, Desk>>,
    configs: Mutex<HashMap<ShopId, Arc<RoutingConfig>>>,
    customer_locks: Vec<AsyncMutex<()>>,
    identity_locks: Vec<AsyncMutex<()>>,
    settings: InboxSettings,
    outbound: OnceLock<Arc<dyn crate::outbox::Outbound>>,
    brains: Mutex<HashMap<ShopId, Arc<crate::bot::Brain>>>,
    training: Mutex<HashMap<ShopId, bot_side::TrainingStatus>>,
    kb_lock: AsyncMutex<()>,
}

impl<S: Store> Inbox<S> {
    /// A new inbox over a store, a bus and a clock.
    pub fn new(store: Arc<S>, bus: Arc<dyn EventBus>, clock: Arc<dyn Clock>, settings: InboxSettings) -> Self {
        Self {
            store,
            bus,
            clock,
            desks: Mutex::new(HashMap::new()),
            configs: Mutex::new(HashMap::new()),
            customer_locks: (0..STRIPES).map(|_| AsyncMutex::new(())).collect(),
            identity_locks: (0..STRIPES).map(|_| AsyncMutex::new(())).collect(),
            settings,
            outbound: OnceLock::new(),
            brains: Mutex::new(HashMap::new()),
            training: Mutex::new(HashMap::new()),
            kb_lock: AsyncMutex::new(()),
        }
    }

    /// Install the hook that adds outbox deliveries to every commit (once, at start; later
    /// calls are ignored).
    pub fn set_outbound(&self, outbound: Arc<dyn crate::outbox::Outbound>) {
        let _ = self.outbound.set(outbound);
    }

    /// The store, for reads the HTTP layer does directly.
    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    /// The bus, for consumers to subscribe.
    pub fn bus(&self) -> &Arc<dyn EventBus> {
        &self.bus
    }

    /// The clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Rebuild hot state (agent loads, queues) from the store; call once at start.
    pub async fn rebuild(&self) -> Result<usize, CoreError> {
        let mut active = self.store.active_conversations().await?;
        active.sort_by_key(|c| (c.handed_off_at.unwrap_or(c.created_at), c.id));
        for c in &active {
            self.ready(c.shop_id).await;
            let now = self.clock.now();
            self.with_desk(c.shop_id, |desk| match (c.status, c.agent_id) {
                (Status::Assigned, Some(agent)) => desk.add_load(agent, Some(c.customer_id), now),
                (Status::Queued, _) => desk.enqueue(Waiting {
                    conversation_id: c.id,
                    customer_id: c.customer_id,
                    team: c.team_id.clone(),
                    priority: c.priority,
                    since: c.handed_off_at.unwrap_or(c.created_at),
                    language: None,
                    vip: false,
                }),
                _ => {}
            });
        }
        Ok(active.len())
    }

    /// The 1-based queue position of a conversation and its expected wait in seconds.
    pub fn queue_position(&self, shop: ShopId, conversation: crate::ids::ConversationId) -> Option<(usize, u64)> {
        self.desks().get(&shop).and_then(|d| d.position(conversation))
    }

    fn desks(&self) -> MutexGuard<'_, HashMap<ShopId, Desk>> {
        // A panic while holding the desk lock leaves plain data behind; keep serving.
        self.desks.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn configs(&self) -> MutexGuard<'_, HashMap<ShopId, Arc<RoutingConfig>>> {
        self.configs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with_desk<R>(&self, shop: ShopId, f: impl FnOnce(&mut Desk) -> R) -> R {
        f(self.desks().entry(shop).or_default())
    }

    async fn lock_customer(&self, id: CustomerId) -> tokio::sync::MutexGuard<'_, ()> {
        self.customer_locks[stripe(&id)].lock().await
    }

    async fn lock_identity(&self, key: &impl Hash) -> tokio::sync::MutexGuard<'_, ()> {
        self.identity_locks[stripe(key)].lock().await
    }

    /// Publish hot-state notices (nothing to store).
    fn publish_notices(&self, shop_id: ShopId, notices: Vec<crate::bus::Notice>) {
        if !notices.is_empty() {
            self.bus.publish(Arc::new(Committed { shop_id, events: Vec::new(), conversation: None, message: None, ticket: None, notices, quick_replies: Vec::new() }));
        }
    }

    /// Commit, then publish. Nothing is published for a failed commit.
    async fn commit(
        &self,
        shop_id: ShopId,
        changes: ChangeSet,
        conversation: Option<Conversation>,
        message: Option<Message>,
    ) -> Result<(), CoreError> {
        let item = Committed { shop_id, events: changes.events.clone(), conversation, message, ticket: None, notices: Vec::new(), quick_replies: Vec::new() };
        self.commit_item(changes, item).await
    }

    /// Commit events that change no row (analytics alerts) with their outbox deliveries,
    /// and publish them.
    pub async fn commit_events(&self, shop_id: ShopId, events: Vec<crate::event::Event>) -> Result<(), CoreError> {
        self.commit(shop_id, ChangeSet { changes: Vec::new(), events }, None, None).await
    }

    /// Commit a ticket change and publish it with whom to notify.
    pub async fn commit_ticket(
        &self,
        changes: ChangeSet,
        ticket: crate::tickets::Ticket,
        notify: Vec<crate::tickets::Notify>,
    ) -> Result<(), CoreError> {
        let item = Committed { shop_id: ticket.shop_id, events: changes.events.clone(), conversation: None, message: None, ticket: Some((ticket, notify)), notices: Vec::new(), quick_replies: Vec::new() };
        self.commit_item(changes, item).await
    }

    /// Add the outbox deliveries the change causes (same transaction), commit, publish.
    async fn commit_item(&self, changes: ChangeSet, item: Committed) -> Result<(), CoreError> {
        self.commit_items(changes, vec![item]).await
    }

    /// One transaction that consumers see as several items in order (a customer message and
    /// the bot's replies to it).
    async fn commit_items(&self, mut changes: ChangeSet, items: Vec<Committed>) -> Result<(), CoreError> {
        if let Some(outbound) = self.outbound.get() {
            for item in &items {
                for d in outbound.deliveries(item, self.clock.now()) {
                    changes.push(Change::EnqueueDelivery(d));
                }
            }
        }
        self.store.apply(changes).await?;
        for item in items {
            self.bus.publish(Arc::new(item));
        }
        Ok(())
    }
}

/// Record `message` as the conversation's latest and build the change set that stores both,
/// advances the customer's sequence and appends `events`.
fn record_message(conversation: &mut Conversation, message: &Message, dedupe_key: Option<String>, events: Vec<crate::event::Event>) -> ChangeSet {
    conversation.last_message_at = Some(message.created_at);
    conversation.last_message_id = Some(message.id);
    conversation.last_message_preview = Some(crate::message::preview(&message.content));
    conversation.updated_at = message.created_at;
    let mut cs = ChangeSet { events, ..Default::default() };
    cs.push(Change::PutConversation(conversation.clone()))
        .push(Change::InsertMessage { message: message.clone(), dedupe_key })
        .push(Change::SetCustomerLastSeq {
            shop_id: message.shop_id,
            customer_id: message.customer_id,
            last_seq: message.seq,
        });
    cs
}

/// Append one more message of the same conversation to a change set built by
/// `record_message` (the bot's replies after the customer's message).
fn append_message(cs: &mut ChangeSet, conversation: &mut Conversation, message: &Message) {
    conversation.last_message_at = Some(message.created_at);
    conversation.last_message_id = Some(message.id);
    conversation.last_message_preview = Some(crate::message::preview(&message.content));
    cs.push(Change::InsertMessage { message: message.clone(), dedupe_key: None })
        .push(Change::SetCustomerLastSeq { shop_id: message.shop_id, customer_id: message.customer_id, last_seq: message.seq })
        .push(Change::PutConversation(conversation.clone()));
}

fn stripe(key: &impl Hash) -> usize {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() as usize) % STRIPES
}
