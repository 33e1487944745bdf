//! Defences around the API: rate limits, login throttling, CSRF, the password policy, and
//! the audit trail of protected actions.

pub mod audit;
pub mod csrf;
pub mod limits;
pub mod password_policy;

pub use limits::Guards;
