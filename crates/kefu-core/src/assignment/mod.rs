//! Who gets a conversation. For now a round-robin over a shop's online agents with spare
//! capacity, or the queue when there is none; the routing work replaces the policy, not the
//! shape: one `Desk` per shop, mutated in one place.

mod desk;

pub use desk::{Desk, QueuedConversation};
