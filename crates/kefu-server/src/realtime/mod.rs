//! Realtime: WebSocket endpoints for agents and widget customers, and the fan-out that
//! pushes committed changes from the event bus to the sockets that should see them.

mod agent;
mod frames;
mod hub;
mod socket;
mod typing;
mod widget;

pub use hub::Hub;

use crate::app::AppState;
use axum::routing::get;
use axum::Router;
use kefu_core::bus::Committed;
use std::sync::Arc;
use tokio::sync::broadcast;

/// `/ws/agent` and `/ws/widget`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/ws/agent", get(agent::upgrade)).route("/ws/widget", get(widget::upgrade))
}

/// Consume the bus and deliver to sockets until the bus closes.
pub fn spawn_fan_out(hub: Arc<Hub>, mut rx: broadcast::Receiver<Arc<Committed>>) {
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(item) => hub.deliver(&item),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    // Clients recover by reloading lists and passing after_seq on reconnect.
                    tracing::warn!(missed = n, "realtime fan-out fell behind the bus");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
