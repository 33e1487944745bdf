//! Outgoing webhooks: shops subscribe URLs to events (`POST/GET/DELETE /api/v1/webhooks`);
//! the commit hook turns matching events into outbox deliveries. Subscriptions are kept in
//! memory (the hook runs inside every commit and must not read the database); this process
//! is the only writer, so the copy stays true.

use crate::api::{parse_id, ApiJson};
use crate::app::AppState;
use crate::auth::{new_secret, Principal};
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::channels::validate_target_url;
use kefu_core::ids::{ShopId, WebhookId};
use kefu_core::outbox::{validate_patterns, WebhookSubscription};
use kefu_core::store::{Change, ChangeSet, Store, StoreError};
use kefu_store::SqlStore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;

/// Every shop's live subscriptions.
#[derive(Default)]
pub struct Subscriptions {
    by_shop: RwLock<HashMap<ShopId, Vec<WebhookSubscription>>>,
}

impl Subscriptions {
    /// Load every live subscription.
    pub async fn load(store: &SqlStore) -> Result<Self, StoreError> {
        let mut by_shop: HashMap<ShopId, Vec<WebhookSubscription>> = HashMap::new();
        for s in store.webhooks(None).await? {
            by_shop.entry(s.shop_id).or_default().push(s);
        }
        Ok(Self { by_shop: RwLock::new(by_shop) })
    }

    /// A shop's live subscriptions.
    pub fn of(&self, shop: ShopId) -> Vec<WebhookSubscription> {
        self.by_shop.read().unwrap_or_else(|p| p.into_inner()).get(&shop).cloned().unwrap_or_default()
    }

    /// Whether a shop has any.
    pub fn any(&self, shop: ShopId) -> bool {
        self.by_shop.read().unwrap_or_else(|p| p.into_inner()).get(&shop).is_some_and(|v| !v.is_empty())
    }

    /// One subscription (live or not known).
    pub fn get(&self, shop: ShopId, id: WebhookId) -> Option<WebhookSubscription> {
        self.of(shop).into_iter().find(|s| s.id == id)
    }

    fn put(&self, s: WebhookSubscription) {
        let mut map = self.by_shop.write().unwrap_or_else(|p| p.into_inner());
        let list = map.entry(s.shop_id).or_default();
        list.retain(|x| x.id != s.id);
        if s.deleted_at.is_none() {
            list.push(s);
        }
    }
}

/// A new subscription.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to post: http or https, a host, no credentials, at most 2000 bytes; it must
    /// resolve to a public address (422 `private_target` / `unresolvable_target`).
    #[schema(pattern = r"^https?://([\w.-]+|\[[0-9A-Fa-f:.]+\])(:[1-9][0-9]{0,3})?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$", max_length = 2000)]
    pub url: String,
    /// 1-50 event names or patterns: `conversation.created`, `message.created`, `ticket.*`,
    /// `*` … (any prefix of an event name followed by `*`).
    #[schema(value_type = Vec<EventPattern>, min_items = 1, max_items = 50)]
    pub events: Vec<String>,
}

/// An event name, or a prefix of one followed by `*` (the document lists the whole-word ones).
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"^(\*|(customer|conversation|message|ticket|alert)\.\*|customer\.created|conversation\.(created|queued|assigned|resolved|reopened)|message\.created|ticket\.(created|moved|sla)|alert\.(raised|resolved))$")]
#[allow(dead_code)] // describes `CreateWebhook::events` in the OpenAPI document only
struct EventPattern(String);

/// The created subscription and its signing secret (shown only now).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    /// The subscription.
    pub webhook: WebhookSubscription,
    /// Verify `X-Kefu-Signature` with it: HMAC-SHA256 over `timestamp + "." + body`.
    pub secret: String,
}

/// The shop's subscriptions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookList {
    /// Live subscriptions, oldest first.
    pub webhooks: Vec<WebhookSubscription>,
}

/// Subscribe a URL to events (scope `settings:manage`).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "channels", request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<CreateWebhook>) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    who.require(Scope::SettingsManage)?;
    validate_target_url(req.url.trim())?;
    super::guard::check_target(req.url.trim(), state.channels.settings.allow_private_targets).await?;
    validate_patterns(&req.events)?;
    let secret = new_secret("kefu_whs_").map_err(ApiError::Internal)?;
    let mut events = req.events;
    events.dedup();
    let webhook = WebhookSubscription {
        id: WebhookId::new(),
        shop_id: who.user.shop_id,
        url: req.url.trim().to_string(),
        events,
        secret: secret.clone(),
        created_at: state.inbox.now(),
        deleted_at: None,
    };
    let mut cs = ChangeSet::default();
    cs.push(Change::PutWebhook(webhook.clone()));
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "webhook_created", Some(format!("webhook:{}", webhook.id)), serde_json::json!({ "events": webhook.events }))));
    state.inbox.store().apply(cs).await?;
    state.channels.subscriptions.put(webhook.clone());
    Ok((StatusCode::CREATED, Json(CreatedWebhook { webhook, secret })))
}

/// The shop's subscriptions (scope `settings:manage`).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "channels", responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal) -> Result<Json<WebhookList>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(WebhookList { webhooks: state.inbox.store().webhooks(Some(who.user.shop_id)).await? }))
}

/// Stop a subscription (scope `settings:manage`); deliveries already queued for it are
/// dead-lettered when their turn comes.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "channels", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    who.require(Scope::SettingsManage)?;
    let id: WebhookId = parse_id(&id, "webhook")?;
    let store = state.inbox.store();
    let mut webhook = store.webhooks(Some(who.user.shop_id)).await?.into_iter().find(|w| w.id == id).ok_or(ApiError::NotFound("webhook"))?;
    webhook.deleted_at = Some(state.inbox.now());
    let mut cs = ChangeSet::default();
    cs.push(Change::PutWebhook(webhook.clone()));
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "webhook_deleted", Some(format!("webhook:{id}")), serde_json::json!({}))));
    store.apply(cs).await?;
    state.channels.subscriptions.put(webhook);
    Ok(StatusCode::NO_CONTENT)
}
