//! The loop every realtime socket runs: send the hello, then interleave outgoing frames,
//! incoming client frames and the shutdown signal.

use super::frames::{self, ClientFrame};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Largest WebSocket message accepted; text over 8 KiB inside it gets an error frame.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Close code "service restart" (RFC 6455 registry): clients reconnect.
const CLOSE_RESTART: u16 = 1012;
/// Close code "policy violation", used when a client cannot keep up.
const CLOSE_TOO_SLOW: u16 = 1008;
/// Close code "message too big": a frame over [`MAX_FRAME_BYTES`].
const CLOSE_TOO_BIG: u16 = 1009;

/// A boxed handler result: the reply frame to send, if the frame wants one.
pub type Reply = Pin<Box<dyn Future<Output = Option<Utf8Bytes>> + Send>>;

/// Run a socket until the client leaves, the server shuts down, or the client is too slow.
pub async fn run(
    mut socket: WebSocket,
    hello: Utf8Bytes,
    mut outbox: mpsc::Receiver<Utf8Bytes>,
    mut shutdown: watch::Receiver<bool>,
    mut on_frame: impl FnMut(ClientFrame) -> Reply,
) {
    if socket.send(Message::Text(hello)).await.is_err() {
        return;
    }
    let stop = async move {
        let _ = shutdown.wait_for(|s| *s).await;
    };
    tokio::pin!(stop);
    // Server pings find half-open connections the client never closed.
    let mut keepalive = tokio::time::interval(Duration::from_secs(30));
    keepalive.tick().await;
    loop {
        tokio::select! {
            _ = &mut stop => {
                close(&mut socket, CLOSE_RESTART, "server restarting; reconnect shortly").await;
                return;
            }
            out = outbox.recv() => match out {
                Some(frame) => {
                    if socket.send(Message::Text(frame)).await.is_err() {
                        return;
                    }
                }
                None => {
                    close(&mut socket, CLOSE_TOO_SLOW, "connection too slow; reconnect and resume").await;
                    return;
                }
            },
            _ = keepalive.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => {
                let reply = match incoming {
                    Some(Err(e)) if too_big(&e) => {
                        close(&mut socket, CLOSE_TOO_BIG, "message too big; frames are at most 64 KiB").await;
                        return;
                    }
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientFrame>(&text) {
                        Ok(ClientFrame::Ping) => frames::encode(&frames::ServerFrame::Pong),
                        Ok(frame) => match on_frame(frame).await {
                            Some(reply) => reply,
                            None => continue,
                        },
                        Err(e) => frames::error("bad_frame", &crate::error::msg("error-frame-unreadable").arg("reason", e.to_string()).render(crate::language::current()), None),
                    },
                    Some(Ok(Message::Binary(_))) => frames::error("bad_frame", &kefu_i18n::render(crate::language::current(), "error-frame-binary"), None),
                    Some(Ok(_)) => continue,
                };
                if socket.send(Message::Text(reply)).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))).await;
}

/// Whether a read failed because the client's frame or message is over the limit.
fn too_big(e: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    let inner = std::error::Error::source(e).and_then(|s| s.downcast_ref::<Error>());
    matches!(inner, Some(Error::Capacity(CapacityError::MessageTooLong { .. })))
}

/// Read buffer per socket. axum's default (128 KiB) is most of an idle session's memory and is
/// zeroed on every read; our frames are at most `MAX_FRAME_BYTES` and usually tiny, so 8 KiB
/// keeps reads to a syscall or two (kefu-bench idle: 134 → ~13 KiB per session on the peer).
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// Apply kefu's socket settings to an upgrade.
pub fn tuned(ws: axum::extract::ws::WebSocketUpgrade) -> axum::extract::ws::WebSocketUpgrade {
    // The frame limit too, so an oversized frame is refused from its header, not buffered.
    ws.max_message_size(MAX_FRAME_BYTES).max_frame_size(MAX_FRAME_BYTES).read_buffer_size(READ_BUFFER_BYTES)
}
