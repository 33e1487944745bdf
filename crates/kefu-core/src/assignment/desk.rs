//! The per-shop desk: agent presence and load, the round-robin cursor and the queue.

use crate::clock::Millis;
use crate::ids::{ConversationId, CustomerId, UserId};
use crate::shop::Presence;
use std::collections::{BTreeMap, VecDeque};

/// A conversation waiting for an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedConversation {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its customer (to take the customer's lock before changing it).
    pub customer_id: CustomerId,
    /// Since when it waits.
    pub since: Millis,
}

#[derive(Clone, Debug)]
struct Seat {
    presence: Presence,
    load: u32,
    capacity: u32,
}

/// Hot assignment state of one shop. Pure data: no IO, no locking of its own.
#[derive(Debug, Default)]
pub struct Desk {
    seats: BTreeMap<UserId, Seat>,
    last_pick: Option<UserId>,
    queue: VecDeque<QueuedConversation>,
}

impl Desk {
    /// Record an agent's presence and capacity (creating the seat on first sight).
    pub fn set_presence(&mut self, agent: UserId, presence: Presence, capacity: u32) {
        let seat = self.seats.entry(agent).or_insert(Seat { presence, load: 0, capacity });
        seat.presence = presence;
        seat.capacity = capacity;
    }

    /// An agent's presence (offline if never seen).
    pub fn presence(&self, agent: UserId) -> Presence {
        self.seats.get(&agent).map(|s| s.presence).unwrap_or_default()
    }

    /// Count a conversation already assigned to `agent` (when rebuilding from the store, or
    /// after a manual assignment).
    pub fn add_load(&mut self, agent: UserId) {
        self.seats
            .entry(agent)
            .or_insert(Seat { presence: Presence::Offline, load: 0, capacity: 0 })
            .load += 1;
    }

    /// A conversation left `agent` (resolved or moved).
    pub fn release(&mut self, agent: UserId) {
        if let Some(s) = self.seats.get_mut(&agent) {
            s.load = s.load.saturating_sub(1);
        }
    }

    /// How many conversations `agent` has.
    pub fn load(&self, agent: UserId) -> u32 {
        self.seats.get(&agent).map(|s| s.load).unwrap_or(0)
    }

    /// Pick the next online agent with spare capacity after the last one picked, and count
    /// the conversation against them. `None` when nobody can take it.
    pub fn pick(&mut self) -> Option<UserId> {
        let eligible = |s: &Seat| s.presence == Presence::Online && s.load < s.capacity;
        let after = self.last_pick;
        let next = self
            .seats
            .iter()
            .filter(|(id, _)| after.is_none_or(|a| **id > a))
            .chain(self.seats.iter().filter(|(id, _)| after.is_some_and(|a| **id <= a)))
            .find(|(_, s)| eligible(s))
            .map(|(id, _)| *id)?;
        self.last_pick = Some(next);
        self.add_load(next);
        Some(next)
    }

    /// Put a conversation at the back of the queue (once).
    pub fn enqueue(&mut self, q: QueuedConversation) {
        if !self.queue.iter().any(|e| e.conversation_id == q.conversation_id) {
            self.queue.push_back(q);
        }
    }

    /// Put a conversation back at the front (an assignment attempt failed).
    pub fn requeue_front(&mut self, q: QueuedConversation) {
        self.remove_from_queue(q.conversation_id);
        self.queue.push_front(q);
    }

    /// Take a conversation out of the queue (assigned by hand, resolved …).
    pub fn remove_from_queue(&mut self, id: ConversationId) -> bool {
        let before = self.queue.len();
        self.queue.retain(|e| e.conversation_id != id);
        before != self.queue.len()
    }

    /// The longest-waiting conversation together with an agent for it, if both exist; the
    /// conversation leaves the queue and the agent's load goes up.
    pub fn next_assignment(&mut self) -> Option<(QueuedConversation, UserId)> {
        if self.queue.is_empty() {
            return None;
        }
        let agent = self.pick()?;
        let q = self.queue.pop_front()?;
        Some((q, agent))
    }

    /// 1-based position in the queue.
    pub fn queue_position(&self, id: ConversationId) -> Option<usize> {
        self.queue.iter().position(|e| e.conversation_id == id).map(|p| p + 1)
    }

    /// How many wait.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> QueuedConversation {
        QueuedConversation { conversation_id: ConversationId::new(), customer_id: CustomerId::new(), since: 0 }
    }

    #[test]
    fn round_robin_over_online_agents_with_capacity() {
        let mut d = Desk::default();
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        d.set_presence(a, Presence::Online, 2);
        d.set_presence(b, Presence::Online, 2);
        d.set_presence(c, Presence::Away, 2);
        let picks: Vec<_> = (0..5).map(|_| d.pick()).collect();
        assert_eq!(picks, vec![Some(a), Some(b), Some(a), Some(b), None]);
        assert_eq!(d.load(a), 2);
        d.release(b);
        assert_eq!(d.pick(), Some(b));
    }

    #[test]
    fn nobody_online_means_queue_and_order_is_kept() {
        let mut d = Desk::default();
        let (q1, q2) = (q(), q());
        d.enqueue(q1);
        d.enqueue(q2);
        d.enqueue(q1);
        assert_eq!(d.queue_len(), 2);
        assert_eq!(d.next_assignment(), None);
        assert_eq!(d.queue_position(q2.conversation_id), Some(2));
        let a = UserId::new();
        d.set_presence(a, Presence::Online, 10);
        assert_eq!(d.next_assignment(), Some((q1, a)));
        assert_eq!(d.queue_position(q2.conversation_id), Some(1));
        assert!(d.remove_from_queue(q2.conversation_id));
        assert_eq!(d.next_assignment(), None);
    }
}
