//! The error type at the boundary of `kefu-core`. What a person reads is a catalogue message
//! (`errors.ftl`, ids `error-…`), rendered late in the reader's language by the HTTP layer;
//! `Display` renders English, for logs.

use crate::store::StoreError;
use kefu_i18n::{Lang, Message};

/// What can go wrong in a domain operation; the HTTP layer maps each to a status code.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing does not exist, or belongs to another shop (never say which).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is malformed or out of range.
    #[error("{}", .0.render(Lang::En))]
    Invalid(Message),
    /// Message text exceeds the limit.
    #[error("message text is {len} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the offending text in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The caller's role does not allow this.
    #[error("{}", .0.render(Lang::En))]
    Forbidden(Message),
    /// The request conflicts with the current state (e.g. replying to a closed conversation).
    #[error("{}", .0.render(Lang::En))]
    Conflict(Message),
    /// A signed request failed verification (bad or missing signature, stale timestamp).
    #[error("{}", message.render(Lang::En))]
    Unverified {
        /// Stable code: `invalid_signature` or `stale_timestamp`.
        code: &'static str,
        /// What is wrong.
        message: Message,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Text that is already words (a parser's own explanation, a validator's list): shown as is in
/// every language, through the catalogue's `error-text`.
pub fn verbatim(text: impl Into<String>) -> Message {
    Message::new("error-text").arg("text", text.into())
}

/// Shorthand for a catalogue message: `msg("error-…")`.
pub fn msg(key: &'static str) -> Message {
    Message::new(key)
}
