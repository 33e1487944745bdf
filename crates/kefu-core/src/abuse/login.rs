//! Password guessing: failed logins lock the (account, IP) pair that failed, with a delay that
//! doubles per further failure, and an IP that tries many unknown emails is slowed down. The
//! account is never locked for everyone, and an IP is never locked for every account: accounts
//! that already logged in from that IP keep working.

use super::FailureWindow;
use crate::clock::Millis;
use std::collections::HashMap;
use std::hash::Hash;

/// How failures turn into locks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoginPolicy {
    /// Failures of one (account, IP) pair before the first lock.
    pub free_failures: u32,
    /// The first lock; each further failure doubles it.
    pub first_lock_ms: Millis,
    /// The longest lock.
    pub max_lock_ms: Millis,
    /// A pair's failures are forgotten after this long without one.
    pub forget_after_ms: Millis,
    /// Unknown emails one IP may try in `unknown_window_ms`; 0 turns the per-IP cap off.
    pub unknown_per_ip: usize,
    /// The window of the per-IP cap.
    pub unknown_window_ms: Millis,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            free_failures: 5,
            first_lock_ms: 60_000,
            max_lock_ms: 60 * 60_000,
            forget_after_ms: 24 * 60 * 60_000,
            unknown_per_ip: 30,
            unknown_window_ms: 15 * 60_000,
        }
    }
}

/// What a password check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Right password.
    Succeeded,
    /// A known account, wrong password.
    WrongPassword,
    /// No account with that email.
    UnknownEmail,
}

/// Why a login is refused before its password is checked; each carries the wait in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginRefusal {
    /// This account failed too often from this IP.
    Account(Millis),
    /// This IP tried too many unknown emails.
    Network(Millis),
}

#[derive(Clone, Copy, Debug)]
struct Pair {
    failures: u32,
    last_failure: Millis,
    locked_until: Millis,
}

/// Most pairs and trusted pairs remembered; past that the stale ones are dropped.
const MAX_TRACKED: usize = 100_000;
/// How long a successful login from an IP keeps the account usable there during a per-IP cap.
const TRUST_MS: Millis = 30 * 24 * 60 * 60_000;

/// Failed-login state of a process, keyed by normalised email and IP.
#[derive(Debug)]
pub struct LoginGuard<Ip> {
    policy: LoginPolicy,
    pairs: HashMap<(String, Ip), Pair>,
    unknown: FailureWindow<Ip>,
    trusted: HashMap<(String, Ip), Millis>,
}

fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

impl<Ip: Hash + Eq + Clone> LoginGuard<Ip> {
    /// An empty guard.
    pub fn new(policy: LoginPolicy) -> Self {
        let unknown = FailureWindow::new(policy.unknown_per_ip.max(1), policy.unknown_window_ms);
        LoginGuard { policy, pairs: HashMap::new(), unknown, trusted: HashMap::new() }
    }

    /// Before checking a password: refused while the pair is locked, or while the IP is over
    /// its unknown-email cap and the account never logged in from it.
    pub fn check(&mut self, email: &str, ip: &Ip, now: Millis) -> Result<(), LoginRefusal> {
        let key = (normalise(email), ip.clone());
        if let Some(pair) = self.pairs.get(&key) {
            if pair.locked_until > now {
                return Err(LoginRefusal::Account(pair.locked_until - now));
            }
        }
        if self.policy.unknown_per_ip == 0 || self.trusted.get(&key).is_some_and(|t| now - *t < TRUST_MS) {
            return Ok(());
        }
        self.unknown.check(ip, now).map_err(LoginRefusal::Network)
    }

    /// Record a password check; returns the lock it started, if any.
    pub fn record(&mut self, email: &str, ip: &Ip, outcome: LoginOutcome, now: Millis) -> Option<Millis> {
        let key = (normalise(email), ip.clone());
        match outcome {
            LoginOutcome::Succeeded => {
                self.pairs.remove(&key);
                self.forget_stale_trust(now);
                self.trusted.insert(key, now);
                None
            }
            LoginOutcome::UnknownEmail => {
                if self.policy.unknown_per_ip > 0 {
                    self.unknown.failed(ip, now);
                }
                self.pair_failed(key, now)
            }
            LoginOutcome::WrongPassword => self.pair_failed(key, now),
        }
    }

    /// Clear every lock of an account (all IPs); returns how many pairs were cleared.
    pub fn unlock_account(&mut self, email: &str) -> usize {
        let email = normalise(email);
        let before = self.pairs.len();
        self.pairs.retain(|(e, _), _| *e != email);
        before - self.pairs.len()
    }

    /// Whether the account is locked from any IP right now (shown on the People page).
    pub fn locked_anywhere(&self, email: &str, now: Millis) -> bool {
        let email = normalise(email);
        self.pairs.iter().any(|((e, _), pair)| *e == email && pair.locked_until > now)
    }

    /// Unknown emails count for the pair too, so guessing one email cannot go on for ever.
    fn pair_failed(&mut self, key: (String, Ip), now: Millis) -> Option<Millis> {
        if self.pairs.len() >= MAX_TRACKED && !self.pairs.contains_key(&key) {
            self.forget_stale_pairs(now);
        }
        let policy = self.policy;
        let pair = self.pairs.entry(key).or_insert(Pair { failures: 0, last_failure: now, locked_until: 0 });
        if now - pair.last_failure >= policy.forget_after_ms {
            pair.failures = 0;
        }
        pair.failures += 1;
        pair.last_failure = now;
        let over = pair.failures.checked_sub(policy.free_failures.max(1))?;
        let lock = policy.first_lock_ms.saturating_mul(1 << over.min(30)).min(policy.max_lock_ms);
        pair.locked_until = now + lock;
        Some(lock)
    }

    fn forget_stale_pairs(&mut self, now: Millis) {
        let forget = self.policy.forget_after_ms;
        self.pairs.retain(|_, p| p.locked_until > now || now - p.last_failure < forget);
        if self.pairs.len() >= MAX_TRACKED {
            // Everyone is failing: keep the locked ones, forget the counts of the rest.
            self.pairs.retain(|_, p| p.locked_until > now);
        }
    }

    fn forget_stale_trust(&mut self, now: Millis) {
        if self.trusted.len() >= MAX_TRACKED {
            self.trusted.retain(|_, t| now - *t < TRUST_MS);
            if self.trusted.len() >= MAX_TRACKED {
                self.trusted.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Millis = 60_000;

    fn guard() -> LoginGuard<&'static str> {
        LoginGuard::new(LoginPolicy::default())
    }

    fn fail(g: &mut LoginGuard<&'static str>, email: &str, ip: &'static str, n: usize, now: Millis) -> Option<Millis> {
        (0..n).map(|_| g.record(email, &ip, LoginOutcome::WrongPassword, now)).last().flatten()
    }

    #[test]
    fn five_failures_lock_the_pair_for_a_minute_then_each_failure_doubles_up_to_the_cap() {
        let mut g = guard();
        assert_eq!(fail(&mut g, "a@x", "ip1", 4, 0), None);
        assert!(g.check("a@x", &"ip1", 0).is_ok());
        assert_eq!(fail(&mut g, "a@x", "ip1", 1, 0), Some(MIN));
        assert_eq!(g.check("A@X ", &"ip1", 1_000), Err(LoginRefusal::Account(MIN - 1_000)), "emails are normalised");
        let mut now = MIN;
        let mut locks = vec![];
        for _ in 0..8 {
            assert!(g.check("a@x", &"ip1", now).is_ok(), "unlocked once the lock ran out");
            let lock = fail(&mut g, "a@x", "ip1", 1, now).unwrap();
            locks.push(lock / MIN);
            now += lock;
        }
        assert_eq!(locks, vec![2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn a_locked_pair_leaves_the_account_elsewhere_and_other_accounts_here_alone() {
        let mut g = guard();
        fail(&mut g, "a@x", "ip1", 5, 0);
        assert!(g.check("a@x", &"ip1", 1).is_err());
        assert!(g.check("a@x", &"ip2", 1).is_ok(), "the account from another IP");
        assert!(g.check("b@x", &"ip1", 1).is_ok(), "another account from the same IP");
    }

    #[test]
    fn success_and_unlock_clear_the_count() {
        let mut g = guard();
        fail(&mut g, "a@x", "ip1", 4, 0);
        g.record("a@x", &"ip1", LoginOutcome::Succeeded, 1);
        assert_eq!(fail(&mut g, "a@x", "ip1", 4, 2), None, "the count started again");
        fail(&mut g, "a@x", "ip1", 1, 3);
        fail(&mut g, "a@x", "ip2", 5, 3);
        assert!(g.check("a@x", &"ip1", 4).is_err());
        assert_eq!(g.unlock_account(" A@x"), 2);
        assert!(g.check("a@x", &"ip1", 4).is_ok());
        assert!(g.check("a@x", &"ip2", 4).is_ok());
    }

    #[test]
    fn failures_long_ago_are_forgotten() {
        let mut g = guard();
        fail(&mut g, "a@x", "ip1", 4, 0);
        assert_eq!(fail(&mut g, "a@x", "ip1", 1, 24 * 60 * MIN), None);
    }

    #[test]
    fn the_per_ip_cap_counts_unknown_emails_only_and_spares_accounts_known_here() {
        let mut g = guard();
        g.record("staff@x", &"ip1", LoginOutcome::Succeeded, 0);
        for i in 0..29 {
            g.record(&format!("nobody{i}@x"), &"ip1", LoginOutcome::UnknownEmail, 1);
        }
        fail(&mut g, "a@x", "ip1", 4, 1);
        assert!(g.check("new@x", &"ip1", 2).is_ok(), "29 unknown + wrong passwords stay under the cap");
        g.record("nobody29@x", &"ip1", LoginOutcome::UnknownEmail, 2);
        assert_eq!(g.check("new@x", &"ip1", 3), Err(LoginRefusal::Network(15 * MIN - 2)));
        assert!(g.check("staff@x", &"ip1", 3).is_ok(), "an account that logged in here before");
        assert!(g.check("new@x", &"ip2", 3).is_ok(), "another IP");
        assert!(g.check("new@x", &"ip1", 15 * MIN + 2).is_ok(), "the window moved on");
    }

    #[test]
    fn a_zero_cap_turns_the_per_ip_limit_off() {
        let mut g = LoginGuard::new(LoginPolicy { unknown_per_ip: 0, ..LoginPolicy::default() });
        for i in 0..500 {
            g.record(&format!("nobody{i}@x"), &"ip1", LoginOutcome::UnknownEmail, 1);
        }
        assert!(g.check("new@x", &"ip1", 2).is_ok());
    }
}
