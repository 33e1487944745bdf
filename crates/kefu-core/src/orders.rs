//! Orders (订单) and products (商品) as the shop's platform reports them. kefu does not run a
//! shop: these are copies pushed by integrations, kept so agents, the bot and routing (VIP,
//! RFM) can see what a customer bought. Validation is pure; the API and the platform channel
//! call it before anything is stored.

use crate::clock::Millis;
use crate::error::CoreError;
use crate::ids::{derived_uuid, CustomerId, OrderId, ProductId, ShopId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most line items one order may carry.
pub const MAX_ITEMS: usize = 500;
/// Most stock entries (variants) one product may carry.
pub const MAX_VARIANTS: usize = 500;
/// Most images one product may list.
pub const MAX_IMAGES: usize = 20;

/// Where an order stands on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not paid (待付款).
    Created,
    /// Paid, not shipped (待发货).
    Paid,
    /// Handed to the carrier (已发货).
    Shipped,
    /// Received by the buyer (已签收).
    Delivered,
    /// Finished, past the after-sales window (已完成).
    Completed,
    /// The buyer asked for a refund (退款中).
    RefundRequested,
    /// Money returned (已退款).
    Refunded,
    /// Cancelled before shipping (已取消).
    Cancelled,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Created,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        OrderStatus::RefundRequested,
        OrderStatus::Refunded,
        OrderStatus::Cancelled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::RefundRequested => "refund_requested",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Money changed hands and stayed there (counts towards spend, RFM "monetary").
    pub fn is_paid(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Completed | OrderStatus::RefundRequested)
    }
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    /// Stock-keeping unit.
    pub sku: String,
    /// Product name as shown on the order.
    pub name: String,
    /// How many.
    pub qty: u32,
    /// Unit price in cents (分).
    pub price_cents: i64,
}

/// An order of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// Id, derived from the shop and `external_id` (stable across upserts).
    pub id: OrderId,
    /// Shop.
    pub shop_id: ShopId,
    /// The buyer.
    pub customer_id: CustomerId,
    /// The platform's order number (unique per shop).
    pub external_id: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// Total paid or payable, in cents.
    pub amount_cents: i64,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
    /// Line items.
    pub items: Vec<OrderItem>,
    /// Carrier, once shipped (e.g. 顺丰速运).
    pub logistics_company: Option<String>,
    /// Waybill number (运单号), once shipped.
    pub tracking_number: Option<String>,
    /// When it was placed on the platform.
    pub created_at: Millis,
    /// When it was paid.
    pub paid_at: Option<Millis>,
    /// When kefu last heard about it.
    pub updated_at: Millis,
}

impl OrderId {
    /// The id of a shop's order with this platform order number.
    pub fn for_external(shop: ShopId, external_id: &str) -> Self {
        OrderId(derived_uuid("order", shop, external_id))
    }
}

impl ProductId {
    /// The id of a shop's product with this sku.
    pub fn for_sku(shop: ShopId, sku: &str) -> Self {
        ProductId(derived_uuid("product", shop, sku))
    }
}

/// Stock of one variant of a product, e.g. `{"size": "M", "colour": "红"}` → 12.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VariantStock {
    /// The variant's attributes (size, colour …); empty for a product without variants.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Units in stock.
    pub qty: i64,
}

/// A product of the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Id, derived from the shop and the sku.
    pub id: ProductId,
    /// Shop.
    pub shop_id: ShopId,
    /// Stock-keeping unit (unique per shop).
    pub sku: String,
    /// Name.
    pub name: String,
    /// Price in cents.
    pub price_cents: i64,
    /// Stock per variant.
    pub stock: Vec<VariantStock>,
    /// Image URLs.
    pub images: Vec<String>,
    /// Product facts, label → value (`material`, `sizes`, `suitable_for`, `care`, `origin`,
    /// `shelf_life` … or the merchant's own labels); the bot answers questions from them.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// When kefu last heard about it.
    pub updated_at: Millis,
}

impl Product {
    /// Units in stock over every variant.
    pub fn total_stock(&self) -> i64 {
        self.stock.iter().map(|v| v.qty.max(0)).sum()
    }
}

fn text(field: &str, value: &str, max_chars: usize) -> Result<(), CoreError> {
    if value.trim().is_empty() || value.chars().count() > max_chars || value.chars().any(char::is_control) {
        return Err(CoreError::Invalid(crate::error::msg("error-order-field-text").arg("field", field).arg("max", max_chars)));
    }
    Ok(())
}

fn optional_text(field: &str, value: &Option<String>, max_chars: usize) -> Result<(), CoreError> {
    value.as_deref().map_or(Ok(()), |v| text(field, v, max_chars))
}

fn money(field: &str, cents: i64) -> Result<(), CoreError> {
    // 10^13 分 = 1,000 亿元: far above any real order, far below overflow when summed.
    if !(0..=10_000_000_000_000).contains(&cents) {
        return Err(CoreError::Invalid(crate::error::msg("error-order-field-cents").arg("field", field)));
    }
    Ok(())
}

/// Check an order before it is stored.
pub fn validate_order(o: &Order) -> Result<(), CoreError> {
    text("external_id", &o.external_id, 100)?;
    money("amount_cents", o.amount_cents)?;
    if o.currency.len() != 3 || !o.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(CoreError::Invalid(crate::error::msg("error-order-currency")));
    }
    if o.items.len() > MAX_ITEMS {
        return Err(CoreError::Invalid(crate::error::msg("error-order-items-max").arg("max", MAX_ITEMS)));
    }
    for item in &o.items {
        text("items.sku", &item.sku, 100)?;
        text("items.name", &item.name, 200)?;
        money("items.price_cents", item.price_cents)?;
        if item.qty == 0 || item.qty > 1_000_000 {
            return Err(CoreError::Invalid(crate::error::msg("error-order-qty")));
        }
    }
    optional_text("logistics_company", &o.logistics_company, 100)?;
    optional_text("tracking_number", &o.tracking_number, 100)?;
    if o.created_at < 0 || o.paid_at.is_some_and(|p| p < 0) {
        return Err(CoreError::Invalid(crate::error::msg("error-order-times")));
    }
    Ok(())
}

/// Check a product before it is stored.
pub fn validate_product(p: &Product) -> Result<(), CoreError> {
    text("sku", &p.sku, 100)?;
    text("name", &p.name, 200)?;
    money("price_cents", p.price_cents)?;
    if p.stock.len() > MAX_VARIANTS {
        return Err(CoreError::Invalid(crate::error::msg("error-product-variants-max").arg("max", MAX_VARIANTS)));
    }
    for v in &p.stock {
        if !(0..=1_000_000_000).contains(&v.qty) {
            return Err(CoreError::Invalid(crate::error::msg("error-product-stock")));
        }
        if v.attributes.len() > 10 {
            return Err(CoreError::Invalid(crate::error::msg("error-product-attributes-max")));
        }
        for (k, val) in &v.attributes {
            text("stock.attributes key", k, 50)?;
            text("stock.attributes value", val, 50)?;
        }
    }
    if p.attributes.len() > 30 {
        return Err(CoreError::Invalid("a product has at most 30 attributes".into()));
    }
    for (k, val) in &p.attributes {
        text("attributes key", k, 50)?;
        text("attributes value", val, 500)?;
    }
    if p.images.len() > MAX_IMAGES {
        return Err(CoreError::Invalid(crate::error::msg("error-product-images-max").arg("max", MAX_IMAGES)));
    }
    for url in &p.images {
        if url.len() > 2000 || !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(CoreError::Invalid(crate::error::msg("error-product-image-url")));
        }
    }
    Ok(())
}

/// What to tell the buyer when an order moves, if anything: shipping with the waybill, a
/// completed refund. `before` is the order as kefu knew it (none for a new order).
pub fn order_notice(before: Option<&Order>, after: &Order) -> Option<String> {
    if before.is_some_and(|b| b.status == after.status) {
        return None;
    }
    match after.status {
        OrderStatus::Shipped => Some(match (&after.logistics_company, &after.tracking_number) {
            (Some(c), Some(t)) => format!("亲，您的订单已发货，{c} 运单号 {t}，请留意查收。"),
            (None, Some(t)) => format!("亲，您的订单已发货，运单号 {t}，请留意查收。"),
            _ => "亲，您的订单已发货，请留意查收。".to_string(),
        }),
        OrderStatus::Refunded => Some("亲，您的退款已原路退回，请留意到账。".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        let shop = ShopId::new();
        Order {
            id: OrderId::for_external(shop, "DY-1"),
            shop_id: shop,
            customer_id: CustomerId::new(),
            external_id: "DY-1".into(),
            status: OrderStatus::Paid,
            amount_cents: 12_900,
            currency: "CNY".into(),
            items: vec![OrderItem { sku: "TS-M".into(), name: "T恤".into(), qty: 1, price_cents: 12_900 }],
            logistics_company: None,
            tracking_number: None,
            created_at: 1,
            paid_at: Some(2),
            updated_at: 2,
        }
    }

    #[test]
    fn ids_are_stable_per_shop_and_key() {
        let (a, b) = (ShopId::new(), ShopId::new());
        assert_eq!(OrderId::for_external(a, "X"), OrderId::for_external(a, "X"));
        assert_ne!(OrderId::for_external(a, "X"), OrderId::for_external(b, "X"));
        assert_ne!(OrderId::for_external(a, "X").0, ProductId::for_sku(a, "X").0);
    }

    #[test]
    fn validation() {
        assert!(validate_order(&order()).is_ok());
        assert!(validate_order(&Order { currency: "rmb".into(), ..order() }).is_err());
        assert!(validate_order(&Order { amount_cents: -1, ..order() }).is_err());
        assert!(validate_order(&Order { external_id: " ".into(), ..order() }).is_err());
        let mut o = order();
        o.items[0].qty = 0;
        assert!(validate_order(&o).is_err());
    }

    #[test]
    fn notices_only_on_a_status_change() {
        let mut shipped = order();
        shipped.status = OrderStatus::Shipped;
        shipped.tracking_number = Some("SF123".into());
        let n = order_notice(Some(&order()), &shipped).unwrap_or_default();
        assert!(n.contains("已发货") && n.contains("SF123"), "{n}");
        assert_eq!(order_notice(Some(&shipped), &shipped), None);
        assert_eq!(order_notice(None, &order()), None);
    }
}
