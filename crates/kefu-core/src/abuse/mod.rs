//! Abuse defence as plain data structures: token buckets for rate limits (per IP, token,
//! customer) and the login-failure counter that throttles password guessing. The server wraps
//! them in a mutex and feeds them the clock; nothing here sleeps or does IO.

use crate::clock::Millis;
use std::collections::HashMap;
use std::hash::Hash;

/// How fast a key may act: a burst of `burst`, refilled at `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Most actions at once.
    pub burst: u32,
    /// Sustained actions per minute.
    pub per_minute: u32,
}

/// Token buckets by key. Idle keys are forgotten once the map grows past `max_keys`, so an
/// attacker cycling keys cannot grow memory without bound.
#[derive(Debug)]
pub struct Buckets<K> {
    rate: Rate,
    max_keys: usize,
    map: HashMap<K, (f64, Millis)>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    /// Empty buckets with one rate for every key.
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Buckets { rate, max_keys: max_keys.max(16), map: HashMap::new() }
    }

    fn refill_per_ms(&self) -> f64 {
        f64::from(self.rate.per_minute) / 60_000.0
    }

    /// Take one token for `key`; `Err(ms)` says how long until one is available.
    pub fn take(&mut self, key: &K, now: Millis) -> Result<(), Millis> {
        let burst = f64::from(self.rate.burst.max(1));
        let refill = self.refill_per_ms();
        if self.map.len() >= self.max_keys && !self.map.contains_key(key) {
            self.forget_idle(now);
        }
        let (tokens, last) = self.map.entry(key.clone()).or_insert((burst, now));
        let elapsed = (now - *last).max(0) as f64;
        *tokens = (*tokens + elapsed * refill).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else if refill > 0.0 {
            Err(((1.0 - *tokens) / refill).ceil() as Millis)
        } else {
            Err(Millis::MAX)
        }
    }

    /// Drop keys whose bucket has refilled completely (they carry no information).
    fn forget_idle(&mut self, now: Millis) {
        let burst = f64::from(self.rate.burst.max(1));
        let refill = self.refill_per_ms();
        self.map.retain(|_, (tokens, last)| *tokens + (now - *last).max(0) as f64 * refill < burst);
        if self.map.len() >= self.max_keys {
            // Everyone is busy: forget the stalest half rather than refuse to track.
            let mut lasts: Vec<Millis> = self.map.values().map(|(_, l)| *l).collect();
            lasts.sort_unstable();
            let cut = lasts[lasts.len() / 2];
            self.map.retain(|_, (_, last)| *last > cut);
        }
    }

    /// Keys tracked now.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Failed logins per key (email and IP) in a sliding window; past the limit, logins for that
/// key are refused until the window has room again.
#[derive(Debug)]
pub struct LoginGuard<K> {
    max_failures: usize,
    window: Millis,
    failures: HashMap<K, Vec<Millis>>,
}

impl<K: Hash + Eq + Clone> LoginGuard<K> {
    /// At most `max_failures` in `window` milliseconds.
    pub fn new(max_failures: usize, window: Millis) -> Self {
        LoginGuard { max_failures: max_failures.max(1), window, failures: HashMap::new() }
    }

    /// `Err(ms)` while `key` is locked out.
    pub fn check(&mut self, key: &K, now: Millis) -> Result<(), Millis> {
        let Some(list) = self.failures.get_mut(key) else { return Ok(()) };
        list.retain(|t| now - *t < self.window);
        if list.len() >= self.max_failures {
            Err(list[0] + self.window - now)
        } else {
            Ok(())
        }
    }

    /// Count a failure.
    pub fn failed(&mut self, key: &K, now: Millis) {
        if self.failures.len() > 100_000 {
            let window = self.window;
            self.failures.retain(|_, l| l.iter().any(|t| now - *t < window));
        }
        self.failures.entry(key.clone()).or_default().push(now);
    }

    /// A success clears the key's failures.
    pub fn succeeded(&mut self, key: &K) {
        self.failures.remove(key);
    }

    /// Whether any matching key is locked out now.
    pub fn any_locked(&mut self, matches: impl Fn(&K) -> bool, now: Millis) -> bool {
        let keys: Vec<K> = self.failures.keys().filter(|k| matches(k)).cloned().collect();
        keys.iter().any(|k| self.check(k, now).is_err())
    }

    /// Forget the failures of every key that matches (an administrator's unlock).
    pub fn forget_where(&mut self, matches: impl Fn(&K) -> bool) {
        self.failures.retain(|k, _| !matches(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let mut b = Buckets::new(Rate { burst: 3, per_minute: 60 }, 100);
        for _ in 0..3 {
            b.take(&"ip", 0).unwrap();
        }
        assert_eq!(b.take(&"ip", 0), Err(1000));
        assert_eq!(b.take(&"ip", 500), Err(500));
        b.take(&"ip", 1000).unwrap();
        assert!(b.take(&"other", 1000).is_ok(), "keys are independent");
    }

    #[test]
    fn idle_keys_are_forgotten_when_full() {
        let mut b = Buckets::new(Rate { burst: 2, per_minute: 600 }, 16);
        for i in 0..16 {
            b.take(&i, 0).unwrap();
        }
        assert_eq!(b.len(), 16);
        b.take(&99, 10_000).unwrap();
        assert!(b.len() <= 2, "refilled keys dropped: {}", b.len());
    }

    #[test]
    fn login_guard_locks_after_failures_and_unlocks_after_the_window() {
        let mut g = LoginGuard::new(3, 60_000);
        let k = ("a@x".to_string(), "1.2.3.4".to_string());
        for t in 0..3 {
            g.check(&k, t).unwrap();
            g.failed(&k, t);
        }
        assert_eq!(g.check(&k, 10), Err(60_000 - 10));
        assert!(g.check(&k, 60_001).is_ok());
        g.failed(&k, 60_002);
        g.succeeded(&k);
        assert!(g.check(&k, 60_003).is_ok());
    }
}
