//! What each platform channel received lately (kind, when, how it was answered), what kefu
//! sent through it lately (replies to the platform's callback or by SMTP, with the error of a
//! failed attempt), and for an email channel its IMAP polls — kept in memory for the channels
//! page — and the page's "send test event": a synthetic DM signed with the channel's own
//! secret and put through the same receiving path as the platform's.
//! *Decision:* in memory and per process (the last 20 per channel): it is a setup aid, not a
//! log; a restart empties it, and refused requests are also in the server log.

use crate::api::parse_id;
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::channels::signature;
use kefu_core::ids::{ChannelId, ShopId};
use kefu_core::store::Store;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many events a channel remembers.
const KEPT: usize = 20;

/// One request a channel received.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Received {
    /// When (ms).
    pub at: i64,
    /// `message`, `comment`, `order_message`, `live_comment`, or empty when it did not decode.
    pub kind: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The error code when refused (`bad_signature`, `invalid_request`, …).
    pub error: Option<String>,
    /// Sent by the page's "send test event".
    pub test: bool,
}

/// One attempt to send a reply through a channel.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Sent {
    /// When (ms).
    pub at: i64,
    /// Accepted by the platform's callback or the SMTP relay.
    pub ok: bool,
    /// Why it failed (`HTTP 502`, the relay's answer …); retried by the outbox when it can be.
    pub error: Option<String>,
}

/// One IMAP poll of an email channel's mailbox.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Polled {
    /// When (ms).
    pub at: i64,
    /// Messages fetched.
    pub fetched: u64,
    /// Why it failed (connection, login …; never the password).
    pub error: Option<String>,
}

/// The last requests, sends and polls per channel.
#[derive(Default)]
pub struct Recent {
    by_channel: Mutex<HashMap<ChannelId, VecDeque<Received>>>,
    sends: Mutex<HashMap<ChannelId, VecDeque<Sent>>>,
    polls: Mutex<HashMap<ChannelId, VecDeque<Polled>>>,
}

/// Put `item` first in `channel`'s list, forgetting the oldest past 20.
fn keep<T>(lists: &Mutex<HashMap<ChannelId, VecDeque<T>>>, channel: ChannelId, item: T) {
    let mut all = lists.lock().unwrap_or_else(|p| p.into_inner());
    let list = all.entry(channel).or_default();
    list.push_front(item);
    list.truncate(KEPT);
}

/// `channel`'s list, newest first.
fn list_of<T: Clone>(lists: &Mutex<HashMap<ChannelId, VecDeque<T>>>, channel: ChannelId) -> Vec<T> {
    lists.lock().unwrap_or_else(|p| p.into_inner()).get(&channel).map(|l| l.iter().cloned().collect()).unwrap_or_default()
}

impl Recent {
    /// Remember one request (the oldest is forgotten past 20).
    pub fn note(&self, channel: ChannelId, received: Received) {
        keep(&self.by_channel, channel, received);
    }

    /// Remember one send attempt.
    pub fn note_send(&self, channel: ChannelId, sent: Sent) {
        keep(&self.sends, channel, sent);
    }

    /// Remember one IMAP poll.
    pub fn note_poll(&self, channel: ChannelId, polled: Polled) {
        keep(&self.polls, channel, polled);
    }

    /// Newest first.
    pub fn of(&self, channel: ChannelId) -> Vec<Received> {
        list_of(&self.by_channel, channel)
    }
}

/// How an email channel is connected.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EmailStatus {
    /// Replies can go out: the server has an SMTP relay (`KEFU_SMTP_URL`).
    pub smtp_configured: bool,
    /// The relay answered a greeting just now (checked on each request; none without a relay).
    pub smtp_reachable: Option<bool>,
    /// Why it did not answer.
    pub smtp_error: Option<String>,
    /// Mail arrives by IMAP polling of this channel's mailbox (else only pushed to the email
    /// endpoint by the mail provider's webhook).
    pub imap: bool,
    /// Seconds between IMAP polls, when polled.
    pub imap_every_secs: Option<u64>,
    /// The last polls, newest first.
    pub polls: Vec<Polled>,
}

/// A channel's recent requests, sends and (email) status.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecentList {
    /// Requests received: newest first, at most 20, since the server started.
    pub events: Vec<Received>,
    /// Replies sent through it: newest first, at most 20, since the server started.
    pub sends: Vec<Sent>,
    /// For an email channel, how it is connected.
    pub email: Option<EmailStatus>,
}

async fn own_channel(state: &AppState, shop: ShopId, raw: &str) -> Result<kefu_core::channels::ChannelInstance, ApiError> {
    let id: ChannelId = parse_id(raw, "channel")?;
    let channel = state.inbox.store().channel_by_id(id).await?.filter(|c| c.shop_id == shop).ok_or(ApiError::NotFound("channel"))?;
    Ok(channel)
}

/// The requests a channel received lately, with how each was answered (scope `settings:manage`).
#[utoipa::path(get, path = "/api/v1/channels/{id}/events", tag = "channels", params(("id" = String, Path)),
    responses((status = 200, body = RecentList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<RecentList>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let channel = own_channel(&state, who.user.shop_id, &id).await?;
    let recent = &state.channels.recent;
    let email = if channel.platform == kefu_core::channels::email::PLATFORM {
        let imap = state.config.email.imap.as_ref().filter(|i| i.channel == channel.id);
        let probe = state.channels.email.probe().await;
        Some(EmailStatus {
            smtp_configured: state.channels.email.is_configured(),
            smtp_reachable: probe.as_ref().map(Result::is_ok),
            smtp_error: probe.and_then(Result::err),
            imap: imap.is_some(),
            imap_every_secs: imap.map(|i| i.every.as_secs()),
            polls: list_of(&recent.polls, channel.id),
        })
    } else {
        None
    };
    Ok(Json(RecentList { events: recent.of(channel.id), sends: list_of(&recent.sends, channel.id), email }))
}

/// What a test event did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TestResult {
    /// Received and stored as the platform's would be.
    pub ok: bool,
    /// The status the webhook answered.
    pub status: u16,
    /// What happened, in Chinese.
    pub message: String,
    /// The test conversation (from 渠道测试), when stored.
    pub conversation_id: Option<String>,
}

/// Send a test event to a platform channel: a DM from the user `kefu-test` (渠道测试), signed
/// with the channel's secret and received by the webhook's own code — signature, decoding,
/// storing — so it lands in the workspace like a real one (scope `settings:manage`).
#[utoipa::path(post, path = "/api/v1/channels/{id}/test", tag = "channels", params(("id" = String, Path)),
    responses((status = 200, body = TestResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn send_test(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> Result<Json<TestResult>, ApiError> {
    who.require(Scope::SettingsManage)?;
    let channel = own_channel(&state, who.user.shop_id, &id).await?;
    if channel.platform == kefu_core::channels::email::PLATFORM {
        return Err(ApiError::BadRequest(crate::error::msg("error-channel-test-email")));
    }
    let now = state.inbox.now();
    let event_id = format!("kefu-test-{}", uuid::Uuid::now_v7());
    let body = serde_json::json!({"type": "message", "event_id": event_id, "user": {"id": "kefu-test", "name": "渠道测试"}, "text": "这是一条渠道测试事件，可以直接结束此会话。"});
    let body = Bytes::from(serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.to_string()))?);
    let timestamp = now / 1000;
    let mut headers = HeaderMap::new();
    let signed = signature::sign(channel.secret.as_bytes(), timestamp, &body);
    headers.insert(signature::TIMESTAMP_HEADER, HeaderValue::from(timestamp));
    headers.insert(signature::SIGNATURE_HEADER, HeaderValue::from_str(&signed).map_err(|e| ApiError::Internal(e.to_string()))?);
    let answer = super::platform::receive_noted(&state, &id, &headers, Ok(body), true).await;
    Ok(Json(match answer {
        Ok((status, Json(v))) => TestResult {
            ok: true,
            status: status.as_u16(),
            message: "测试事件已收到：工作台里有一条来自「渠道测试」的会话".into(),
            conversation_id: v["conversation_id"].as_str().map(str::to_string),
        },
        Err(e) => TestResult { ok: false, status: e.status_code().0.as_u16(), message: format!("测试事件未能收下：{}", e.public_message()), conversation_id: None },
    }))
}
