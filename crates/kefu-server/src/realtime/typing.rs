//! Typing indicators: relayed between the widget and the workspace, never stored. Clients
//! send at most one frame every 2 s while typing; the gate drops anything faster so that one
//! misbehaving client cannot turn the indicator into a fan-out flood.

use std::time::{Duration, Instant};

/// The shortest gap the server accepts between two typing frames of one socket (clients
/// send every 2 s; the slack absorbs timer jitter).
const MIN_GAP: Duration = Duration::from_millis(1500);

/// Per-socket rate limit for typing frames.
#[derive(Default)]
pub struct TypingGate {
    last: Option<Instant>,
}

impl TypingGate {
    /// Whether a typing frame arriving now is relayed.
    pub fn admit(&mut self) -> bool {
        self.admit_at(Instant::now())
    }

    fn admit_at(&mut self, now: Instant) -> bool {
        if self.last.is_some_and(|t| now.duration_since(t) < MIN_GAP) {
            return false;
        }
        self.last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_frame_per_gap() {
        let mut g = TypingGate::default();
        let t = Instant::now();
        assert!(g.admit_at(t));
        assert!(!g.admit_at(t + Duration::from_millis(500)));
        assert!(g.admit_at(t + Duration::from_secs(2)));
    }
}
