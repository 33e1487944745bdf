//! Prometheus metrics at `/metrics`.

use crate::app::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use kefu_store::{SqlStore, WriterStats};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    /// Customer messages accepted over the widget.
    pub messages_received: Counter,
    /// Agent messages accepted over the workspace socket.
    pub messages_sent: Counter,
    /// Open agent sockets.
    pub agent_sockets: Gauge,
    /// Open widget sockets.
    pub widget_sockets: Gauge,
    /// Customers who started flooding (throttle episodes).
    pub customers_throttled: Counter,
    /// Inbound customer messages that hit the sensitive-word filter.
    pub sensitive_inbound: Counter,
    /// Outgoing replies blocked or held for confirmation by the sensitive-word filter.
    pub sensitive_outbound: Counter,
}

impl Metrics {
    /// Register everything, including the store's group-commit counters.
    pub fn new(store: SqlStore) -> Self {
        let mut registry = Registry::with_prefix("kefu");
        let m = Self {
            registry: Registry::default(),
            messages_received: Counter::default(),
            messages_sent: Counter::default(),
            agent_sockets: Gauge::default(),
            widget_sockets: Gauge::default(),
            customers_throttled: Counter::default(),
            sensitive_inbound: Counter::default(),
            sensitive_outbound: Counter::default(),
        };
        registry.register("widget_messages_received", "Customer messages accepted over the widget socket", m.messages_received.clone());
        registry.register("agent_messages_sent", "Agent messages accepted over the workspace socket", m.messages_sent.clone());
        registry.register("agent_sockets", "Open agent workspace sockets", m.agent_sockets.clone());
        registry.register("widget_sockets", "Open widget sockets", m.widget_sockets.clone());
        registry.register("customers_throttled", "Customers throttled for sending too many messages (once per episode)", m.customers_throttled.clone());
        registry.register("sensitive_inbound", "Customer messages that hit the sensitive-word filter", m.sensitive_inbound.clone());
        registry.register("sensitive_outbound", "Replies blocked or held for confirmation by the sensitive-word filter", m.sensitive_outbound.clone());
        registry.register_collector(Box::new(StoreCollector(store.writer_stats())));
        Self { registry, ..m }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[derive(Debug)]
struct StoreCollector(Arc<WriterStats>);

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counters = [
            ("store_commits", "Transactions committed by the group-commit writer", &self.0.commits),
            ("store_change_sets", "Change sets committed (one per durable operation)", &self.0.change_sets),
            ("store_failures", "Change sets rolled back", &self.0.failures),
        ];
        for (name, help, value) in counters {
            let c = ConstCounter::new(value.load(Ordering::Relaxed));
            let metric_encoder = encoder.encode_descriptor(name, help, None, c.metric_type())?;
            c.encode(metric_encoder)?;
        }
        Ok(())
    }
}

/// `/metrics` and `/healthz`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}
