//! What a platform posts to a channel's webhook, decoded and checked. Unknown fields are
//! ignored (platforms add fields); unknown event types, missing fields, bad ids and text over
//! the message limit are refused. Decoding never panics, whatever the bytes (property-tested
//! here and fuzzed under `fuzz/`).

use crate::clock::Millis;
use crate::error::CoreError;
use crate::ids::{CustomerId, OrderId, ShopId};
use crate::message;
use crate::orders::{self, Order, OrderItem, OrderStatus};
use serde::Deserialize;

/// Most bytes a platform event may have.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// The platform's user.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PlatformUser {
    /// Their id on the platform (the customer's `dm` identity).
    pub id: String,
    /// Their nickname.
    #[serde(default)]
    pub name: Option<String>,
}

/// An order change as the platform reports it; absent fields keep what kefu knows.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct OrderUpdate {
    /// The platform's order number.
    pub external_id: String,
    /// The new status.
    pub status: OrderStatus,
    /// Total in cents.
    #[serde(default)]
    pub amount_cents: Option<i64>,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency: Option<String>,
    /// Line items.
    #[serde(default)]
    pub items: Option<Vec<OrderItem>>,
    /// Carrier.
    #[serde(default)]
    pub logistics_company: Option<String>,
    /// Waybill number.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// When it was placed (unix ms).
    #[serde(default)]
    pub created_at: Option<Millis>,
    /// When it was paid (unix ms).
    #[serde(default)]
    pub paid_at: Option<Millis>,
}

/// One platform event.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PlatformEvent {
    /// A direct message (私信).
    Message {
        /// The platform's event id: redeliveries carry the same one.
        event_id: String,
        /// Who wrote.
        user: PlatformUser,
        /// What they wrote.
        text: String,
    },
    /// A public comment on a video or product (评论).
    Comment {
        /// Event id.
        event_id: String,
        /// Who commented.
        user: PlatformUser,
        /// The comment.
        text: String,
        /// The video or post the comment is under.
        #[serde(default)]
        thread_id: Option<String>,
    },
    /// An order changed (订单消息).
    OrderMessage {
        /// Event id.
        event_id: String,
        /// The buyer.
        user: PlatformUser,
        /// The change.
        order: OrderUpdate,
        /// Text to send the buyer instead of kefu's own notice.
        #[serde(default)]
        notice: Option<String>,
        /// `false` sends the buyer nothing [default: true].
        #[serde(default)]
        notify: Option<bool>,
    },
    /// A live-stream comment (直播弹幕).
    LiveComment {
        /// Event id.
        event_id: String,
        /// Who wrote.
        user: PlatformUser,
        /// The live session.
        live_id: String,
        /// The danmaku.
        text: String,
    },
}

impl PlatformEvent {
    /// The platform's event id.
    pub fn event_id(&self) -> &str {
        match self {
            PlatformEvent::Message { event_id, .. }
            | PlatformEvent::Comment { event_id, .. }
            | PlatformEvent::OrderMessage { event_id, .. }
            | PlatformEvent::LiveComment { event_id, .. } => event_id,
        }
    }

    /// The user it concerns.
    pub fn user(&self) -> &PlatformUser {
        match self {
            PlatformEvent::Message { user, .. }
            | PlatformEvent::Comment { user, .. }
            | PlatformEvent::OrderMessage { user, .. }
            | PlatformEvent::LiveComment { user, .. } => user,
        }
    }

    /// The stored name of the type, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            PlatformEvent::Message { .. } => "message",
            PlatformEvent::Comment { .. } => "comment",
            PlatformEvent::OrderMessage { .. } => "order_message",
            PlatformEvent::LiveComment { .. } => "live_comment",
        }
    }
}

fn id_text(field: &str, v: &str, max: usize) -> Result<(), CoreError> {
    if v.is_empty() || v.len() > max || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CoreError::Invalid(crate::error::msg("error-field-ascii").arg("field", field).arg("max", max)));
    }
    Ok(())
}

/// Decode and check one event body.
pub fn decode(body: &[u8]) -> Result<PlatformEvent, CoreError> {
    if body.len() > MAX_EVENT_BYTES {
        return Err(CoreError::TooLarge { len: body.len(), limit: MAX_EVENT_BYTES });
    }
    let event: PlatformEvent = serde_json::from_slice(body).map_err(|e| CoreError::Invalid(crate::error::msg("error-platform-event").arg("reason", e.to_string())))?;
    id_text("event_id", event.event_id(), 100)?;
    let user = event.user();
    if user.id.is_empty() || user.id.len() > 200 || user.id.chars().any(char::is_control) {
        return Err(CoreError::Invalid(crate::error::msg("error-platform-user-id")));
    }
    match &event {
        PlatformEvent::Message { text, .. } | PlatformEvent::Comment { text, .. } => {
            message::validate_text(text)?;
        }
        PlatformEvent::LiveComment { text, live_id, .. } => {
            message::validate_text(text)?;
            id_text("live_id", live_id, 100)?;
        }
        PlatformEvent::OrderMessage { order, notice, .. } => {
            if order.external_id.trim().is_empty() || order.external_id.len() > 100 {
                return Err(CoreError::Invalid(crate::error::msg("error-platform-order-id")));
            }
            if let Some(n) = notice {
                message::validate_text(n)?;
            }
        }
    }
    if let PlatformEvent::Comment { thread_id: Some(t), .. } = &event {
        id_text("thread_id", t, 200)?;
    }
    Ok(event)
}

/// The order after an update: what kefu knew, overwritten by what the platform sent.
pub fn apply_update(shop: ShopId, customer: CustomerId, known: Option<&Order>, u: &OrderUpdate, now: Millis) -> Result<Order, CoreError> {
    let external_id = u.external_id.trim().to_string();
    let base = known.cloned().unwrap_or_else(|| Order {
        id: OrderId::for_external(shop, &external_id),
        shop_id: shop,
        customer_id: customer,
        external_id: external_id.clone(),
        status: u.status,
        amount_cents: 0,
        currency: "CNY".into(),
        items: Vec::new(),
        logistics_company: None,
        tracking_number: None,
        created_at: now,
        paid_at: None,
        updated_at: now,
    });
    let order = Order {
        status: u.status,
        amount_cents: u.amount_cents.unwrap_or(base.amount_cents),
        currency: u.currency.clone().unwrap_or(base.currency.clone()),
        items: u.items.clone().unwrap_or(base.items.clone()),
        logistics_company: u.logistics_company.clone().or(base.logistics_company.clone()),
        tracking_number: u.tracking_number.clone().or(base.tracking_number.clone()),
        created_at: u.created_at.unwrap_or(base.created_at),
        paid_at: u.paid_at.or(base.paid_at),
        updated_at: now,
        ..base
    };
    orders::validate_order(&order)?;
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_each_type() {
        let e = decode(r#"{"type":"message","event_id":"e1","user":{"id":"u1","name":"小王"},"text":"在吗","extra":1}"#.as_bytes());
        assert!(matches!(e, Ok(PlatformEvent::Message { ref text, .. }) if text == "在吗"), "{e:?}");
        let e = decode(r#"{"type":"live_comment","event_id":"e2","user":{"id":"u2"},"live_id":"L1","text":"多少钱？"}"#.as_bytes());
        assert!(matches!(e, Ok(PlatformEvent::LiveComment { .. })), "{e:?}");
        let e = decode(br#"{"type":"order_message","event_id":"e3","user":{"id":"u3"},"order":{"external_id":"DY-1","status":"shipped","tracking_number":"SF1"}}"#);
        assert!(matches!(e, Ok(PlatformEvent::OrderMessage { .. })), "{e:?}");
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for bad in [
            &br#"{"type":"message","event_id":"e1","user":{"id":"u1"}}"#[..],
            br#"{"type":"poke","event_id":"e1","user":{"id":"u1"}}"#,
            br#"{"type":"message","event_id":"has space","user":{"id":"u1"},"text":"x"}"#,
            br#"{"type":"message","event_id":"e1","user":{"id":""},"text":"x"}"#,
            br#"{"type":"message","event_id":"e1","user":{"id":"u"},"text":"   "}"#,
            br#"[1,2]"#,
            b"\xff\xfe",
        ] {
            assert!(decode(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn updates_keep_what_the_platform_left_out() {
        let shop = ShopId::new();
        let cu = CustomerId::new();
        let u = |status, tracking: Option<&str>| OrderUpdate {
            external_id: "DY-1".into(),
            status,
            amount_cents: None,
            currency: None,
            items: None,
            logistics_company: None,
            tracking_number: tracking.map(str::to_string),
            created_at: None,
            paid_at: None,
        };
        let paid = apply_update(shop, cu, None, &OrderUpdate { amount_cents: Some(500), ..u(OrderStatus::Paid, None) }, 10).expect("paid");
        let shipped = apply_update(shop, cu, Some(&paid), &u(OrderStatus::Shipped, Some("SF1")), 20).expect("shipped");
        assert_eq!((shipped.amount_cents, shipped.created_at, shipped.id), (500, 10, paid.id));
        assert_eq!(shipped.tracking_number.as_deref(), Some("SF1"));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&body);
        }

        #[test]
        fn decoding_json_shaped_input_never_panics(t in "(message|comment|order_message|live_comment|x)", id in "\\PC{0,120}", user in "\\PC{0,10}", text in "\\PC{0,40}") {
            let body = serde_json::json!({"type": t, "event_id": id, "user": {"id": user}, "text": text, "live_id": id,
                "order": {"external_id": text, "status": "paid"}}).to_string();
            if let Ok(e) = decode(body.as_bytes()) {
                prop_assert!(!e.event_id().is_empty() && e.event_id().len() <= 100);
            }
        }

        #[test]
        fn a_decoded_event_survives_reencoding(id in "[a-zA-Z0-9_-]{1,40}", user in "[a-z0-9]{1,20}", text in "[\\p{Han}a-z？?]{1,40}") {
            let body = serde_json::json!({"type": "message", "event_id": id, "user": {"id": user}, "text": text}).to_string();
            let e = decode(body.as_bytes());
            prop_assert!(matches!(e, Ok(PlatformEvent::Message { .. })), "{:?}", e);
        }
    }
}
