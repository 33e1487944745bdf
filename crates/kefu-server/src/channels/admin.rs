//! Managing platform channels (`/channels`), the outbox (`/outbox`, replay) and reading
//! the danmaku counters (`/live/stats`).

use super::live::LiveCounts;
use crate::api::{parse_id, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::{new_secret, Principal};
use crate::error::{ApiError, ErrorBody};
use crate::security::audit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::channels::{email, validate_label, validate_target_url, ChannelInstance};
use kefu_core::ids::{ChannelId, DeliveryId};
use kefu_core::outbox::{Delivery, DeliveryState};
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};

/// A new platform channel.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannel {
    /// A name to recognise it by, e.g. 抖音旗舰店 (1-100 characters, not blank, no control
    /// characters).
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 100)]
    pub name: String,
    /// Which platform, e.g. `douyin` (a label like `name`).
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 100)]
    pub platform: String,
    /// Where kefu posts replies to this channel's customers (required for platforms other
    /// than `email`): http or https, a host, no credentials, at most 2000 bytes; it must resolve
    /// to a public address (422 `private_target` / `unresolvable_target`).
    #[serde(default)]
    #[schema(required = true, pattern = r"^https?://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:[1-9][0-9]{0,3})?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$", max_length = 2000)]
    pub callback_url: String,
    /// For `platform: "email"`: the shop's address replies are sent from (e.g.
    /// `help@shop.example`); inbound mail is posted to `/api/v1/channels/{id}/email`.
    pub email_address: Option<String>,
}

/// The created channel, its secret (shown only now) and where the platform posts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedChannel {
    /// The channel.
    pub channel: ChannelInstance,
    /// Signs both directions: HMAC-SHA256 over `timestamp + "." + body`.
    pub secret: String,
    /// The path the platform posts events to.
    pub webhook_path: String,
}

/// The shop's channels.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChannelList {
    /// Oldest first.
    pub channels: Vec<ChannelInstance>,
}

/// Which deliveries to list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `pending`, `delivered` or `dead` [default: dead].
    pub state: Option<String>,
    /// At most this many (default 100, max 1000).
    pub limit: Option<u32>,
}

/// Deliveries, newest first (payloads are not shown: replies carry message text).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    /// The deliveries.
    pub deliveries: Vec<Delivery>,
}

/// Configure a platform channel (scope `settings:manage`).
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body = CreateChannel,
    responses((status = 201, body = CreatedChannel), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_channel(State(state): State<AppState>, who: Principal, ApiJson(req): ApiJson<CreateChannel>) -> Result<(StatusCode, Json<CreatedChannel>), ApiError> {
    who.require(Scope::SettingsManage)?;
    validate_label("name", &req.name)?;
    validate_label("platform", &req.platform)?;
    let callback_url = if req.platform.trim() == email::PLATFORM {
        // An email channel's "callback" is the address its replies are sent from (by SMTP).
        let addr = req.email_address.as_deref().and_then(email::normalise_address).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-channel-email-address")))?;
        format!("mailto:{addr}")
    } else {
        validate_target_url(req.callback_url.trim())?;
        super::guard::check_target(req.callback_url.trim(), state.channels.settings.allow_private_targets).await?;
        req.callback_url.trim().to_string()
    };
    let secret = new_secret("kefu_chs_").map_err(ApiError::Internal)?;
    let channel = ChannelInstance {
        id: ChannelId::new(),
        shop_id: who.user.shop_id,
        name: req.name.trim().to_string(),
        platform: req.platform.trim().to_string(),
        callback_url,
        secret: secret.clone(),
        created_at: state.inbox.now(),
        disabled_at: None,
    };
    let mut cs = ChangeSet::default();
    cs.push(Change::PutChannel(channel.clone()));
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "channel_created", Some(format!("channel:{}", channel.id)), serde_json::json!({ "platform": channel.platform }))));
    state.inbox.store().apply(cs).await?;
    let kind = if channel.platform == email::PLATFORM { "email" } else { "webhook" };
    let webhook_path = format!("/api/v1/channels/{}/{kind}", channel.id);
    Ok((StatusCode::CREATED, Json(CreatedChannel { channel, secret, webhook_path })))
}

/// The shop's platform channels (scope `settings:manage`).
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels", responses((status = 200, body = ChannelList), (status = 403, body = ErrorBody)))]
pub async fn list_channels(State(state): State<AppState>, who: Principal) -> Result<Json<ChannelList>, ApiError> {
    who.require(Scope::SettingsManage)?;
    Ok(Json(ChannelList { channels: state.inbox.store().channels(who.user.shop_id).await? }))
}

/// The shop's outbox deliveries in one state (scope `settings:manage`).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "channels", params(OutboxQuery),
    responses((status = 200, body = DeliveryList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_outbox(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<OutboxQuery>) -> Result<Json<DeliveryList>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let wanted = q.state.as_deref().unwrap_or("dead");
    let s = DeliveryState::parse(wanted).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-delivery-state").arg("state", wanted.to_string())))?;
    let deliveries = state.inbox.store().deliveries(who.user.shop_id, s, q.limit.unwrap_or(100)).await?;
    Ok(Json(DeliveryList { deliveries }))
}

/// Send a dead delivery again from its first attempt (scope `settings:manage`). It takes its
/// old place in its order key's line.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/replay", tag = "channels", params(("id" = String, Path)),
    responses((status = 200, body = Delivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn replay(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<Delivery>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let id: DeliveryId = parse_id(&id, "delivery")?;
    let store = state.inbox.store();
    let mut d = store.delivery(who.user.shop_id, id).await?.ok_or(ApiError::NotFound("delivery"))?;
    if d.state != DeliveryState::Dead {
        return Err(kefu_core::CoreError::Conflict(crate::error::msg("error-delivery-replay").arg("state", d.state.as_str())).into());
    }
    let now = state.inbox.now();
    let mut cs = ChangeSet::default();
    cs.push(Change::SetDeliveryState { shop_id: d.shop_id, id, state: DeliveryState::Pending, attempts: 0, next_attempt_at: now, last_error: d.last_error.clone(), at: now });
    cs.push(Change::AppendAudit(audit::entry(&state, &who, "delivery_replayed", Some(format!("delivery:{id}")), serde_json::json!({ "event": d.event }))));
    store.apply(cs).await?;
    state.channels.wake.notify_one();
    (d.state, d.attempts, d.next_attempt_at, d.updated_at) = (DeliveryState::Pending, 0, now, now);
    Ok(Json(d))
}

/// The shop's danmaku counters since start (scope `conversations:read`).
#[utoipa::path(get, path = "/api/v1/live/stats", tag = "channels", responses((status = 200, body = LiveCounts)))]
pub async fn live_stats(State(state): State<AppState>, who: Principal) -> Result<Json<LiveCounts>, ApiError> {
    who.require(Scope::ConversationsRead)?;
    Ok(Json(state.channels.live.counts(who.user.shop_id)))
}
