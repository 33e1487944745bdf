//! Latency histograms (HDR, microsecond resolution) and their summaries.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Highest latency recorded exactly (60 s); anything slower is clamped to it and still counted.
const MAX_US: u64 = 60_000_000;

/// A latency histogram in microseconds.
#[derive(Clone, Debug)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    /// Empty, 1 µs to 60 s, 3 significant digits.
    pub fn new() -> Self {
        // The bounds are constants that hdrhistogram always accepts.
        Self(Histogram::new_with_bounds(1, MAX_US, 3).unwrap_or_else(|_| unreachable!("valid histogram bounds")))
    }

    /// Record one observation.
    pub fn record(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, MAX_US);
        self.0.saturating_record(us);
    }

    /// Percentiles in milliseconds.
    pub fn summary(&self) -> Summary {
        let ms = |us: u64| us as f64 / 1000.0;
        if self.0.is_empty() {
            return Summary::default();
        }
        Summary {
            count: self.0.len(),
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p90_ms: ms(self.0.value_at_quantile(0.90)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
            mean_ms: self.0.mean() / 1000.0,
        }
    }
}

/// A histogram many tasks record into.
#[derive(Clone, Default, Debug)]
pub struct Shared(Arc<Mutex<Latency>>);

impl Shared {
    /// Record one observation.
    pub fn record(&self, d: Duration) {
        self.lock().record(d);
    }

    /// A copy of what is recorded so far.
    pub fn snapshot(&self) -> Latency {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Latency> {
        // A panic while recording cannot leave a histogram half-updated in a harmful way.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Percentiles of a latency distribution.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Observations.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
    /// Mean.
    pub mean_ms: f64,
}

impl Summary {
    /// `p50/p90/p99/max` in ms, for the table.
    pub fn brief(&self) -> String {
        if self.count == 0 {
            return "no samples".into();
        }
        format!("{}/{}/{}/{} ms", fmt_ms(self.p50_ms), fmt_ms(self.p90_ms), fmt_ms(self.p99_ms), fmt_ms(self.max_ms))
    }
}

/// Milliseconds with sensible precision.
pub fn fmt_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Events per second over a duration (0 for an empty duration).
pub fn per_second(count: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        count as f64 / s
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut l = Latency::new();
        for ms in 1..=100u64 {
            l.record(Duration::from_millis(ms));
        }
        let s = l.summary();
        assert_eq!(s.count, 100);
        assert!((s.p50_ms - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 0.1, "{s:?}");
        assert_eq!(s.brief(), "50.0/90.0/99.0/100 ms");
    }

    #[test]
    fn empty_and_clamped() {
        assert_eq!(Latency::new().summary(), Summary::default());
        assert_eq!(Summary::default().brief(), "no samples");
        let mut l = Latency::new();
        l.record(Duration::from_secs(3600));
        l.record(Duration::ZERO);
        assert_eq!(l.summary().count, 2);
        assert!(l.summary().max_ms >= 59_000.0);
    }

    #[test]
    fn shared_and_rates() {
        let s = Shared::default();
        s.record(Duration::from_millis(2));
        s.record(Duration::from_millis(4));
        assert_eq!(s.snapshot().summary().count, 2);
        assert_eq!(per_second(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
        assert_eq!(fmt_ms(1.234), "1.23");
    }
}
