//! The open-file limit: every connection is a file descriptor, and the usual soft limit
//! (1,024) is far below what a server of idle widget sockets needs. Raised to the hard limit at
//! start; the connection cap is then kept below what is left.

/// Descriptors kept for everything but client connections: the database pool, the key file,
/// outgoing webhooks, SMTP and IMAP, the runtime's own.
pub const RESERVED: u64 = 128;

/// The soft limit before and after raising it to the hard limit (`None` = unlimited).
#[derive(Clone, Copy, Debug)]
pub struct Raised {
    /// The soft limit the process started with.
    pub before: Option<u64>,
    /// The soft limit now.
    pub now: Option<u64>,
}

/// Raise the soft `RLIMIT_NOFILE` to the hard limit.
#[cfg(unix)]
pub fn raise() -> Raised {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let before = limit.current;
    if limit.current != limit.maximum {
        if let Err(e) = setrlimit(Resource::Nofile, Rlimit { current: limit.maximum, maximum: limit.maximum }) {
            // macOS refuses "unlimited" for files; the limit stays as it was.
            tracing::debug!(error = %e, "could not raise the open-file limit");
        }
    }
    Raised { before, now: getrlimit(Resource::Nofile).current }
}

/// Other systems: nothing to raise.
#[cfg(not(unix))]
pub fn raise() -> Raised {
    Raised { before: None, now: None }
}

/// How many connections fit in `limit` descriptors beside the reserve.
pub fn connections_that_fit(limit: Option<u64>) -> usize {
    match limit {
        None => usize::MAX,
        Some(n) => usize::try_from(n.saturating_sub(RESERVED).max(n / 2)).unwrap_or(usize::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_comes_off_and_small_limits_keep_half() {
        assert_eq!(connections_that_fit(Some(65_536)), 65_536 - 128);
        assert_eq!(connections_that_fit(Some(200)), 100);
        assert_eq!(connections_that_fit(None), usize::MAX);
    }
}
