//! Assembling the server: state, routes, start-up (migrate, seed, rebuild) and graceful
//! shutdown.

use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::realtime::Hub;
use crate::{api, demo, realtime, web, workers};
use axum::extract::DefaultBodyLimit;
use axum::Router;
use kefu_core::bus::{EventBus, LocalBus};
use kefu_core::clock::{Clock, SystemClock};
use kefu_core::inbox::{Inbox, InboxSettings};
use kefu_core::tickets::TicketDesk;
use kefu_store::{SqlStore, StoreOptions};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The message path.
    pub inbox: Arc<Inbox<SqlStore>>,
    /// Tickets.
    pub tickets: Arc<TicketDesk<SqlStore>>,
    /// Live sockets.
    pub hub: Arc<Hub>,
    /// Configuration.
    pub config: Arc<Config>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Rate limits and login throttling.
    pub guards: Arc<crate::security::Guards>,
    /// Sensitive-word dictionaries (global and per shop).
    pub words: Arc<crate::privacy::SensitiveWords>,
    /// Platform channels, the outbox, webhooks and danmaku.
    pub channels: Arc<crate::channels::Channels>,
    /// Rollups, dashboards, hotspots and alerts.
    pub analytics: Arc<crate::analytics::Analytics>,
    /// Suspended shops.
    pub tenancy: Arc<crate::onboarding::Tenancy>,
    /// Flips to true when the server begins shutting down.
    pub shutdown: watch::Receiver<bool>,
}

/// A started server.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The state, for tests and the CLI.
    pub state: AppState,
    /// The first-run setup page (`/setup?token=…`) when the database has no shop and the
    /// demo is off.
    pub setup_link: Option<String>,
    shutdown_tx: watch::Sender<bool>,
    serve: tokio::task::JoinHandle<std::io::Result<()>>,
    store: SqlStore,
}

impl Running {
    /// Stop accepting, close sockets with a reason, finish in-flight requests, flush the
    /// writer and close the database.
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        match self.serve.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "server stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "server task failed"),
            Ok(Ok(())) => {}
        }
        self.store.close().await;
        tracing::info!("shut down cleanly");
    }

    /// Wait until a shutdown is requested through [`AppState::shutdown`] or a signal.
    pub async fn wait_for_signal(&self) {
        shutdown_signal().await;
    }
}

/// Open the store, seed the demo shop if asked, rebuild hot state, bind and serve.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// [`start`] with an injected clock (tests).
pub async fn start_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Running> {
    config.prepare_data_dir()?;
    let ring = Arc::new(config.key_ring()?);
    let store = SqlStore::open(&config.database_url, ring.clone(), StoreOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.check_keys(&ring, clock.now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let bus: Arc<dyn EventBus> = Arc::new(LocalBus::new(65_536));
    let inbox = Arc::new(Inbox::new(Arc::new(store.clone()), bus.clone(), clock, InboxSettings::default()));
    if config.demo && demo::seed_if_empty(&inbox).await? && config.demo_bot {
        demo::seed_bot(&inbox).await?;
    }
    let setup_link = crate::onboarding::setup_link_at_start(&store, config.demo, inbox.now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let tenancy = Arc::new(crate::onboarding::Tenancy::load(&store).await?);
    spawn_search_reindex(store.clone());
    let active = inbox.rebuild().await?;
    let tickets = Arc::new(TicketDesk::new(inbox.clone()));
    let awaiting = tickets.rebuild().await?;
    tracing::info!(active, awaiting, "rebuilt hot state from the store");

    let started = std::time::Instant::now();
    let words = Arc::new(crate::privacy::SensitiveWords::load(config.sensitive_words.as_deref()).map_err(|e| anyhow::anyhow!(e))?);
    let shop_lists = words.load_shops(&store).await?;
    tracing::info!(words = words.global_len(), shop_lists, ms = started.elapsed().as_millis() as u64, "loaded sensitive-word dictionaries");
    let metrics = Arc::new(Metrics::new(store.clone()));
    let hub = Arc::new(Hub::new(metrics.clone(), words.clone()));
    realtime::spawn_fan_out(hub.clone(), bus.subscribe());

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    workers::spawn_confirmations(tickets.clone(), bus.subscribe());
    workers::spawn_sla_sweeper(tickets.clone(), config.sla_sweep, shutdown_rx.clone());
    workers::spawn_routing_tick(inbox.clone(), shutdown_rx.clone());
    let channels = crate::channels::start(inbox.clone(), config.channels, config.email.clone(), shutdown_rx.clone()).await?;
    let guards = Arc::new(crate::security::Guards::new(config.limits));
    let analytics = Arc::new(crate::analytics::Analytics::new(inbox.clone(), hub.clone()));
    workers::spawn_analytics(analytics.clone(), std::time::Duration::from_secs(5), shutdown_rx.clone());
    let state = AppState { inbox, tickets, hub, config: Arc::new(config.clone()), metrics, guards, words, channels, analytics, tenancy, shutdown: shutdown_rx.clone() };
    if let Some(imap) = config.email.imap.clone() {
        crate::channels::email::imap::spawn(state.clone(), imap, shutdown_rx.clone());
    }
    let connections = connections_within_fd_limit(config.connections);
    let listener = listen(config.listen).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let app = router(state.clone());
    let serve = tokio::spawn(crate::serve::run(listener, app, connections, shutdown_rx));
    Ok(Running { addr, state, setup_link, shutdown_tx, serve, store })
}

/// Raise the open-file limit and keep the connection cap below it, with a warning when the
/// configured cap does not fit.
fn connections_within_fd_limit(mut settings: crate::serve::ConnectionSettings) -> crate::serve::ConnectionSettings {
    use crate::serve::fd_limit;
    let limit = fd_limit::raise();
    if limit.before != limit.now {
        tracing::info!(from = ?limit.before, to = ?limit.now, "raised the open-file limit to its hard limit");
    }
    let fit = fd_limit::connections_that_fit(limit.now);
    if fit < settings.max_connections {
        tracing::warn!(
            open_file_limit = ?limit.now,
            max_connections = settings.max_connections,
            serving_at_most = fit,
            "the open-file limit is below what max_connections needs (max_connections + {}); raise it (ulimit -n, systemd LimitNOFILE)",
            fd_limit::RESERVED
        );
        settings.max_connections = fit;
    }
    settings
}

/// Bind with a listen queue deep enough for a reconnect storm (tokio's default is 1,024;
/// the kernel caps it at `net.core.somaxconn`).
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(8192)
}

/// All routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::routes().merge(crate::channels::routes()))
        .merge(api::docs_routes())
        .merge(realtime::routes())
        .merge(web::routes())
        .merge(crate::metrics::routes())
        .fallback(|| async { ApiError::NotFound("route") })
        .layer(axum::middleware::from_fn(crate::security::csrf::check))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::security::limits::check))
        .layer(axum::middleware::from_fn(crate::error::json_errors))
        // Outside the error shaping and limits, so every answer is in the caller's language.
        .layer(axum::middleware::from_fn(crate::language::from_accept_language))
        .layer(DefaultBodyLimit::max(64 * 1024))
        // Path only: query strings can carry the widget's visitor token.
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Index messages the search index does not hold yet (written before it existed, or before
/// the key rotated), in the background; `kefu search reindex` does the same in the foreground.
fn spawn_search_reindex(store: kefu_store::SqlStore) {
    tokio::spawn(async move {
        match store.reindex_search(500, |_| {}).await {
            Ok(p) if p.done > 0 => tracing::info!(messages = p.done, "search index caught up"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "search index rebuild stopped; run `kefu search reindex`"),
        }
    });
}
