//! Writes of the channels work (orders, products; channel instances, routes, webhooks and
//! the outbox), applied by the writer inside its transaction like every other change.

use kefu_core::channels::{ChannelInstance, Route};
use kefu_core::clock::Millis;
use kefu_core::ids::{DeliveryId, ShopId};
use kefu_core::orders::{Order, Product};
use kefu_core::outbox::{Delivery, DeliveryState, Target, WebhookSubscription};
use kefu_core::seal::Sealed;
use kefu_core::store::StoreError;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

type Q = Query<'static, Any, AnyArguments<'static>>;

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Upsert by (shop, platform order number); the id is derived from both, so it never moves.
pub(crate) fn put_order(o: &Order) -> Result<Q, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO shop_order (id, shop_id, customer_id, external_id, status, amount_cents, currency, items, logistics_company, tracking_number, created_at, paid_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (shop_id, external_id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, \
         amount_cents = excluded.amount_cents, currency = excluded.currency, items = excluded.items, \
         logistics_company = excluded.logistics_company, tracking_number = excluded.tracking_number, \
         created_at = excluded.created_at, paid_at = excluded.paid_at, updated_at = excluded.updated_at",
    )
    .bind(o.id.to_string())
    .bind(o.shop_id.to_string())
    .bind(o.customer_id.to_string())
    .bind(o.external_id.clone())
    .bind(o.status.as_str())
    .bind(o.amount_cents)
    .bind(o.currency.clone())
    .bind(to_json(&o.items)?)
    .bind(o.logistics_company.clone())
    .bind(o.tracking_number.clone())
    .bind(o.created_at)
    .bind(o.paid_at)
    .bind(o.updated_at))
}

/// Upsert by (shop, sku).
pub(crate) fn put_product(p: &Product) -> Result<Q, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO product (id, shop_id, sku, name, price_cents, stock, images, updated_at, attributes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (shop_id, sku) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents, \
         stock = excluded.stock, images = excluded.images, updated_at = excluded.updated_at, attributes = excluded.attributes",
    )
    .bind(p.id.to_string())
    .bind(p.shop_id.to_string())
    .bind(p.sku.clone())
    .bind(p.name.clone())
    .bind(p.price_cents)
    .bind(to_json(&p.stock)?)
    .bind(to_json(&p.images)?)
    .bind(p.updated_at)
    .bind(to_json(&p.attributes)?))
}

/// Insert or update a channel instance; the secret arrives sealed.
pub(crate) fn put_channel(c: &ChannelInstance, secret: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO channel_instance (id, shop_id, name, platform, callback_url, secret_key_id, secret, created_at, disabled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, platform = excluded.platform, callback_url = excluded.callback_url, \
         secret_key_id = excluded.secret_key_id, secret = excluded.secret, disabled_at = excluded.disabled_at",
    )
    .bind(c.id.to_string())
    .bind(c.shop_id.to_string())
    .bind(c.name.clone())
    .bind(c.platform.clone())
    .bind(c.callback_url.clone())
    .bind(secret.key_id)
    .bind(secret.bytes)
    .bind(c.created_at)
    .bind(c.disabled_at)
}

/// Point a customer's replies at the channel they last wrote through; the recipient (an
/// email address for email customers) arrives sealed.
pub(crate) fn put_route(r: &Route, recipient: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO channel_route (shop_id, customer_id, channel_id, recipient_key_id, recipient, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (shop_id, customer_id) DO UPDATE SET channel_id = excluded.channel_id, recipient_key_id = excluded.recipient_key_id, \
         recipient = excluded.recipient, updated_at = excluded.updated_at",
    )
    .bind(r.shop_id.to_string())
    .bind(r.customer_id.to_string())
    .bind(r.channel_id.to_string())
    .bind(recipient.key_id)
    .bind(recipient.bytes)
    .bind(r.updated_at)
}

/// Insert or update a webhook subscription; the secret arrives sealed.
pub(crate) fn put_webhook(w: &WebhookSubscription, secret: Sealed) -> Q {
    sqlx::query(
        "INSERT INTO webhook_subscription (id, shop_id, url, events, secret_key_id, secret, created_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events, deleted_at = excluded.deleted_at",
    )
    .bind(w.id.to_string())
    .bind(w.shop_id.to_string())
    .bind(w.url.clone())
    .bind(w.events.join(" "))
    .bind(secret.key_id)
    .bind(secret.bytes)
    .bind(w.created_at)
    .bind(w.deleted_at)
}

/// Queue a delivery; the payload arrives sealed. `pos` (commit order) orders a key's rows.
pub(crate) fn enqueue(d: &Delivery, payload: Sealed) -> Q {
    let (target, target_id) = match d.target {
        Target::Reply => ("reply", None),
        Target::Webhook { webhook_id } => ("webhook", Some(webhook_id.to_string())),
    };
    sqlx::query(
        "INSERT INTO outbox (id, shop_id, target, target_id, order_key, event, payload_key_id, payload, state, attempts, next_attempt_at, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(d.id.to_string())
    .bind(d.shop_id.to_string())
    .bind(target)
    .bind(target_id)
    .bind(d.order_key.clone())
    .bind(d.event.clone())
    .bind(payload.key_id)
    .bind(payload.bytes)
    .bind(d.state.as_str())
    .bind(i64::from(d.attempts))
    .bind(d.next_attempt_at)
    .bind(d.last_error.clone())
    .bind(d.created_at)
    .bind(d.updated_at)
}

/// Record an attempt's outcome (or a replay).
pub(crate) fn set_delivery(shop: ShopId, id: DeliveryId, state: DeliveryState, attempts: u32, next_attempt_at: Millis, last_error: Option<String>, at: Millis) -> Q {
    sqlx::query("UPDATE outbox SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4, updated_at = $5 WHERE shop_id = $6 AND id = $7")
        .bind(state.as_str())
        .bind(i64::from(attempts))
        .bind(next_attempt_at)
        .bind(last_error)
        .bind(at)
        .bind(shop.to_string())
        .bind(id.to_string())
}
