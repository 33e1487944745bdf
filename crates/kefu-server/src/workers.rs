//! Background workers that consume the event bus or run on a timer.

use kefu_core::bus::Committed;
use kefu_core::inbox::Inbox;
use kefu_core::store::Store;
use kefu_core::message::SenderKind;
use kefu_core::tickets::TicketDesk;
use kefu_store::SqlStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Customers answer ticket confirmations ("1" solved / "2" not) in their conversation.
pub fn spawn_confirmations(desk: Arc<TicketDesk<SqlStore>>, mut rx: broadcast::Receiver<Arc<Committed>>) {
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(item) => {
                    let Some(m) = item.message.as_ref().filter(|m| m.sender_kind == SenderKind::Customer) else { continue };
                    if let Err(e) = desk.on_customer_message(m.shop_id, m.customer_id, &m.content).await {
                        tracing::warn!(error = %e, "applying a customer's ticket confirmation failed");
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => tracing::warn!(missed = n, "ticket confirmations fell behind the bus"),
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

/// Run `job` every `period`, the first time at `first`, until shutdown. A slow run delays the
/// next one rather than bunching runs up.
pub fn run_every<F, Fut>(first: tokio::time::Instant, period: Duration, mut shutdown: watch::Receiver<bool>, mut job: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(first, period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The watch's borrow guard is not Send: drop it inside the stop future.
        let stop = async move {
            let _ = shutdown.wait_for(|s| *s).await;
        };
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => job().await,
            }
        }
    });
}

/// The routing clock: every second lapse unanswered offers, let overflow happen and update
/// queue places; every minute close conversations that went quiet.
pub fn spawn_routing_tick(inbox: Arc<Inbox<SqlStore>>, shutdown: watch::Receiver<bool>) {
    let mut n: u64 = 0;
    run_every(tokio::time::Instant::now(), Duration::from_secs(1), shutdown, move || {
        n += 1;
        let minute = n % 60 == 0;
        let inbox = inbox.clone();
        async move {
            for shop in inbox.active_shops() {
                inbox.tick(shop).await;
            }
            if minute {
                close_inactive(&inbox).await;
            }
        }
    });
}

async fn close_inactive(inbox: &Inbox<SqlStore>) {
    let shops = match inbox.store().shops().await {
        Ok(s) => s,
        Err(e) => return tracing::warn!(error = %e, "listing shops for the inactivity sweep failed"),
    };
    for shop in shops {
        match inbox.close_inactive(shop.id).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(closed = n, "closed inactive conversations"),
            Err(e) => tracing::warn!(error = %e, "closing inactive conversations failed"),
        }
    }
}

/// Evaluate ticket SLAs every `every` until shutdown.
pub fn spawn_sla_sweeper(desk: Arc<TicketDesk<SqlStore>>, every: Duration, shutdown: watch::Receiver<bool>) {
    run_every(tokio::time::Instant::now(), every, shutdown, move || {
        let desk = desk.clone();
        async move {
            match desk.sweep().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(fired = n, "SLA sweep"),
                Err(e) => tracing::warn!(error = %e, "SLA sweep failed"),
            }
        }
    });
}

/// Keep analytics rollups current and evaluate alert rules every `every` until shutdown.
pub fn spawn_analytics(analytics: Arc<crate::analytics::Analytics>, every: Duration, shutdown: watch::Receiver<bool>) {
    run_every(tokio::time::Instant::now(), every, shutdown, move || {
        let analytics = analytics.clone();
        async move {
            match analytics.evaluate().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(changed = n, "analytics alerts"),
                Err(e) => tracing::warn!(error = %e, "analytics evaluation failed"),
            }
        }
    });
}
