//! Accepting and serving connections. `axum::serve` has no header-read or keep-alive timeout
//! and no connection caps, so the accept loop is ours: a slot per connection (per client
//! address and in total), HTTP/1.1 by hyper with upgrades (WebSockets), our own timers for the
//! request head and idle keep-alive and stalled bodies, `TCP_NODELAY`, the peer address as axum's `ConnectInfo`,
//! and graceful shutdown (stop accepting, let requests finish, close idle connections).

mod body;
pub mod fd_limit;
mod slots;
mod watch;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use slots::{Refused, Slot, Slots};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tower::ServiceExt;
use watch::{Activity, Phase, Watched};

/// Connection limits and timeouts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConnectionSettings {
    /// From a request's first byte to the end of its head; also the longest a request body
    /// may stall between two pieces.
    pub header_timeout: Duration,
    /// From the end of an answer (or the connection's start) to the next request's first byte.
    pub keep_alive: Duration,
    /// Connections from one client address (IPv6: one /64); 0 = no cap.
    pub per_ip: usize,
    /// Connections in all, WebSockets included (further clients wait in the listen queue).
    pub max_connections: usize,
}

/// Serve `app` on `listener` until `stop` turns true, then finish what is in flight.
pub async fn run(listener: TcpListener, app: Router, settings: ConnectionSettings, mut stop: tokio::sync::watch::Receiver<bool>) -> std::io::Result<()> {
    let slots = Slots::new(settings.per_ip, settings.max_connections);
    // While every slot is taken, idle keep-alive connections close at once and request heads
    // get a short timeout, so waiting clients get in sooner (nginx does the same with idle
    // keep-alives when it runs out of connections).
    let (pressure, pressed) = tokio::sync::watch::channel(false);
    // Every connection task holds a receiver; the last one to end closes the channel.
    let (all_done, done) = tokio::sync::watch::channel(());
    let mut last_warning: Option<Instant> = None;
    loop {
        if slots.full() {
            pressure.send_if_modified(|p| !std::mem::replace(p, true));
            // New clients wait in the listen queue (not in our descriptors) until one leaves.
            tokio::select! {
                _ = slots.wait_for_free() => continue,
                _ = stopped(&mut stop) => break,
            }
        }
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e, &mut last_warning).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let slot = match slots.take(peer.ip()) {
            Ok(slot) => {
                if slots.held() * 10 < settings.max_connections * 9 {
                    pressure.send_if_modified(|p| std::mem::replace(p, false));
                }
                slot
            }
            Err(Refused::PerIp) => {
                tracing::debug!(ip = %peer.ip(), "connection refused: too many from this address");
                continue;
            }
            Err(Refused::Full) => continue,
        };
        // Small frames (acks, messages) must leave at once, not wait for Nagle and a delayed ACK.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let watched = Watchers { stop: stop.clone(), pressed: pressed.clone(), _done: done.clone() };
        tokio::spawn(connection(tcp, peer, slot, app.clone(), settings, watched));
    }
    drop(done);
    drop(listener);
    all_done.closed().await;
    Ok(())
}

async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Out of descriptors (or memory) the error repeats until something closes: wait a little
/// and say so now and then, not once per attempt.
async fn accept_failed(e: std::io::Error, last_warning: &mut Option<Instant>) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
        tracing::warn!(error = %e, "accepting connections failed; raise the open-file limit or lower max_connections");
        *last_warning = Some(Instant::now());
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Marks a request answered when its handler finishes or is dropped.
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.request_answered();
    }
}

/// What a connection task listens to besides its socket.
struct Watchers {
    /// The server is stopping.
    stop: tokio::sync::watch::Receiver<bool>,
    /// Every slot is taken.
    pressed: tokio::sync::watch::Receiver<bool>,
    /// Held until the task ends (the server waits for all of them).
    _done: tokio::sync::watch::Receiver<()>,
}

/// The header timeout while every slot is taken.
const PRESSED_HEADER_TIMEOUT: Duration = Duration::from_secs(1);

/// Header and keep-alive timeouts now.
fn timeouts(settings: &ConnectionSettings, pressed: bool) -> (Duration, Duration) {
    match pressed {
        true => (settings.header_timeout.min(PRESSED_HEADER_TIMEOUT), Duration::ZERO),
        false => (settings.header_timeout, settings.keep_alive),
    }
}

async fn connection(tcp: TcpStream, peer: SocketAddr, slot: Slot, app: Router, settings: ConnectionSettings, mut watchers: Watchers) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched::new(tcp, activity.clone(), slot));
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |req: axum::http::Request<Incoming>| {
        requests.request_started();
        let answering = Answering(requests.clone());
        let mut req = req.map(|b| Body::new(body::StallLimited::new(b, settings.header_timeout)));
        req.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await;
            drop(answering);
            res
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        // Our timers below cover the head and idle keep-alive separately.
        .header_read_timeout(None)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let (header, keep_alive) = timeouts(&settings, *watchers.pressed.borrow());
        let deadline = activity.deadline(header, keep_alive);
        let expired = async move {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stopped(&mut watchers.stop), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = activity.changed() => {}
            Ok(()) = watchers.pressed.changed() => {}
            _ = expired => match activity.phase() {
                Phase::Reading(since) if since + header <= Instant::now() => {
                    tracing::debug!(ip = %peer.ip(), "request head not complete in time; closing");
                    return;
                }
                Phase::Idle(since) if since + keep_alive <= Instant::now() => {
                    if closing {
                        return;
                    }
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ => {}
            },
        }
    }
}
