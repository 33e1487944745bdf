//! Who is calling: password hashing, session cookies, bearer tokens, and the [`Principal`]
//! extractor every protected handler takes.

mod password;
pub mod principal;
mod secret;

pub use password::{hash_password, verify_password};
pub use principal::{Principal, Via};
pub use secret::{new_secret, secret_hash};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kefu_session";
