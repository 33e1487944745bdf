//! The outbox at the edge. `Hook` runs inside every inbox commit and adds the deliveries the
//! change causes (replies to platform conversations, matching webhook events), so they are
//! written in the same transaction as the message or event. The worker sends them: per
//! order key one at a time in commit order, signed, retried with backoff and jitter, dead
//! after the last attempt. Pending rows wait in the store across restarts.

use super::email::smtp::{self, Outgoing};
use super::email::Mailer;
use super::webhooks::Subscriptions;
use super::ChannelSettings;
use kefu_core::channels::email::{self, EmailRecord};
use kefu_core::channels::ChannelInstance;
use kefu_core::ids::ConversationId;
use kefu_core::bus::Committed;
use kefu_core::channels::signature;
use kefu_core::clock::Millis;
use kefu_core::customer::Channel;
use kefu_core::ids::{ChannelId, CustomerId, DeliveryId};
use kefu_core::inbox::Inbox;
use kefu_core::message::{Direction, Message};
use kefu_core::outbox::{webhook_event, Delivery, DeliveryState, Outbound, Target};
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_store::SqlStore;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};

/// Deliveries one pass of the worker takes (each the head of its own order key).
const BATCH: u32 = 64;
/// Longest sleep when nothing is due (a safety net; commits and replays wake the worker).
const IDLE: Duration = Duration::from_secs(5);

/// Whether replies on this channel go out through the outbox (to a platform's callback, or
/// by SMTP for email).
pub fn is_platform(channel: Channel) -> bool {
    matches!(channel, Channel::Dm | Channel::Comment | Channel::OrderMessage | Channel::Live | Channel::Email)
}

/// The commit hook.
pub struct Hook {
    /// Live subscriptions.
    pub subscriptions: Arc<Subscriptions>,
}

fn pending(item: &Committed, target: Target, order_key: String, event: &str, payload: Value, now: Millis) -> Delivery {
    Delivery {
        id: DeliveryId::new(),
        shop_id: item.shop_id,
        target,
        order_key,
        event: event.to_string(),
        payload: payload.to_string(),
        state: DeliveryState::Pending,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        updated_at: now,
    }
}

fn reply_body(m: &Message) -> Value {
    json!({
        "type": "reply",
        "message": {
            "id": m.id, "conversation_id": m.conversation_id, "customer_id": m.customer_id, "seq": m.seq,
            "sender_kind": m.sender_kind, "channel": m.channel, "content": m.content, "created_at": m.created_at,
        },
    })
}

impl Outbound for Hook {
    fn deliveries(&self, item: &Committed, now: Millis) -> Vec<Delivery> {
        let mut out = Vec::new();
        if let Some(m) = item.message.as_ref().filter(|m| m.direction == Direction::Out && is_platform(m.channel)) {
            // One order key per conversation: its replies reach the customer in order.
            out.push(pending(item, Target::Reply, format!("conversation:{}", m.conversation_id), "reply", reply_body(m), now));
        }
        let subs = self.subscriptions.of(item.shop_id);
        if subs.is_empty() {
            return out;
        }
        for ev in &item.events {
            let Some(name) = webhook_event(&ev.kind) else { continue };
            for sub in subs.iter().filter(|s| s.wants(name)) {
                // Webhooks carry what agents see: message text with PII masked.
                let message = item.message.as_ref().filter(|_| name == "message.created").map(|m| {
                    let mut m = m.clone();
                    m.content = kefu_nlp::pii::mask(&m.content);
                    m
                });
                let conversation = item.conversation.as_ref().filter(|_| name.starts_with("conversation.")).map(crate::privacy::mask_conversation);
                let body = json!({
                    "event": name, "shop_id": item.shop_id, "occurred_at": ev.at,
                    "conversation_id": ev.conversation_id, "customer_id": ev.customer_id,
                    "detail": ev.kind, "conversation": conversation, "message": message,
                });
                out.push(pending(item, Target::Webhook { webhook_id: sub.id }, format!("webhook:{}", sub.id), name, body, now));
            }
        }
        out
    }
}

/// Wake the worker after commits that may have queued deliveries.
pub fn spawn_waker(mut rx: broadcast::Receiver<Arc<Committed>>, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => wake.notify_one(),
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

/// Start the delivery worker.
pub fn spawn_worker(inbox: Arc<Inbox<SqlStore>>, subscriptions: Arc<Subscriptions>, mailer: Arc<Mailer>, recent: Arc<super::recent::Recent>, settings: ChannelSettings, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let mut http = reqwest::Client::builder().timeout(settings.delivery_timeout).user_agent(concat!("kefu/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private_targets {
        // Names are resolved to public addresses only, at every connection (DNS rebinding).
        http = http.dns_resolver(Arc::new(super::guard::PublicResolver));
    }
    let http = http.build()?;
    let worker = Worker { inbox, subscriptions, mailer, recent, settings, http };
    tokio::spawn(async move {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let idle = match worker.pass().await {
                Ok(0) => worker.until_next().await,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox pass failed; retrying shortly");
                    Duration::from_millis(500)
                }
            };
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.wait_for(|s| *s) => break,
            }
        }
    });
    Ok(())
}

struct Worker {
    inbox: Arc<Inbox<SqlStore>>,
    subscriptions: Arc<Subscriptions>,
    mailer: Arc<Mailer>,
    /// Each reply attempt is noted against its channel for the channels page.
    recent: Arc<super::recent::Recent>,
    settings: ChannelSettings,
    http: reqwest::Client,
}

/// Where and how one delivery is sent, or why it never can be.
enum Send {
    /// A signed HTTP POST (to a platform channel's callback when `channel` is set, else a webhook).
    Http { url: String, secret: String, body: String, channel: Option<ChannelId> },
    /// An email reply by SMTP, with the record that threads the customer's answer to it.
    Email(Box<Outgoing>, Box<EmailRecord>),
}

/// Delete delivered rows older than `retention` (pending and dead rows are never pruned).
pub async fn prune(inbox: &Inbox<SqlStore>, retention: Duration) -> Result<(), kefu_core::store::StoreError> {
    let before = inbox.now() - retention.as_millis() as i64;
    let mut cs = ChangeSet::default();
    cs.push(Change::PruneDelivered { before });
    inbox.store().apply(cs).await
}

/// Prune delivered rows once an hour (and once shortly after start).
pub fn spawn_pruner(inbox: Arc<Inbox<SqlStore>>, retention: Duration, shutdown: watch::Receiver<bool>) {
    let first = tokio::time::Instant::now() + Duration::from_secs(60);
    crate::workers::run_every(first, Duration::from_secs(3600), shutdown, move || {
        let inbox = inbox.clone();
        async move {
            if let Err(e) = prune(&inbox, retention).await {
                tracing::warn!(error = %e, "pruning delivered outbox rows failed");
            }
        }
    });
}

impl Worker {
    /// Attempt every due head once, concurrently (heads have distinct order keys).
    async fn pass(&self) -> Result<usize, kefu_core::store::StoreError> {
        let due = self.inbox.store().due_deliveries(self.inbox.now(), BATCH).await?;
        let n = due.len();
        futures_util::future::join_all(due.into_iter().map(|d| self.attempt(d))).await;
        Ok(n)
    }

    async fn until_next(&self) -> Duration {
        match self.inbox.store().next_delivery_at().await {
            Ok(Some(at)) => Duration::from_millis((at - self.inbox.now()).clamp(1, IDLE.as_millis() as i64) as u64),
            _ => IDLE,
        }
    }

    async fn resolve(&self, d: &Delivery) -> Result<Send, String> {
        let store = self.inbox.store();
        match d.target {
            Target::Reply => {
                let mut body: Value = serde_json::from_str(&d.payload).map_err(|e| format!("corrupt payload: {e}"))?;
                let customer: CustomerId = body["message"]["customer_id"].as_str().and_then(|s| s.parse().ok()).ok_or("payload without a customer")?;
                let route = store.route_of(d.shop_id, customer).await.map_err(|e| e.to_string())?.ok_or("the customer has no platform channel to reply through")?;
                let channel = store.channel_by_id(route.channel_id).await.map_err(|e| e.to_string())?.filter(|c| c.disabled_at.is_none() && c.shop_id == d.shop_id).ok_or("the customer's platform channel is gone or disabled")?;
                if channel.platform == email::PLATFORM {
                    return self.email(d, &channel, &route.external_id, &body).await;
                }
                body["delivery_id"] = json!(d.id);
                body["channel_id"] = json!(channel.id);
                body["recipient"] = json!({ "user_id": route.external_id });
                Ok(Send::Http { url: channel.callback_url, secret: channel.secret, body: body.to_string(), channel: Some(channel.id) })
            }
            Target::Webhook { webhook_id } => {
                let sub = self.subscriptions.get(d.shop_id, webhook_id).ok_or("the webhook subscription was deleted")?;
                let mut body: Value = serde_json::from_str(&d.payload).map_err(|e| format!("corrupt payload: {e}"))?;
                body["delivery_id"] = json!(d.id);
                Ok(Send::Http { url: sub.url, secret: sub.secret, body: body.to_string(), channel: None })
            }
        }
    }

    /// Compose an email reply threaded under the conversation's recorded emails.
    async fn email(&self, d: &Delivery, channel: &ChannelInstance, to: &str, body: &Value) -> Result<Send, String> {
        if !self.mailer.is_configured() {
            // Retrying cannot help until the server is configured: dead at once, replayable.
            return Err("no SMTP relay is configured (KEFU_SMTP_URL)".into());
        }
        let m = &body["message"];
        let conversation: ConversationId = m["conversation_id"].as_str().and_then(|s| s.parse().ok()).ok_or("payload without a conversation")?;
        let text = m["content"].as_str().ok_or("payload without text")?;
        let thread = self.inbox.store().emails_of_conversation(d.shop_id, conversation, 50).await.map_err(|e| e.to_string())?;
        let lang = self.inbox.customer_language(d.shop_id, conversation).await;
        let out = smtp::compose(d, channel, to, &thread, text, lang)?;
        let record = EmailRecord {
            id: email::thread::record_id(d.shop_id, &out.header.message_id),
            shop_id: d.shop_id,
            conversation_id: conversation,
            customer_id: m["customer_id"].as_str().and_then(|s| s.parse().ok()).ok_or("payload without a customer")?,
            message_id: m["id"].as_str().and_then(|s| s.parse().ok()),
            channel_id: channel.id,
            inbound: false,
            header: out.header.clone(),
            created_at: self.inbox.now(),
        };
        Ok(Send::Email(Box::new(out), Box::new(record)))
    }

    async fn send(&self, d: &Delivery, s: &Send) -> Result<(), String> {
        match s {
            Send::Http { url, secret, body, .. } => {
                if !super::guard::literal_host_allowed(url, self.settings.allow_private_targets) {
                    return Err("the target is not a public address".into());
                }
                self.post(d, url, secret, body).await
            }
            Send::Email(out, record) => {
                // Recorded before sending: the customer's answer may arrive before we would
                // record it after, and a retry writes the same record (same Message-ID).
                let mut cs = ChangeSet::default();
                cs.push(Change::PutEmailRecord((**record).clone()));
                self.inbox.store().apply(cs).await.map_err(|e| e.to_string())?;
                self.mailer.send(out).await
            }
        }
    }

    async fn post(&self, d: &Delivery, url: &str, secret: &str, body: &str) -> Result<(), String> {
        let ts = self.inbox.now() / 1000;
        let res = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(signature::TIMESTAMP_HEADER, ts.to_string())
            .header(signature::SIGNATURE_HEADER, signature::sign(secret.as_bytes(), ts, body.as_bytes()))
            .header("x-kefu-delivery", d.id.to_string())
            .header("x-kefu-event", d.event.as_str())
            .body(body.to_string())
            .send()
            .await
            // Callback URLs may carry tokens: keep them out of errors and logs.
            .map_err(|e| e.without_url().to_string())?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", res.status().as_u16()))
        }
    }

    async fn attempt(&self, d: Delivery) {
        let now_before = self.inbox.now();
        let attempts = d.attempts.saturating_add(1);
        let outcome = match self.resolve(&d).await {
            // Nowhere to send: retrying cannot help.
            Err(reason) => Err((reason, false)),
            Ok(send) => {
                let sent = self.send(&d, &send).await;
                self.note(&send, &sent);
                sent.map_err(|e| (e, true))
            }
        };
        let now = self.inbox.now().max(now_before);
        let (state, next, error) = match outcome {
            Ok(()) => (DeliveryState::Delivered, now, None),
            Err((reason, retryable)) => {
                let delay = if retryable { self.settings.retry.next_delay(attempts, entropy()) } else { None };
                match delay {
                    Some(ms) => (DeliveryState::Pending, now + ms, Some(reason)),
                    None => {
                        tracing::warn!(delivery = %d.id, event = %d.event, attempts, reason = %reason, "delivery dead-lettered");
                        (DeliveryState::Dead, now, Some(reason))
                    }
                }
            }
        };
        let mut cs = ChangeSet::default();
        cs.push(Change::SetDeliveryState { shop_id: d.shop_id, id: d.id, state, attempts, next_attempt_at: next, last_error: error, at: now });
        if let Err(e) = self.inbox.store().apply(cs).await {
            // The row stays as it was: the attempt is repeated (receivers drop repeats by id).
            tracing::warn!(delivery = %d.id, error = %e, "recording a delivery attempt failed");
        }
    }
}

impl Worker {
    /// Note a reply attempt against the channel it went through (webhooks have none).
    fn note(&self, send: &Send, result: &Result<(), String>) {
        let channel = match send {
            Send::Http { channel, .. } => *channel,
            Send::Email(_, record) => Some(record.channel_id),
        };
        if let Some(channel) = channel {
            let sent = super::recent::Sent { at: self.inbox.now(), ok: result.is_ok(), error: result.as_ref().err().cloned() };
            self.recent.note_send(channel, sent);
        }
    }
}

fn entropy() -> u64 {
    let mut b = [0u8; 8];
    // Without randomness the jitter is merely absent; the delay itself stands.
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b)
}
