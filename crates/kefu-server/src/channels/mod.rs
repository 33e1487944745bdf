//! Platform channels and integrations at the server's edge: the signed platform webhook
//! (`platform`), the danmaku queue and its worker (`live`), the outbox hook and delivery
//! worker (`outbox`), outgoing webhook subscriptions (`webhooks`) and the admin API
//! (`admin`). The decisions themselves (signatures, decoding, question detection, retry
//! policy) are kefu-core's `channels` and `outbox`.

pub mod admin;
pub mod email;
pub mod guard;
pub mod live;
pub mod outbox;
pub mod platform;
pub mod recent;
pub mod webhooks;

use crate::app::AppState;
use axum::routing::{delete, get, post};
use axum::Router;
use kefu_core::inbox::Inbox;
use kefu_core::outbox::RetryPolicy;
use kefu_store::SqlStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Settings of channels, the outbox and danmaku (from `KEFU_OUTBOX_*`, `KEFU_LIVE_*`).
#[derive(Clone, Copy, Debug)]
pub struct ChannelSettings {
    /// Retries of deliveries.
    pub retry: RetryPolicy,
    /// How long one delivery attempt may take.
    pub delivery_timeout: Duration,
    /// Danmaku waiting to be processed before the webhook answers 429.
    pub live_queue: usize,
    /// Identical danmaku in one live session within this many ms are repeats.
    pub live_repeat_ms: i64,
    /// Callbacks and webhooks may go to loopback/private/link-local addresses.
    pub allow_private_targets: bool,
    /// Delivered outbox rows older than this are deleted by the sweep.
    pub outbox_retention: Duration,
    /// Largest raw email the email endpoint takes.
    pub email_max_bytes: usize,
}

/// What the channel handlers share.
pub struct Channels {
    /// Settings.
    pub settings: ChannelSettings,
    /// The shops' webhook subscriptions, kept in memory for the commit hook.
    pub subscriptions: Arc<webhooks::Subscriptions>,
    /// The danmaku queue and its counters.
    pub live: live::LiveDesk,
    /// Wakes the delivery worker (new rows, a replay).
    pub wake: Arc<Notify>,
    /// Sends replies to email conversations.
    pub email: Arc<email::Mailer>,
    /// What each channel received, sent and polled lately (for the channels page).
    pub recent: Arc<recent::Recent>,
    inbox: Arc<Inbox<SqlStore>>,
}

impl Channels {
    /// Delete delivered outbox rows older than the retention (the periodic sweep calls this;
    /// tests call it with a moved clock).
    pub async fn prune_outbox(&self) -> Result<(), kefu_core::store::StoreError> {
        outbox::prune(&self.inbox, self.settings.outbox_retention).await
    }
}

/// Load subscriptions, install the outbox hook in the inbox and start the delivery and
/// danmaku workers (which stop at shutdown; pending deliveries wait in the store for the
/// next start).
pub async fn start(inbox: Arc<Inbox<SqlStore>>, settings: ChannelSettings, email_settings: email::EmailSettings, shutdown: watch::Receiver<bool>) -> anyhow::Result<Arc<Channels>> {
    let subscriptions = Arc::new(webhooks::Subscriptions::load(inbox.store()).await?);
    inbox.set_outbound(Arc::new(outbox::Hook { subscriptions: subscriptions.clone() }));
    let wake = Arc::new(Notify::new());
    let mailer = Arc::new(email::Mailer::new(&email_settings, settings.delivery_timeout)?);
    outbox::spawn_waker(inbox.bus().subscribe(), wake.clone());
    let recent = Arc::new(recent::Recent::default());
    outbox::spawn_worker(inbox.clone(), subscriptions.clone(), mailer.clone(), recent.clone(), settings, wake.clone(), shutdown.clone())?;
    outbox::spawn_pruner(inbox.clone(), settings.outbox_retention, shutdown.clone());
    let live = live::LiveDesk::start(inbox.clone(), settings, shutdown);
    Ok(Arc::new(Channels { settings, subscriptions, live, wake, email: mailer, recent, inbox }))
}

/// Routes relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels", get(admin::list_channels).post(admin::create_channel))
        .route("/channels/{id}/webhook", post(platform::webhook))
        .route("/channels/{id}/events", get(recent::list))
        .route("/channels/{id}/test", post(recent::send_test))
        .route("/channels/{id}/email", email::inbound_route())
        .route("/messages/{id}/attachments", get(email::attachments::list))
        .route("/attachments/{id}", get(email::attachments::download))
        .route("/live/stats", get(admin::live_stats))
        .route("/outbox", get(admin::list_outbox))
        .route("/outbox/{id}/replay", post(admin::replay))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", delete(webhooks::remove))
}

/// Whether a path is a platform webhook (signed by the channel's secret, so exempt from the
/// per-IP request limit: a platform pushes a live stream's danmaku from a few addresses).
pub fn is_platform_webhook(path: &str) -> bool {
    // Mail services push inbound email from a few addresses too, signed the same way.
    path.strip_prefix("/api/v1/channels/").is_some_and(|rest| (rest.ends_with("/webhook") || rest.ends_with("/email")) && rest.matches('/').count() == 1)
}
