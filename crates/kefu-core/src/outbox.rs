//! The outbox: deliveries to other systems (replies to platform channels, outgoing webhooks)
//! written in the same transaction as what they deliver, then sent by a worker with retries.
//! Here are the rows, the retry policy and the hook the inbox calls at commit; the worker and
//! the HTTP client live in the server.

use crate::bus::Committed;
use crate::clock::Millis;
use crate::error::CoreError;
use crate::event::EventKind;
use crate::ids::{DeliveryId, ShopId, WebhookId};
use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its turn or its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Gave up after the last attempt (replay to try again).
    Dead,
}

impl DeliveryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [DeliveryState::Pending, DeliveryState::Delivered, DeliveryState::Dead].into_iter().find(|d| d.as_str() == s)
    }
}

/// Whom a delivery is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A message to a customer, through the platform channel they wrote from (resolved when
    /// sent, so a customer who moved channel is answered where they are now).
    Reply,
    /// An outgoing webhook subscription.
    Webhook {
        /// The subscription.
        webhook_id: WebhookId,
    },
}

/// One delivery.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Id; receivers drop repeats by it (`X-Kefu-Delivery`).
    pub id: DeliveryId,
    /// Shop.
    pub shop_id: ShopId,
    /// Whom for.
    pub target: Target,
    /// Deliveries with the same key go out one at a time in commit order (a conversation
    /// for replies, a subscription for webhooks).
    pub order_key: String,
    /// Event name, e.g. `reply` or `message.created`.
    pub event: String,
    /// The JSON body (sealed at rest: replies carry message text).
    #[serde(skip)]
    pub payload: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// Not before this time.
    pub next_attempt_at: Millis,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Creation time.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

/// How failed deliveries are retried: exponential backoff from `base_ms` doubling up to
/// `cap_ms`, with jitter, and dead after `max_attempts` attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure.
    pub base_ms: Millis,
    /// Longest delay.
    pub cap_ms: Millis,
    /// Attempts before the delivery is dead.
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// After `attempts` failed attempts: the delay before the next one, or `None` when the
    /// delivery is dead. `entropy` is any random number; half the delay is random ("equal
    /// jitter"), so receivers coming back up are not hit by every sender at once.
    pub fn next_delay(&self, attempts: u32, entropy: u64) -> Option<Millis> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exp = self.base_ms.max(1).saturating_mul(1i64 << attempts.saturating_sub(1).min(40));
        let full = exp.min(self.cap_ms.max(1));
        let half = full / 2;
        Some(full - half + (entropy % (half as u64 + 1)) as Millis)
    }
}

/// A shop's subscription of a URL to events; deliveries are signed with its secret.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookSubscription {
    /// Id.
    pub id: WebhookId,
    /// Shop.
    pub shop_id: ShopId,
    /// Where events are posted.
    pub url: String,
    /// Event names or patterns (`ticket.*`).
    pub events: Vec<String>,
    /// The signing secret (sealed at rest, shown once at creation).
    #[serde(skip)]
    pub secret: String,
    /// Creation time.
    pub created_at: Millis,
    /// When it was deleted (deleted subscriptions receive nothing more).
    pub deleted_at: Option<Millis>,
}

impl WebhookSubscription {
    /// Whether it wants this event.
    pub fn wants(&self, event: &str) -> bool {
        self.deleted_at.is_none() && self.events.iter().any(|p| pattern_matches(p, event))
    }
}

/// The webhook event names kefu emits.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "customer.created",
    "conversation.created",
    "conversation.queued",
    "conversation.assigned",
    "conversation.resolved",
    "conversation.reopened",
    "message.created",
    "ticket.created",
    "ticket.moved",
    "ticket.sla",
    "alert.raised",
    "alert.resolved",
];

/// The webhook event a domain event is published as, if any.
pub fn webhook_event(kind: &EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::CustomerCreated { .. } => "customer.created",
        EventKind::ConversationCreated { .. } => "conversation.created",
        EventKind::ConversationQueued => "conversation.queued",
        EventKind::ConversationAssigned { .. } => "conversation.assigned",
        EventKind::ConversationResolved { .. } => "conversation.resolved",
        EventKind::ConversationReopened => "conversation.reopened",
        EventKind::MessageReceived { .. } | EventKind::MessageSent { .. } => "message.created",
        EventKind::HandedOff { .. } => "conversation.handed_off",
        EventKind::ConversationRated { .. } => "conversation.rated",
        EventKind::TicketCreated { .. } => "ticket.created",
        EventKind::TicketMoved { .. } => "ticket.moved",
        EventKind::TicketSla { .. } => "ticket.sla",
        EventKind::AlertRaised { .. } => "alert.raised",
        EventKind::AlertResolved { .. } => "alert.resolved",
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

/// Whether a subscription pattern (`message.created`, `ticket.*`, `*`) covers an event.
pub fn pattern_matches(pattern: &str, event: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => event.starts_with(prefix),
        None => pattern == event,
    }
}

/// Check subscription patterns: each must name or cover at least one event kefu emits.
pub fn validate_patterns(patterns: &[String]) -> Result<(), CoreError> {
    if patterns.is_empty() || patterns.len() > 50 {
        return Err(CoreError::Invalid(crate::error::msg("error-webhook-events-count")));
    }
    for p in patterns {
        if !WEBHOOK_EVENTS.iter().any(|e| pattern_matches(p, e)) {
            return Err(CoreError::Invalid(crate::error::msg("error-webhook-event-unknown").arg("event", p.to_string()).arg("known", WEBHOOK_EVENTS.join(", "))));
        }
    }
    Ok(())
}

/// Decides, at commit, which deliveries a change causes. Called by the inbox inside the
/// commit so outbox rows are written in the same transaction as the message or event they
/// deliver: nothing is lost in a crash between the two, and nothing is sent for a change
/// that did not commit.
pub trait Outbound: Send + Sync + 'static {
    /// The deliveries for a change about to be committed (`item` as the bus will see it).
    fn deliveries(&self, item: &Committed, now: Millis) -> Vec<Delivery>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: RetryPolicy = RetryPolicy { base_ms: 100, cap_ms: 10_000, max_attempts: 5 };

    #[test]
    fn backoff_doubles_to_the_cap_then_gives_up() {
        let top = |n| P.next_delay(n, u64::MAX).unwrap_or(-1);
        assert_eq!(P.next_delay(1, 0), Some(50));
        assert!(top(1) <= 100 && top(2) <= 200 && top(3) <= 400);
        assert_eq!(P.next_delay(5, 0), None);
        let capped = RetryPolicy { max_attempts: 100, ..P };
        assert!(capped.next_delay(60, 7).is_some_and(|d| (5_000..=10_000).contains(&d)));
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("ticket.*", "ticket.moved"));
        assert!(pattern_matches("*", "message.created"));
        assert!(!pattern_matches("ticket.*", "message.created"));
        assert!(validate_patterns(&["ticket.*".into(), "message.created".into()]).is_ok());
        assert!(validate_patterns(&["order.paid".into()]).is_err());
        assert!(validate_patterns(&[]).is_err());
    }

    proptest! {
        #[test]
        fn delays_stay_within_half_and_full(attempts in 1u32..50, entropy in any::<u64>(), base in 1i64..10_000, cap in 1i64..1_000_000) {
            let p = RetryPolicy { base_ms: base, cap_ms: cap, max_attempts: 50 };
            let d = p.next_delay(attempts, entropy).unwrap_or(-1);
            let full = (base.saturating_mul(1i64 << (attempts - 1).min(40))).min(cap);
            prop_assert!(d >= full - full / 2 && d <= full, "{} not in [{}, {}]", d, full - full / 2, full);
        }
    }
}
