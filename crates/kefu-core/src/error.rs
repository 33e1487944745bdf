//! The error type at the boundary of `kefu-core`.

use crate::store::StoreError;

/// What can go wrong in a domain operation; the HTTP layer maps each to a status code.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing does not exist, or belongs to another shop (never say which).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is malformed or out of range.
    #[error("{0}")]
    Invalid(String),
    /// Message text exceeds the limit.
    #[error("message text is {len} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the offending text in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The caller's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state (e.g. replying to a closed conversation).
    #[error("{0}")]
    Conflict(String),
    /// A signed request failed verification (bad or missing signature, stale timestamp).
    #[error("{message}")]
    Unverified {
        /// Stable code: `invalid_signature` or `stale_timestamp`.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
