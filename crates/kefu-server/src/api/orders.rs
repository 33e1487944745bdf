//! Orders and products pushed by the shop's platform integration (bulk upserts), and what
//! agents read back: a customer's orders, a product by sku.

use super::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use kefu_core::access::Scope;
use kefu_core::clock::Millis;
use kefu_core::customer::Channel;
use kefu_core::ids::{CustomerId, OrderId, ProductId, ShopId};
use kefu_core::orders::{self, Order, OrderItem, OrderStatus, Product, VariantStock};
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_core::CoreError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most records one bulk upsert may carry.
pub const MAX_BULK: usize = 1000;
/// Body limit of the bulk routes (the API's default is 64 KiB).
pub const BULK_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Who bought: a customer named by a channel address, created on first sight.
#[derive(Deserialize, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    /// The channel the id belongs to, usually `dm` (the platform's user id).
    pub channel: Channel,
    /// The buyer's id on that channel.
    pub external_id: String,
    /// Name to show agents when the customer is new.
    pub display_name: Option<String>,
}

/// One order as the platform reports it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The platform's order number (unique per shop; the upsert key).
    pub external_id: String,
    /// The buyer.
    pub buyer: Buyer,
    /// Where it stands.
    pub status: OrderStatus,
    /// Total in cents.
    pub amount_cents: i64,
    /// ISO 4217 code [default: CNY].
    pub currency: Option<String>,
    /// Line items.
    #[serde(default)]
    pub items: Vec<OrderItem>,
    /// Carrier.
    pub logistics_company: Option<String>,
    /// Waybill number.
    pub tracking_number: Option<String>,
    /// When it was placed (unix ms).
    pub created_at: Millis,
    /// When it was paid (unix ms).
    pub paid_at: Option<Millis>,
}

/// One product as the platform reports it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Stock-keeping unit (the upsert key).
    pub sku: String,
    /// Name.
    pub name: String,
    /// Price in cents.
    pub price_cents: i64,
    /// Stock per variant.
    #[serde(default)]
    pub stock: Vec<VariantStock>,
    /// Image URLs.
    #[serde(default)]
    pub images: Vec<String>,
    /// Product facts, label → value (material, sizes, suitable_for, care, origin, shelf_life …);
    /// the bot answers "这款适合敏感肌吗" from them.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// Orders as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderList {
    /// The orders (for a customer: newest first).
    pub orders: Vec<Order>,
}

/// Products as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductList {
    /// The products.
    pub products: Vec<Product>,
}

/// Paging a customer's orders.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    /// At most this many (default 50, max 1000).
    pub limit: Option<u32>,
}

/// Looking a product up.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    /// The sku.
    pub sku: String,
}

fn check_batch(len: usize) -> Result<(), ApiError> {
    if len > MAX_BULK {
        return Err(ApiError::BadRequest(crate::error::msg("error-bulk-max").arg("max", MAX_BULK).arg("count", len)));
    }
    Ok(())
}

fn at(index: usize, e: CoreError) -> ApiError {
    ApiError::BadRequest(crate::error::msg("error-bulk-item").arg("index", index.to_string()).arg("reason", crate::error::core_message(&e, crate::language::current())))
}

/// Build a validated order; the customer is filled in once buyers are resolved.
pub fn order_from(shop: ShopId, input: &OrderInput, now: Millis) -> Result<Order, CoreError> {
    let external_id = input.external_id.trim().to_string();
    let order = Order {
        id: OrderId::for_external(shop, &external_id),
        shop_id: shop,
        customer_id: CustomerId(uuid::Uuid::nil()),
        external_id,
        status: input.status,
        amount_cents: input.amount_cents,
        currency: input.currency.clone().unwrap_or_else(|| "CNY".into()),
        items: input.items.clone(),
        logistics_company: input.logistics_company.clone(),
        tracking_number: input.tracking_number.clone(),
        created_at: input.created_at,
        paid_at: input.paid_at,
        updated_at: now,
    };
    orders::validate_order(&order)?;
    Ok(order)
}

/// Resolve each distinct buyer to a customer (creating new ones), a few at a time so a
/// thousand new buyers share group commits instead of waiting for each other.
async fn resolve_buyers(state: &AppState, shop: ShopId, buyers: Vec<Buyer>) -> Result<HashMap<(Channel, String), CustomerId>, ApiError> {
    let mut distinct: HashMap<(Channel, String), Buyer> = HashMap::new();
    for b in buyers {
        distinct.entry((b.channel, b.external_id.trim().to_string())).or_insert(b);
    }
    let inbox = &state.inbox;
    stream::iter(distinct.into_iter().map(|(key, b)| async move {
        let (customer, _) = inbox.customer_for(shop, key.0, &key.1, b.display_name.as_deref().unwrap_or("")).await?;
        Ok::<_, ApiError>((key, customer.id))
    }))
    .buffer_unordered(16)
    .try_collect()
    .await
}

/// Insert or update up to 1000 orders (scope `inbound:write`: data an integration delivers).
/// Buyers are customers named by a channel address and created on first sight. All or
/// nothing: one invalid order refuses the request, naming its index.
#[utoipa::path(put, path = "/api/v1/orders", tag = "orders", request_body = Vec<OrderInput>,
    responses((status = 200, body = OrderList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn put_orders(State(state): State<AppState>, who: Principal, ApiJson(input): ApiJson<Vec<OrderInput>>) -> Result<Json<OrderList>, ApiError> {
    who.require(Scope::InboundWrite)?;
    check_batch(input.len())?;
    let shop = who.user.shop_id;
    let now = state.inbox.now();
    let mut built = input.iter().enumerate().map(|(i, o)| order_from(shop, o, now).map_err(|e| at(i, e))).collect::<Result<Vec<_>, _>>()?;
    let customers = resolve_buyers(&state, shop, input.iter().map(|o| o.buyer.clone()).collect()).await?;
    let mut cs = ChangeSet::default();
    for (order, inp) in built.iter_mut().zip(&input) {
        let key = (inp.buyer.channel, inp.buyer.external_id.trim().to_string());
        order.customer_id = *customers.get(&key).ok_or_else(|| ApiError::Internal("buyer not resolved".into()))?;
        cs.push(Change::PutOrder(order.clone()));
    }
    state.inbox.store().apply(cs).await?;
    Ok(Json(OrderList { orders: built }))
}

/// Insert or update up to 1000 products (scope `inbound:write`), keyed by sku.
#[utoipa::path(put, path = "/api/v1/products", tag = "orders", request_body = Vec<ProductInput>,
    responses((status = 200, body = ProductList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn put_products(State(state): State<AppState>, who: Principal, ApiJson(input): ApiJson<Vec<ProductInput>>) -> Result<Json<ProductList>, ApiError> {
    who.require(Scope::InboundWrite)?;
    check_batch(input.len())?;
    let shop = who.user.shop_id;
    let now = state.inbox.now();
    let mut cs = ChangeSet::default();
    let mut products = Vec::with_capacity(input.len());
    for (i, p) in input.into_iter().enumerate() {
        let sku = p.sku.trim().to_string();
        let product = Product { id: ProductId::for_sku(shop, &sku), shop_id: shop, sku, name: p.name, price_cents: p.price_cents, stock: p.stock, images: p.images, attributes: p.attributes, updated_at: now };
        orders::validate_product(&product).map_err(|e| at(i, e))?;
        cs.push(Change::PutProduct(product.clone()));
        products.push(product);
    }
    state.inbox.store().apply(cs).await?;
    // The bot recognises product names from the catalogue: learn the new ones.
    state.inbox.retrain(who.user.shop_id);
    Ok(Json(ProductList { products }))
}

/// A customer's orders, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/orders", tag = "orders", params(("id" = String, Path), OrdersQuery),
    responses((status = 200, body = OrderList), (status = 404, body = ErrorBody)))]
pub async fn customer_orders(State(state): State<AppState>, who: Principal, Path(id): Path<String>, ApiQuery(q): ApiQuery<OrdersQuery>) -> Result<Json<OrderList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let id: CustomerId = parse_id(&id, "customer")?;
    let store = state.inbox.store();
    store.customer(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("customer"))?;
    let orders = store.orders_of_customer(who.user.shop_id, id, q.limit.unwrap_or(50).clamp(1, 1000)).await?;
    Ok(Json(OrderList { orders }))
}

/// A product by sku (an empty list when the shop has none).
#[utoipa::path(get, path = "/api/v1/products", tag = "orders", params(ProductQuery),
    responses((status = 200, body = ProductList), (status = 400, body = ErrorBody)))]
pub async fn products(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<ProductQuery>) -> Result<Json<ProductList>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    let product = state.inbox.store().product_by_sku(who.user.shop_id, q.sku.trim()).await?;
    Ok(Json(ProductList { products: product.into_iter().collect() }))
}
