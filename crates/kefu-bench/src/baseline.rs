//! The baseline peer: a bare WebSocket server on the same library and settings as kefu's
//! (tokio-tungstenite under axum: 64 KiB message limit, default buffers), with the same
//! per-socket shape (a bounded outbox of 512 frames, a 30 s keep-alive ping, one loop that
//! interleaves outgoing and incoming frames) but no application: no database, no JSON, no
//! HTTP router. Every kefu figure is also given as a ratio to this.
//!
//! Protocol: `/ws/widget` sends a hello, answers `{"type":"ping"}` with a pong and echoes any
//! other text back to its sender and to every `/ws/agent` socket (the broadcast kefu does for
//! a customer message). `/ws/agent` sends a hello and answers pings.

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Same as kefu's `OUTBOX`.
const OUTBOX: usize = 512;
/// Same as kefu's `MAX_FRAME_BYTES` (axum applies it as the message limit).
const MAX_MESSAGE: usize = 64 * 1024;

/// The WebSocket settings axum uses for kefu's sockets: the library defaults plus the
/// 64 KiB message limit kefu sets.
pub fn server_config() -> WebSocketConfig {
    WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE))
}

#[derive(Default)]
struct Hub {
    next: AtomicU64,
    agents: RwLock<HashMap<u64, mpsc::Sender<Utf8Bytes>>>,
    customers: RwLock<HashMap<u64, mpsc::Sender<Utf8Bytes>>>,
}

/// Serve on 127.0.0.1:`port` until killed; prints `listening ADDR` first. `read_buffer`
/// overrides the library's 128 KiB read buffer (to show what a smaller one saves).
pub async fn run(port: u16, read_buffer: Option<usize>) -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.context("binding the baseline peer")?;
    println!("listening {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let hub = Arc::new(Hub::default());
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let hub = hub.clone();
                let mut config = server_config();
                if let Some(n) = read_buffer {
                    config = config.read_buffer_size(n);
                }
                tokio::spawn(async move { session(stream, hub, config).await });
            }
            // Out of descriptors or similar: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn session(stream: TcpStream, hub: Arc<Hub>, config: WebSocketConfig) {
    // No TCP_NODELAY: axum::serve does not set it for kefu either (same settings).
    let mut path = String::new();
    let callback = |req: &Request, resp: Response| {
        path = req.uri().path().to_string();
        Ok(resp)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await else {
        return;
    };
    let agent = path == "/ws/agent";
    let id = hub.next.fetch_add(1, Ordering::Relaxed);
    let (tx, mut outbox) = mpsc::channel::<Utf8Bytes>(OUTBOX);
    let registry = if agent { &hub.agents } else { &hub.customers };
    write(registry).insert(id, tx);
    let hello = if agent { r#"{"type":"hello","role":"agent"}"# } else { r#"{"type":"hello","role":"customer"}"# };
    if ws.send(Message::Text(Utf8Bytes::from_static(hello))).await.is_ok() {
        let mut keepalive = tokio::time::interval(Duration::from_secs(30));
        keepalive.tick().await;
        loop {
            tokio::select! {
                out = outbox.recv() => match out {
                    Some(frame) => if ws.send(Message::Text(frame)).await.is_err() { break },
                    None => {
                        let close = CloseFrame { code: CloseCode::Policy, reason: "too slow".into() };
                        let _ = ws.send(Message::Close(Some(close))).await;
                        break;
                    }
                },
                _ = keepalive.tick() => if ws.send(Message::Ping(Default::default())).await.is_err() { break },
                incoming = ws.next() => {
                    let text = match incoming {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                        Some(Ok(_)) => continue,
                    };
                    let reply = if text.as_str() == r#"{"type":"ping"}"# {
                        Utf8Bytes::from_static(r#"{"type":"pong"}"#)
                    } else {
                        if !agent {
                            broadcast(&hub, text.clone());
                        }
                        text
                    };
                    if ws.send(Message::Text(reply)).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
    write(registry).remove(&id);
}

/// Push to every agent socket; drop those whose outbox is full, as kefu's hub does.
fn broadcast(hub: &Hub, frame: Utf8Bytes) {
    let mut slow = Vec::new();
    for (id, tx) in read(&hub.agents).iter() {
        if tx.try_send(frame.clone()).is_err() {
            slow.push(*id);
        }
    }
    if !slow.is_empty() {
        let mut agents = write(&hub.agents);
        for id in slow {
            agents.remove(&id);
        }
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}
