//! What a connection is doing, for its timeouts: idle between requests (the keep-alive
//! timeout runs), reading a request's head (the header timeout runs, from its first byte), or
//! busy with a request (no timeout: handlers and bodies take what they take).

use super::slots::Slot;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The phase of one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the next request since the instant.
    Idle(Instant),
    /// A request's head has been arriving since the instant.
    Reading(Instant),
    /// This many requests are being answered.
    Busy(usize),
}

/// Shared between the socket (reads), the service (requests) and the connection task (timers).
pub struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    /// A new connection is idle: the client has said nothing yet.
    pub fn new() -> Self {
        Activity { phase: Mutex::new(Phase::Idle(Instant::now())), changed: Notify::new() }
    }

    /// The phase now.
    pub fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, f: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        let next = f(*phase);
        if next != *phase {
            *phase = next;
            drop(phase);
            self.changed.notify_one();
        }
    }

    fn bytes_arrived(&self) {
        self.set(|p| match p {
            Phase::Idle(_) => Phase::Reading(Instant::now()),
            other => other,
        });
    }

    /// A request's head was read; its handler starts.
    pub fn request_started(&self) {
        self.set(|p| match p {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
    }

    /// A handler answered (the body may still be on its way out).
    pub fn request_answered(&self) {
        self.set(|p| match p {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }

    /// When the current phase runs out, if it can.
    pub fn deadline(&self, header: Duration, keep_alive: Duration) -> Option<Instant> {
        match self.phase() {
            Phase::Idle(since) => Some(since + keep_alive),
            Phase::Reading(since) => Some(since + header),
            Phase::Busy(_) => None,
        }
    }

    /// Resolves when the phase changes.
    pub async fn changed(&self) {
        self.changed.notified().await
    }
}

/// A socket that reports arriving bytes to its [`Activity`] and holds its connection slot
/// (through a WebSocket upgrade too, which takes the socket over).
pub struct Watched<T> {
    inner: T,
    activity: std::sync::Arc<Activity>,
    _slot: Slot,
}

impl<T> Watched<T> {
    /// Wrap an accepted socket.
    pub fn new(inner: T, activity: std::sync::Arc<Activity>, slot: Slot) -> Self {
        Watched { inner, activity, _slot: slot }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        res
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
