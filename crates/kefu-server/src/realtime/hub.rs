//! The registry of live sockets and delivery of frames to them.

use super::frames::{encode, ServerFrame};
use crate::metrics::Metrics;
use axum::extract::ws::Utf8Bytes;
use kefu_core::bus::{Committed, Notice};
use kefu_core::ids::{CustomerId, ShopId, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use tokio::sync::mpsc;

/// Frames a socket may have waiting before it counts as too slow and is dropped.
const OUTBOX: usize = 512;

struct Conn {
    id: u64,
    /// The agent, for agent sockets.
    user_id: Option<UserId>,
    /// The shop, for widget sockets (agent sockets are filed by shop already).
    shop: Option<ShopId>,
    tx: mpsc::Sender<Utf8Bytes>,
}

/// Live sockets by shop (agents) and by customer (widget).
pub struct Hub {
    next_id: AtomicU64,
    agents: RwLock<HashMap<ShopId, Vec<Conn>>>,
    customers: RwLock<HashMap<CustomerId, Vec<Conn>>>,
    /// Widget sockets of visitors who have not written yet (no customer exists for them).
    visitors: RwLock<HashMap<u64, Conn>>,
    metrics: Arc<Metrics>,
    words: Arc<crate::privacy::SensitiveWords>,
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    /// An empty hub.
    pub fn new(metrics: Arc<Metrics>, words: Arc<crate::privacy::SensitiveWords>) -> Self {
        Self { next_id: AtomicU64::new(1), agents: RwLock::default(), customers: RwLock::default(), visitors: RwLock::default(), metrics, words }
    }

    /// Register an agent socket; returns its id, its outbox, and whether it is the user's first.
    pub fn register_agent(&self, shop: ShopId, user: UserId) -> (u64, mpsc::Receiver<Utf8Bytes>, bool) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(OUTBOX);
        let mut agents = write(&self.agents);
        let conns = agents.entry(shop).or_default();
        let first = !conns.iter().any(|c| c.user_id == Some(user));
        conns.push(Conn { id, user_id: Some(user), shop: None, tx });
        self.metrics.agent_sockets.inc();
        (id, rx, first)
    }

    /// Remove an agent socket; true when the user has no socket left.
    pub fn unregister_agent(&self, shop: ShopId, user: UserId, id: u64) -> bool {
        let mut agents = write(&self.agents);
        let Some(conns) = agents.get_mut(&shop) else { return true };
        let before = conns.len();
        conns.retain(|c| c.id != id);
        if conns.len() != before {
            self.metrics.agent_sockets.dec();
        }
        let last = !conns.iter().any(|c| c.user_id == Some(user));
        if conns.is_empty() {
            agents.remove(&shop);
        }
        last
    }

    /// Close every socket of one person at once (deactivated): dropping a socket's sender
    /// ends its loop, which closes the connection.
    pub fn drop_agent(&self, shop: ShopId, user: UserId) {
        let mut agents = write(&self.agents);
        if let Some(conns) = agents.get_mut(&shop) {
            let before = conns.len();
            conns.retain(|c| c.user_id != Some(user));
            for _ in conns.len()..before {
                self.metrics.agent_sockets.dec();
            }
        }
    }

    /// Close every agent and widget socket of a shop (suspended): their outboxes end, and
    /// with them the sockets.
    pub fn drop_shop(&self, shop: ShopId) {
        if let Some(conns) = write(&self.agents).remove(&shop) {
            for _ in 0..conns.len() {
                self.metrics.agent_sockets.dec();
            }
        }
        let mut dropped = 0;
        let mut customers = write(&self.customers);
        for conns in customers.values_mut() {
            let before = conns.len();
            conns.retain(|c| c.shop != Some(shop));
            dropped += before - conns.len();
        }
        customers.retain(|_, c| !c.is_empty());
        drop(customers);
        let mut visitors = write(&self.visitors);
        let before = visitors.len();
        visitors.retain(|_, c| c.shop != Some(shop));
        dropped += before - visitors.len();
        for _ in 0..dropped {
            self.metrics.widget_sockets.dec();
        }
    }

    /// Whether the user has a live workspace.
    pub fn has_agent(&self, shop: ShopId, user: UserId) -> bool {
        read(&self.agents).get(&shop).is_some_and(|c| c.iter().any(|c| c.user_id == Some(user)))
    }

    /// Open a widget socket: its id and outbox. It receives frames once it is attached to a
    /// customer (at open for a known visitor, on the first message for a new one, whose
    /// customer does not exist before); until then the hub holds it by shop only.
    pub fn open_widget(&self, shop: ShopId) -> (u64, mpsc::Receiver<Utf8Bytes>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(OUTBOX);
        write(&self.visitors).insert(id, Conn { id, user_id: None, shop: Some(shop), tx });
        self.metrics.widget_sockets.inc();
        (id, rx)
    }

    /// Deliver a customer's frames to an open widget socket (nothing if the socket was
    /// closed meanwhile, e.g. its shop was suspended).
    pub fn attach_customer(&self, customer: CustomerId, id: u64) {
        let Some(conn) = write(&self.visitors).remove(&id) else { return };
        write(&self.customers).entry(customer).or_default().push(conn);
    }

    /// Remove a widget socket (attached to `customer`, if it ever was).
    pub fn close_widget(&self, customer: Option<CustomerId>, id: u64) {
        let mut removed = write(&self.visitors).remove(&id).is_some();
        if let Some(customer) = customer {
            let mut customers = write(&self.customers);
            if let Some(conns) = customers.get_mut(&customer) {
                let before = conns.len();
                conns.retain(|c| c.id != id);
                removed |= conns.len() != before;
                if conns.is_empty() {
                    customers.remove(&customer);
                }
            }
        }
        if removed {
            self.metrics.widget_sockets.dec();
        }
    }

    /// Push a committed change to everyone who should see it.
    pub fn deliver(&self, item: &Committed) {
        if let Some(c) = &item.conversation {
            let masked = crate::privacy::mask_conversation(c);
            self.to_agents(item.shop_id, encode(&ServerFrame::Conversation { conversation: &masked }));
        }
        if let Some((ticket, notify)) = &item.ticket {
            let (ticket, _) = crate::privacy::documents::masked_ticket(ticket);
            self.to_agents(item.shop_id, encode(&ServerFrame::Ticket { ticket: &ticket, notify }));
        }
        for notice in &item.notices {
            self.deliver_notice(item.shop_id, notice);
        }
        if let Some(m) = &item.message {
            // Agents see PII masked and the sensitive words flagged; the customer sees their
            // own dialogue as written.
            let view = crate::privacy::message_view(m, &self.words.for_shop(item.shop_id));
            self.to_agents(item.shop_id, encode(&ServerFrame::AgentMessage { message: &view }));
            // Internal notes stay with the agents.
            if m.sender_kind.for_customer() {
                self.to_customer(m.customer_id, encode(&ServerFrame::Message { message: m, quick_replies: &item.quick_replies }));
            }
        }
    }

    /// Tell the shop's agents that a customer is typing.
    pub fn customer_typing(&self, shop: ShopId, customer: CustomerId) {
        self.to_agents(shop, encode(&ServerFrame::Typing { from: "customer", customer_id: Some(customer.to_string()) }));
    }

    /// Tell a customer's widget that an agent is typing.
    pub fn agent_typing(&self, customer: CustomerId) {
        self.to_customer(customer, encode(&ServerFrame::Typing { from: "agent", customer_id: None }));
    }

    fn deliver_notice(&self, shop: ShopId, notice: &Notice) {
        match notice {
            Notice::Offer { conversation_id, agent_id, expires_at } => {
                self.to_agent(shop, *agent_id, encode(&ServerFrame::Offer { conversation_id: *conversation_id, expires_at: *expires_at }))
            }
            Notice::OfferWithdrawn { conversation_id, agent_id } => {
                self.to_agent(shop, *agent_id, encode(&ServerFrame::OfferWithdrawn { conversation_id: *conversation_id }))
            }
            Notice::QueuePosition { customer_id, position, expected_wait_secs, .. } => {
                self.to_customer(*customer_id, encode(&ServerFrame::Queue { position: *position, expected_wait_secs: *expected_wait_secs }))
            }
            Notice::HandedOff { conversation_id, agent_id, card } => {
                let card = crate::privacy::mask_card(card);
                self.to_agents(shop, encode(&ServerFrame::Handoff { conversation_id: *conversation_id, agent_id: *agent_id, card: &card }))
            }
            Notice::Transferred { conversation_id, by, to_agent, to_team, note } => self.to_agents(
                shop,
                encode(&ServerFrame::Transferred {
                    conversation_id: *conversation_id,
                    by: *by,
                    to_agent: *to_agent,
                    to_team: to_team.as_deref(),
                    note: note.as_deref(),
                }),
            ),
        }
    }

    /// Send a frame to the workspaces of some users of a shop (analytics alerts go to
    /// supervisors only).
    pub fn to_users(&self, shop: ShopId, users: &[UserId], frame: &serde_json::Value) {
        let frame = Utf8Bytes::from(frame.to_string());
        for u in users {
            self.to_agent(shop, *u, frame.clone());
        }
    }

    fn to_agent(&self, shop: ShopId, user: UserId, frame: Utf8Bytes) {
        let dropped = send_all(&self.agents, &shop, frame, Some(user));
        self.metrics.agent_sockets.dec_by(dropped);
    }

    fn to_agents(&self, shop: ShopId, frame: Utf8Bytes) {
        let dropped = send_all(&self.agents, &shop, frame, None);
        self.metrics.agent_sockets.dec_by(dropped);
    }

    fn to_customer(&self, customer: CustomerId, frame: Utf8Bytes) {
        let dropped = send_all(&self.customers, &customer, frame, None);
        self.metrics.widget_sockets.dec_by(dropped);
    }
}

/// Send to every socket under `key` (of one user, when `only` says so); sockets whose outbox
/// is full are dropped (the socket task then closes with "too slow" and the client
/// reconnects). Returns how many.
fn send_all<K: std::hash::Hash + Eq>(map: &RwLock<HashMap<K, Vec<Conn>>>, key: &K, frame: Utf8Bytes, only: Option<UserId>) -> i64 {
    let mut slow = Vec::new();
    if let Some(conns) = read(map).get(key) {
        for c in conns.iter().filter(|c| only.is_none_or(|u| c.user_id == Some(u))) {
            if c.tx.try_send(frame.clone()).is_err() {
                slow.push(c.id);
            }
        }
    }
    if !slow.is_empty() {
        if let Some(conns) = write(map).get_mut(key) {
            conns.retain(|c| !slow.contains(&c.id));
        }
    }
    slow.len() as i64
}
