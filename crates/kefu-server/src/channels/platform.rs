//! The platform webhook, `POST /api/v1/channels/{id}/webhook`: verify the signature over
//! the raw body, decode, then act. DMs and comments are stored before the answer (idempotent
//! by the platform's event id through the message dedupe key, a unique index); order
//! messages update the order and may tell the buyer; danmaku are queued for the live worker.
//! A refused request stores nothing and is logged with the channel and the reason only.

use crate::app::AppState;
use crate::error::{ApiError, ErrorBody};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use kefu_core::channels::events::{self, PlatformEvent, PlatformUser};
use kefu_core::channels::{signature, Route};
use kefu_core::customer::{Channel, Customer};
use kefu_core::event::{Event, EventKind};
use kefu_core::ids::{ChannelId, CustomerId, ShopId};
use kefu_core::inbox::{Delivered, Inbox};
use kefu_core::orders::order_notice;
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_core::CoreError;
use kefu_store::SqlStore;
use serde_json::{json, Value};

/// The dedupe key of a platform event: unique per channel instance and event id.
pub fn dedupe_key(channel: ChannelId, event_id: &str) -> String {
    format!("p:{channel}:{event_id}")
}

/// Point the customer's replies at this channel (written only when it changed).
pub async fn remember_route(inbox: &Inbox<SqlStore>, shop: ShopId, customer: CustomerId, channel: ChannelId, external_id: &str) -> Result<(), CoreError> {
    let known = inbox.store().route_of(shop, customer).await?;
    if known.as_ref().is_some_and(|r| r.channel_id == channel && r.external_id == external_id) {
        return Ok(());
    }
    let mut cs = ChangeSet::default();
    cs.push(Change::PutRoute(Route { shop_id: shop, customer_id: customer, channel_id: channel, external_id: external_id.to_string(), updated_at: inbox.now() }));
    inbox.store().apply(cs).await?;
    Ok(())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receive one platform event (signed with the channel's secret; see the README). 200 with
/// the stored message for DMs and comments (the same answer for a redelivery), 200 with the
/// order for order messages, 202 for danmaku (queued).
#[utoipa::path(post, path = "/api/v1/channels/{id}/webhook", tag = "channels", params(("id" = String, Path),
        ("X-Kefu-Timestamp" = String, Header, description = "Unix seconds, at most 5 minutes off", pattern = r"^[0-9]{1,12}$"),
        ("X-Kefu-Signature" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of `timestamp + \".\" + body` with the channel's secret", pattern = r"^sha256=[0-9a-f]{64}$")),
    request_body(content = Object, description = "A platform event: message, comment, order_message or live_comment"),
    responses((status = 200, body = Object), (status = 202, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn webhook(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let result = receive_noted(&state, &id, &headers, body, false).await;
    if let Err(e) = &result {
        let (status, code) = e.status_code();
        // Never the body: it carries customers' words and ids.
        tracing::warn!(channel = %id, status = status.as_u16(), code, "platform webhook refused");
    }
    result
}

/// Receive one event and remember, for the channels page, its kind and how it was answered
/// (`test`: sent by the page's "send test event").
pub async fn receive_noted(state: &AppState, id: &str, headers: &HeaderMap, body: Result<Bytes, BytesRejection>, test: bool) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut kind = "";
    let result = receive(state, id, headers, body, &mut kind).await;
    if let Ok(channel) = id.parse::<ChannelId>() {
        let (status, error) = match &result {
            Ok((status, _)) => (status.as_u16(), None),
            Err(e) => (e.status_code().0.as_u16(), Some(e.status_code().1.to_string())),
        };
        state.channels.recent.note(channel, super::recent::Received { at: state.inbox.now(), kind: kind.into(), status, error, test });
    }
    result
}

async fn receive(state: &AppState, id: &str, headers: &HeaderMap, body: Result<Bytes, BytesRejection>, kind: &mut &'static str) -> Result<(StatusCode, Json<Value>), ApiError> {
    let channel_id: ChannelId = crate::api::parse_id(id, "channel")?;
    let inbox = &state.inbox;
    let channel = inbox.store().channel_by_id(channel_id).await?.filter(|c| c.disabled_at.is_none()).ok_or(ApiError::NotFound("channel"))?;
    crate::onboarding::ensure_open(state, channel.shop_id)?;
    let body = body.map_err(|r| if r.status() == StatusCode::PAYLOAD_TOO_LARGE { ApiError::PayloadTooLarge } else { ApiError::BadRequest(crate::error::verbatim(r.body_text())) })?;
    signature::verify(channel.secret.as_bytes(), header(headers, signature::TIMESTAMP_HEADER), header(headers, signature::SIGNATURE_HEADER), &body, inbox.now())?;
    let event = events::decode(&body).map_err(|e| match e {
        CoreError::TooLarge { .. } => ApiError::PayloadTooLarge,
        other => ApiError::Core(other),
    })?;
    let shop = channel.shop_id;
    *kind = match event {
        PlatformEvent::Message { .. } => "message",
        PlatformEvent::Comment { .. } => "comment",
        PlatformEvent::OrderMessage { .. } => "order_message",
        PlatformEvent::LiveComment { .. } => "live_comment",
    };
    let key = dedupe_key(channel_id, event.event_id());
    match event {
        PlatformEvent::Message { user, text, .. } => {
            let d = message(state, shop, channel_id, &user, Channel::Dm, &text, key).await?;
            Ok((StatusCode::OK, Json(delivered(&d))))
        }
        PlatformEvent::Comment { user, text, .. } => {
            let d = message(state, shop, channel_id, &user, Channel::Comment, &text, key).await?;
            if !d.duplicate {
                record_sentiment(state, &d).await?;
            }
            Ok((StatusCode::OK, Json(delivered(&d))))
        }
        PlatformEvent::OrderMessage { user, order, notice, notify, .. } => {
            let customer = buyer(state, shop, channel_id, &user).await?;
            let known = inbox.store().order_by_external(shop, order.external_id.trim()).await?;
            let updated = events::apply_update(shop, customer.id, known.as_ref(), &order, inbox.now())?;
            let mut cs = ChangeSet::default();
            cs.push(Change::PutOrder(updated.clone()));
            inbox.store().apply(cs).await?;
            let text = if notify == Some(false) { None } else { notice.or_else(|| order_notice(known.as_ref(), &updated)) };
            let sent = match text {
                Some(t) => Some(inbox.notify(shop, customer.id, Channel::OrderMessage, &t, key).await?),
                None => None,
            };
            Ok((StatusCode::OK, Json(json!({ "order": updated, "message": sent.map(|d| d.message) }))))
        }
        PlatformEvent::LiveComment { event_id, user, live_id, text } => {
            let queued = state.channels.live.offer(super::live::Danmaku {
                shop,
                channel: channel_id,
                event_id,
                user_id: user.id,
                user_name: user.name.unwrap_or_default(),
                live_id,
                text,
            });
            if !queued {
                return Err(ApiError::RateLimited { retry_after_secs: 1 });
            }
            Ok((StatusCode::ACCEPTED, Json(json!({ "queued": true }))))
        }
    }
}

async fn buyer(state: &AppState, shop: ShopId, channel: ChannelId, user: &PlatformUser) -> Result<Customer, ApiError> {
    // One customer per platform user, whatever kind of event: their `dm` identity.
    let (customer, _) = state.inbox.customer_for(shop, Channel::Dm, &user.id, user.name.as_deref().unwrap_or("")).await?;
    remember_route(&state.inbox, shop, customer.id, channel, &user.id).await?;
    Ok(customer)
}

#[allow(clippy::too_many_arguments)]
async fn message(state: &AppState, shop: ShopId, channel: ChannelId, user: &PlatformUser, on: Channel, text: &str, key: String) -> Result<Delivered, ApiError> {
    let customer = buyer(state, shop, channel, user).await?;
    crate::security::limits::admit_customer_message(state, shop, customer.id).await?;
    let d = state.inbox.platform_message(shop, customer.id, on, text, key).await?;
    if !d.duplicate {
        crate::privacy::note_inbound(state, shop, customer.id, text).await?;
    }
    Ok(d)
}

fn delivered(d: &Delivered) -> Value {
    json!({ "message_id": d.message.id, "conversation_id": d.conversation.id, "customer_id": d.message.customer_id, "duplicate": d.duplicate })
}

/// Comments are public: their sentiment goes to the event log for the shop's dashboards.
async fn record_sentiment(state: &AppState, d: &Delivered) -> Result<(), ApiError> {
    let a = kefu_nlp::engine::analyze(&d.message.content);
    let polarity = serde_json::to_value(a.sentiment).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "neutral".into());
    let m = &d.message;
    let ev = Event::conversation(m.shop_id, m.conversation_id, m.customer_id, m.created_at, EventKind::CommentSentiment { message_id: m.id, polarity, score: a.sentiment_score });
    state.inbox.store().apply(ChangeSet { changes: Vec::new(), events: vec![ev] }).await?;
    Ok(())
}
