//! Danmaku at the edge: the webhook only queues them (a bounded queue, answered 429 when
//! full so the platform retries), and one worker judges them. A burst therefore costs DMs
//! nothing: DMs are stored by their own request, never behind the danmaku queue.

use super::ChannelSettings;
use kefu_core::channels::live::{DanmakuFilter, Verdict};
use kefu_core::customer::Channel;
use kefu_core::ids::{ChannelId, ShopId};
use kefu_core::inbox::Inbox;
use kefu_store::SqlStore;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// Most texts the repeat filter remembers.
const FILTER_ENTRIES: usize = 200_000;

/// One queued danmaku.
pub struct Danmaku {
    /// Shop.
    pub shop: ShopId,
    /// The channel it came through.
    pub channel: ChannelId,
    /// The platform's event id.
    pub event_id: String,
    /// The viewer's platform id.
    pub user_id: String,
    /// The viewer's nickname.
    pub user_name: String,
    /// The live session.
    pub live_id: String,
    /// The text.
    pub text: String,
}

/// A shop's danmaku counters since start (hotspots will read the texts later).
#[derive(Clone, Copy, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct LiveCounts {
    /// Accepted into the queue.
    pub received: u64,
    /// Stored as conversation messages.
    pub questions: u64,
    /// Dropped as repeats within the window.
    pub repeats: u64,
    /// Counted, not stored.
    pub chatter: u64,
    /// Refused with 429 because the queue was full.
    pub shed: u64,
    /// Questions that failed to store (logged).
    pub failed: u64,
}

/// The danmaku queue and counters.
pub struct LiveDesk {
    tx: mpsc::Sender<Danmaku>,
    counts: Arc<Mutex<HashMap<ShopId, LiveCounts>>>,
}

fn bump(counts: &Mutex<HashMap<ShopId, LiveCounts>>, shop: ShopId, f: impl FnOnce(&mut LiveCounts)) {
    f(counts.lock().unwrap_or_else(|p| p.into_inner()).entry(shop).or_default());
}

impl LiveDesk {
    /// Start the worker.
    pub fn start(inbox: Arc<Inbox<SqlStore>>, settings: ChannelSettings, shutdown: watch::Receiver<bool>) -> Self {
        let (tx, rx) = mpsc::channel(settings.live_queue);
        let counts = Arc::new(Mutex::new(HashMap::new()));
        tokio::spawn(work(inbox, rx, DanmakuFilter::new(settings.live_repeat_ms, FILTER_ENTRIES), counts.clone(), shutdown));
        Self { tx, counts }
    }

    /// Queue a danmaku; false when the queue is full.
    pub fn offer(&self, d: Danmaku) -> bool {
        let shop = d.shop;
        let ok = self.tx.try_send(d).is_ok();
        bump(&self.counts, shop, |c| if ok { c.received += 1 } else { c.shed += 1 });
        ok
    }

    /// A shop's counters.
    pub fn counts(&self, shop: ShopId) -> LiveCounts {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).get(&shop).copied().unwrap_or_default()
    }
}

async fn work(
    inbox: Arc<Inbox<SqlStore>>,
    mut rx: mpsc::Receiver<Danmaku>,
    mut filter: DanmakuFilter,
    counts: Arc<Mutex<HashMap<ShopId, LiveCounts>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let d = tokio::select! {
            d = rx.recv() => match d { Some(d) => d, None => break },
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let verdict = filter.judge(&format!("{}/{}", d.channel, d.live_id), &d.text, inbox.now());
        match verdict {
            Verdict::Repeat => bump(&counts, d.shop, |c| c.repeats += 1),
            Verdict::Chatter => bump(&counts, d.shop, |c| c.chatter += 1),
            Verdict::Question => {
                let ok = match store_question(&inbox, &d).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!(error = %e, channel = %d.channel, "storing a live question failed");
                        false
                    }
                };
                bump(&counts, d.shop, |c| if ok { c.questions += 1 } else { c.failed += 1 });
            }
        }
    }
}

async fn store_question(inbox: &Inbox<SqlStore>, d: &Danmaku) -> Result<(), kefu_core::CoreError> {
    let (customer, _) = inbox.customer_for(d.shop, Channel::Dm, &d.user_id, &d.user_name).await?;
    super::platform::remember_route(inbox, d.shop, customer.id, d.channel, &d.user_id).await?;
    inbox.platform_message(d.shop, customer.id, Channel::Live, &d.text, super::platform::dedupe_key(d.channel, &d.event_id)).await?;
    Ok(())
}
