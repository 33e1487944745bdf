//! Reads and row decoding of the channels work: orders, products, platform channel
//! instances and routes, webhook subscriptions, the outbox. Every read is scoped by shop,
//! except the two the delivery worker and the webhook endpoint need before a shop is known.

use crate::rows::{get, id, json, open_content, opt_id, parsed};
use crate::{backend_error, SqlStore};
use kefu_core::channels::{ChannelInstance, Route};
use kefu_core::clock::Millis;
use kefu_core::ids::{ChannelId, CustomerId, DeliveryId, ShopId};
use kefu_core::orders::{Order, OrderStatus, Product};
use kefu_core::outbox::{Delivery, DeliveryState, Target, WebhookSubscription};
use kefu_core::seal::Sealer;
use kefu_core::store::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;

fn order(row: &AnyRow) -> Result<Order, StoreError> {
    Ok(Order {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        customer_id: id(row, "customer_id")?,
        external_id: get(row, "external_id")?,
        status: parsed(row, "status", OrderStatus::parse)?,
        amount_cents: get(row, "amount_cents")?,
        currency: get(row, "currency")?,
        items: json(&get::<String>(row, "items")?, "order items")?,
        logistics_company: get(row, "logistics_company")?,
        tracking_number: get(row, "tracking_number")?,
        created_at: get(row, "created_at")?,
        paid_at: get(row, "paid_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn product(row: &AnyRow) -> Result<Product, StoreError> {
    Ok(Product {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        sku: get(row, "sku")?,
        name: get(row, "name")?,
        price_cents: get(row, "price_cents")?,
        stock: json(&get::<String>(row, "stock")?, "product stock")?,
        images: json(&get::<String>(row, "images")?, "product images")?,
        attributes: json(&get::<String>(row, "attributes")?, "product attributes")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn sealed(row: &AnyRow, key_col: &str, col: &str, sealer: &dyn Sealer) -> Result<String, StoreError> {
    open_content(row, key_col, col, sealer)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is missing")))
}

fn channel(row: &AnyRow, sealer: &dyn Sealer) -> Result<ChannelInstance, StoreError> {
    Ok(ChannelInstance {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        name: get(row, "name")?,
        platform: get(row, "platform")?,
        callback_url: get(row, "callback_url")?,
        secret: sealed(row, "secret_key_id", "secret", sealer)?,
        created_at: get(row, "created_at")?,
        disabled_at: get(row, "disabled_at")?,
    })
}

fn webhook(row: &AnyRow, sealer: &dyn Sealer) -> Result<WebhookSubscription, StoreError> {
    Ok(WebhookSubscription {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        url: get(row, "url")?,
        events: get::<String>(row, "events")?.split_whitespace().map(str::to_string).collect(),
        secret: sealed(row, "secret_key_id", "secret", sealer)?,
        created_at: get(row, "created_at")?,
        deleted_at: get(row, "deleted_at")?,
    })
}

fn delivery(row: &AnyRow, sealer: &dyn Sealer) -> Result<Delivery, StoreError> {
    let target = match get::<String>(row, "target")?.as_str() {
        "reply" => Target::Reply,
        "webhook" => Target::Webhook { webhook_id: opt_id(row, "target_id")?.ok_or_else(|| StoreError::Corrupt("webhook delivery without a target".into()))? },
        other => return Err(StoreError::Corrupt(format!("unknown delivery target {other:?}"))),
    };
    let attempts: i64 = get(row, "attempts")?;
    Ok(Delivery {
        id: id(row, "id")?,
        shop_id: id(row, "shop_id")?,
        target,
        order_key: get(row, "order_key")?,
        event: get(row, "event")?,
        payload: sealed(row, "payload_key_id", "payload", sealer)?,
        state: parsed(row, "state", DeliveryState::parse)?,
        attempts: attempts.clamp(0, u32::MAX as i64) as u32,
        next_attempt_at: get(row, "next_attempt_at")?,
        last_error: get(row, "last_error")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

impl SqlStore {
    async fn rows<'q>(&self, q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<Vec<AnyRow>, StoreError> {
        q.fetch_all(&self.read).await.map_err(backend_error)
    }

    pub(crate) async fn read_channel_by_id(&self, id: ChannelId) -> Result<Option<ChannelInstance>, StoreError> {
        let rows = self.rows(sqlx::query("SELECT * FROM channel_instance WHERE id = $1").bind(id.to_string())).await?;
        rows.first().map(|r| channel(r, self.sealer.as_ref())).transpose()
    }

    pub(crate) async fn read_channels(&self, shop: ShopId) -> Result<Vec<ChannelInstance>, StoreError> {
        let rows = self.rows(sqlx::query("SELECT * FROM channel_instance WHERE shop_id = $1 ORDER BY created_at, id").bind(shop.to_string())).await?;
        rows.iter().map(|r| channel(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_route(&self, shop: ShopId, customer: CustomerId) -> Result<Option<Route>, StoreError> {
        let q = sqlx::query("SELECT * FROM channel_route WHERE shop_id = $1 AND customer_id = $2").bind(shop.to_string()).bind(customer.to_string());
        let rows = self.rows(q).await?;
        rows.first()
            .map(|r| {
                Ok(Route {
                    shop_id: id(r, "shop_id")?,
                    customer_id: id(r, "customer_id")?,
                    channel_id: id(r, "channel_id")?,
                    external_id: open_content(r, "recipient_key_id", "recipient", self.sealer.as_ref())?.unwrap_or_default(),
                    updated_at: get(r, "updated_at")?,
                })
            })
            .transpose()
    }

    pub(crate) async fn read_webhooks(&self, shop: Option<ShopId>) -> Result<Vec<WebhookSubscription>, StoreError> {
        let rows = match shop {
            Some(s) => self.rows(sqlx::query("SELECT * FROM webhook_subscription WHERE shop_id = $1 AND deleted_at IS NULL ORDER BY created_at, id").bind(s.to_string())).await?,
            None => self.rows(sqlx::query("SELECT * FROM webhook_subscription WHERE deleted_at IS NULL ORDER BY created_at, id")).await?,
        };
        rows.iter().map(|r| webhook(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_due_deliveries(&self, now: Millis, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        // Only the first pending row of each order key: a later one waits while an earlier
        // one is retrying.
        let q = sqlx::query(
            "SELECT o.* FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= $1 \
             AND o.pos = (SELECT MIN(p.pos) FROM outbox p WHERE p.state = 'pending' AND p.order_key = o.order_key) \
             ORDER BY o.pos LIMIT $2",
        )
        .bind(now)
        .bind(limit.clamp(1, 10_000) as i64);
        self.rows(q).await?.iter().map(|r| delivery(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_next_delivery_at(&self) -> Result<Option<Millis>, StoreError> {
        // Heads only: a row waiting behind a retrying one is not due at its own time.
        let rows = self
            .rows(sqlx::query(
                "SELECT MIN(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'pending' \
                 AND o.pos = (SELECT MIN(p.pos) FROM outbox p WHERE p.state = 'pending' AND p.order_key = o.order_key)",
            ))
            .await?;
        Ok(rows.first().and_then(|r| r.try_get::<Option<i64>, _>("t").ok().flatten()))
    }

    pub(crate) async fn read_deliveries(&self, shop: ShopId, state: DeliveryState, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let q = sqlx::query("SELECT * FROM outbox WHERE shop_id = $1 AND state = $2 ORDER BY pos DESC LIMIT $3")
            .bind(shop.to_string())
            .bind(state.as_str())
            .bind(limit.clamp(1, 1000) as i64);
        self.rows(q).await?.iter().map(|r| delivery(r, self.sealer.as_ref())).collect()
    }

    pub(crate) async fn read_delivery(&self, shop: ShopId, id: DeliveryId) -> Result<Option<Delivery>, StoreError> {
        let rows = self.rows(sqlx::query("SELECT * FROM outbox WHERE shop_id = $1 AND id = $2").bind(shop.to_string()).bind(id.to_string())).await?;
        rows.first().map(|r| delivery(r, self.sealer.as_ref())).transpose()
    }

    pub(crate) async fn read_orders_of_customer(&self, shop: ShopId, customer: CustomerId, limit: u32) -> Result<Vec<Order>, StoreError> {
        let q = sqlx::query("SELECT * FROM shop_order WHERE shop_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3")
            .bind(shop.to_string())
            .bind(customer.to_string())
            .bind(limit.clamp(1, 1000) as i64);
        q.fetch_all(&self.read).await.map_err(backend_error)?.iter().map(order).collect()
    }

    pub(crate) async fn read_order_by_external(&self, shop: ShopId, external_id: &str) -> Result<Option<Order>, StoreError> {
        let q = sqlx::query("SELECT * FROM shop_order WHERE shop_id = $1 AND external_id = $2").bind(shop.to_string()).bind(external_id.to_string());
        q.fetch_optional(&self.read).await.map_err(backend_error)?.as_ref().map(order).transpose()
    }

    pub(crate) async fn read_product_by_sku(&self, shop: ShopId, sku: &str) -> Result<Option<Product>, StoreError> {
        let q = sqlx::query("SELECT * FROM product WHERE shop_id = $1 AND sku = $2").bind(shop.to_string()).bind(sku.to_string());
        q.fetch_optional(&self.read).await.map_err(backend_error)?.as_ref().map(product).transpose()
    }
}
