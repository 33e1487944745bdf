//! Open-loop arrival schedules: when each message is meant to be sent and by whom, fixed by a
//! seed so two runs offer exactly the same load. Latency is measured from these intended
//! times, not from when the harness got round to sending, so queueing anywhere shows.

use std::time::Duration;

/// A small, fast, seedable generator (SplitMix64); statistical quality is ample for arrivals.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n) (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift: unbiased enough for picking one of a few thousand sockets.
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// One planned send.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    /// Position in the schedule (0, 1, 2 …), unique per run.
    pub index: u64,
    /// Intended send time, from the start of the run.
    pub at: Duration,
    /// Which connection sends it.
    pub target: usize,
}

/// Poisson arrivals at `rate` per second spread uniformly over `targets` connections,
/// until `length` has passed.
#[derive(Clone, Debug)]
pub struct Schedule {
    rng: Rng,
    rate: f64,
    targets: usize,
    length: Duration,
    next_secs: f64,
    index: u64,
}

impl Schedule {
    /// A schedule; `rate` > 0 and `targets` > 0.
    pub fn new(seed: u64, rate: f64, targets: usize, length: Duration) -> Self {
        let mut s = Self { rng: Rng::new(seed), rate: rate.max(1e-9), targets: targets.max(1), length, next_secs: 0.0, index: 0 };
        s.next_secs = s.gap();
        s
    }

    /// Exponential inter-arrival gap: real traffic is bursty, and a perfectly even metronome
    /// would hide the queueing that bursts cause.
    fn gap(&mut self) -> f64 {
        -(1.0 - self.rng.next_f64()).ln() / self.rate
    }
}

impl Iterator for Schedule {
    type Item = Arrival;

    fn next(&mut self) -> Option<Arrival> {
        let at = Duration::from_secs_f64(self.next_secs);
        if at >= self.length {
            return None;
        }
        let a = Arrival { index: self.index, at, target: self.rng.below(self.targets as u64) as usize };
        self.index += 1;
        self.next_secs += self.gap();
        Some(a)
    }
}

/// The client id carried by a planned message: its index and its intended time in µs, so
/// whoever receives it (the sender's ack, an agent's screen) can compute the latency without
/// shared state.
pub fn client_id(a: &Arrival) -> String {
    format!("{}.{}", a.index, a.at.as_micros())
}

/// Index and intended time back from a client id made by [`client_id`].
pub fn parse_client_id(id: &str) -> Option<(u64, Duration)> {
    let (i, us) = id.split_once('.')?;
    Some((i.parse().ok()?, Duration::from_micros(us.parse().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_schedule_and_rate_is_kept() {
        let a: Vec<Arrival> = Schedule::new(7, 1000.0, 50, Duration::from_secs(10)).collect();
        let b: Vec<Arrival> = Schedule::new(7, 1000.0, 50, Duration::from_secs(10)).collect();
        assert_eq!(a, b);
        // 10,000 expected; Poisson standard deviation is 100.
        assert!((9_600..=10_400).contains(&a.len()), "{}", a.len());
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at && w[0].index + 1 == w[1].index));
        assert!(a.iter().all(|x| x.target < 50 && x.at < Duration::from_secs(10)));
        let c: Vec<Arrival> = Schedule::new(8, 1000.0, 50, Duration::from_secs(10)).collect();
        assert_ne!(a, c);
    }

    #[test]
    fn targets_are_spread_evenly() {
        let mut counts = [0u32; 10];
        for a in Schedule::new(1, 10_000.0, 10, Duration::from_secs(5)) {
            counts[a.target] += 1;
        }
        assert!(counts.iter().all(|&c| (4_500..=5_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn client_ids_round_trip() {
        let a = Arrival { index: 42, at: Duration::from_micros(1_234_567), target: 3 };
        assert_eq!(parse_client_id(&client_id(&a)), Some((42, a.at)));
        assert_eq!(parse_client_id("nope"), None);
        assert_eq!(parse_client_id("1.x"), None);
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(3);
        assert!((0..10_000).all(|_| r.below(7) < 7));
        assert!((0..10_000).map(|_| r.next_f64()).all(|x| (0.0..1.0).contains(&x)));
    }
}
