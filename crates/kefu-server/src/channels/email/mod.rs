//! The email channel at the server's edge: raw RFC 822 messages posted by a mail service
//! (`inbound`) or polled by IMAP (`imap`), replies sent by SMTP through the outbox (`smtp`), attachments read back by
//! agents (`attachments`). Decoding, quote trimming and threading are kefu-core's
//! `channels::email`.

pub mod attachments;
pub mod imap;
pub mod inbound;
pub mod smtp;

use crate::app::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{post, MethodRouter};

pub use smtp::{EmailSettings, Mailer};

/// The hard ceiling of the email endpoint's body; the configured `KEFU_EMAIL_MAX_BYTES`
/// (at most this) is enforced by the handler.
const BODY_CEILING: usize = 50 * 1024 * 1024;

/// `POST /channels/{id}/email` with its own body limit (the API's default is 64 KiB).
pub fn inbound_route() -> MethodRouter<AppState> {
    post(inbound::receive).layer(DefaultBodyLimit::max(BODY_CEILING))
}
