//! A request body that fails when the client stops sending: a handler waiting for the rest of
//! a body would otherwise hold the connection (and its slot) for as long as the client likes.

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// `Incoming` with a limit on the wait for each next piece.
pub struct StallLimited {
    inner: Incoming,
    limit: Duration,
    waiting: Option<Pin<Box<Sleep>>>,
}

/// The client sent nothing of the body for longer than the limit.
#[derive(Debug, thiserror::Error)]
#[error("the request body stalled for more than {0:?}")]
pub struct Stalled(Duration);

impl StallLimited {
    /// Wrap a request body.
    pub fn new(inner: Incoming, limit: Duration) -> Self {
        StallLimited { inner, limit, waiting: None }
    }
}

impl Body for StallLimited {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                self.waiting = None;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let limit = self.limit;
                let timer = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(Stalled(limit))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
