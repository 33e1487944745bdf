//! RFM (recency, frequency, monetary value) over a customer's orders, and the VIP verdict.

use super::config::VipPolicy;
use crate::clock::Millis;
use serde::Serialize;

const DAY_MS: i64 = 86_400_000;

/// One paid order as RFM sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    /// When it was paid (or placed).
    pub at: Millis,
    /// Amount in fen.
    pub amount_cents: i64,
}

/// A customer's RFM figures over the policy's window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rfm {
    /// Days since the last purchase; none without purchases.
    pub recency_days: Option<u32>,
    /// Purchases in the window.
    pub frequency: u32,
    /// Spent in the window (fen).
    pub monetary_cents: i64,
    /// Meets the VIP thresholds.
    pub vip: bool,
    /// `vip`, `regular` (bought before) or `new`.
    pub tier: &'static str,
}

/// RFM of `purchases` at `now` under `policy`.
pub fn rfm(purchases: &[Purchase], policy: &VipPolicy, now: Millis) -> Rfm {
    let since = now - i64::from(policy.window_days) * DAY_MS;
    let recent: Vec<&Purchase> = purchases.iter().filter(|p| p.at >= since && p.at <= now).collect();
    let frequency = recent.len() as u32;
    let monetary_cents = recent.iter().map(|p| p.amount_cents.max(0)).sum();
    let recency_days = purchases.iter().map(|p| p.at).filter(|at| *at <= now).max().map(|last| ((now - last) / DAY_MS) as u32);
    let vip = policy.enabled && frequency >= policy.min_orders.max(1) && monetary_cents >= policy.min_spent_cents;
    let tier = if vip { "vip" } else if recency_days.is_some() { "regular" } else { "new" };
    Rfm { recency_days, frequency, monetary_cents, vip, tier }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spent_over_500_yuan_in_30_days_is_vip() {
        let policy = VipPolicy::default();
        let now = 100 * DAY_MS;
        let p = |days_ago: i64, yuan: i64| Purchase { at: now - days_ago * DAY_MS, amount_cents: yuan * 100 };
        let r = rfm(&[p(2, 300), p(10, 250), p(40, 9_000)], &policy, now);
        assert_eq!((r.frequency, r.monetary_cents, r.recency_days, r.vip, r.tier), (2, 55_000, Some(2), true, "vip"));
        let r = rfm(&[p(2, 300), p(40, 9_000)], &policy, now);
        assert_eq!((r.vip, r.tier), (false, "regular"));
        assert_eq!(rfm(&[], &policy, now).tier, "new");
        let off = VipPolicy { enabled: false, ..policy };
        assert!(!rfm(&[p(1, 10_000)], &off, now).vip);
    }
}
