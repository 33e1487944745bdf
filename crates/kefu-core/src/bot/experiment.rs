//! A/B experiments on the bot: variants of an FAQ's answer (a template too) or of the
//! unknown-streak hand-off threshold. Customers are assigned by a hash of experiment and
//! customer id, so a customer sees the same variant every time; results compare each variant
//! with the first (the control) by a two-proportion z-test.

use crate::routing::ConfigProblem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Fewer conversations per variant than this are never called significant.
pub const MIN_SAMPLE: u64 = 30;

/// One experiment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Experiment {
    /// Id.
    pub id: String,
    /// What varies: `faq:<faq id>` (the answer) or `handoff` (the unknown-streak threshold).
    pub target: String,
    /// The variants; the first is the control.
    pub variants: Vec<Variant>,
    /// Share of customers per variant in percent (sums to 100).
    pub split: Vec<u32>,
    /// Running.
    pub enabled: bool,
}

/// One variant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Variant {
    /// Name, e.g. `A`.
    pub name: String,
    /// The answer (template) for an FAQ experiment.
    pub answer: Option<String>,
    /// The threshold for a hand-off experiment.
    pub unknown_streak: Option<u32>,
}

impl Experiment {
    /// Problems, with paths relative to the experiment; `faq_exists` checks FAQ targets.
    pub fn problems(&self, faq_exists: impl Fn(&str) -> bool) -> Vec<ConfigProblem> {
        use super::kb::problem;
        let mut out = Vec::new();
        if !super::valid_id(&self.id) {
            out.push(problem("id".into(), "must be 1-64 characters of letters, digits, - or _"));
        }
        let faq = self.target.strip_prefix("faq:");
        if faq.is_some_and(|f| !faq_exists(f)) || (faq.is_none() && self.target != "handoff") {
            out.push(problem("target".into(), "must be faq:<an FAQ's id> or handoff"));
        }
        if !(2..=5).contains(&self.variants.len()) {
            out.push(problem("variants".into(), "must have 2-5 variants"));
        }
        if self.split.len() != self.variants.len() || self.split.iter().sum::<u32>() != 100 {
            out.push(problem("split".into(), "needs one share per variant, summing to 100"));
        }
        for (i, v) in self.variants.iter().enumerate() {
            let ok = if faq.is_some() { v.answer.as_deref().is_some_and(|a| !a.trim().is_empty()) } else { v.unknown_streak.is_some_and(|n| n <= 20) };
            if !ok {
                out.push(problem(format!("variants[{i}]"), if faq.is_some() { "an FAQ variant needs an answer" } else { "a hand-off variant needs unknown_streak 0-20" }));
            }
        }
        out
    }

    /// The variant (index) a customer gets: stable per customer and experiment.
    pub fn assign(&self, customer_id: &str) -> usize {
        let digest = Sha256::digest(format!("{}\u{0}{customer_id}", self.id).as_bytes());
        let bucket = (u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 100) as u32;
        let mut edge = 0;
        for (i, share) in self.split.iter().enumerate() {
            edge += share;
            if bucket < edge {
                return i;
            }
        }
        0
    }
}

/// Successes out of trials for one variant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    /// Successes.
    pub hits: u64,
    /// Trials.
    pub of: u64,
}

impl Rate {
    /// The proportion (0 when there are no trials).
    pub fn share(self) -> f64 {
        if self.of == 0 { 0.0 } else { self.hits as f64 / self.of as f64 }
    }
}

/// A variant against the control.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// Difference of proportions (variant − control).
    pub difference: f64,
    /// z statistic.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// `significant` (p < 0.05 and enough data) or `not yet significant`.
    pub verdict: &'static str,
}

/// Two-proportion z-test of `variant` against `control`.
pub fn compare(control: Rate, variant: Rate) -> Comparison {
    let (p1, p2) = (control.share(), variant.share());
    let pooled = (control.hits + variant.hits) as f64 / ((control.of + variant.of).max(1)) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / control.of.max(1) as f64 + 1.0 / variant.of.max(1) as f64)).sqrt();
    let z = if se > 0.0 { (p2 - p1) / se } else { 0.0 };
    let p_value = 2.0 * (1.0 - normal_cdf(z.abs()));
    let enough = control.of >= MIN_SAMPLE && variant.of >= MIN_SAMPLE;
    Comparison { difference: p2 - p1, z, p_value, verdict: if enough && p_value < 0.05 { "significant" } else { "not yet significant" } }
}

/// Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7).
fn normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / std::f64::consts::SQRT_2);
    let poly = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-(x * x) / 2.0).exp();
    if x >= 0.0 { 0.5 * (1.0 + erf) } else { 0.5 * (1.0 - erf) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(split: Vec<u32>) -> Experiment {
        let v = |n: &str| Variant { name: n.into(), answer: Some(format!("答案{n}")), unknown_streak: None };
        Experiment { id: "e1".into(), target: "faq:x".into(), variants: vec![v("A"), v("B")], split, enabled: true }
    }

    #[test]
    fn assignment_is_stable_and_follows_the_split() {
        let e = exp(vec![30, 70]);
        assert!(e.problems(|f| f == "x").is_empty());
        let ids: Vec<String> = (0..10_000).map(|i| format!("customer-{i}")).collect();
        let first: Vec<usize> = ids.iter().map(|c| e.assign(c)).collect();
        assert_eq!(first, ids.iter().map(|c| e.assign(c)).collect::<Vec<_>>(), "same customer, same variant");
        let b = first.iter().filter(|v| **v == 1).count();
        assert!((6_800..=7_200).contains(&b), "70 % ± 2: {b}");
        let other = Experiment { id: "e2".into(), ..e.clone() };
        let moved = ids.iter().filter(|c| other.assign(c) != e.assign(c)).count();
        assert!(moved > 3_000, "experiments are assigned independently: {moved}");
    }

    #[test]
    fn z_test_on_simulated_traffic() {
        // Known value: 60/100 vs 75/100 → z ≈ 2.27, p ≈ 0.023.
        let c = compare(Rate { hits: 60, of: 100 }, Rate { hits: 75, of: 100 });
        assert!((c.z - 2.268).abs() < 0.01 && (c.p_value - 0.0233).abs() < 0.001, "{c:?}");
        assert_eq!(c.verdict, "significant");
        // Too little data, even with a big difference.
        assert_eq!(compare(Rate { hits: 5, of: 10 }, Rate { hits: 9, of: 10 }).verdict, "not yet significant");
        // Simulated traffic through the assignment: variant B resolves 70 % vs A 60 %.
        let e = exp(vec![50, 50]);
        let (mut a, mut b) = (Rate::default(), Rate::default());
        for i in 0..4_000u64 {
            let id = format!("sim-{i}");
            let resolved = |p: u64| (i * 7919 + 13) % 100 < p; // deterministic pseudo-random
            match e.assign(&id) {
                0 => { a.of += 1; a.hits += resolved(60) as u64; }
                _ => { b.of += 1; b.hits += resolved(70) as u64; }
            }
        }
        let c = compare(a, b);
        assert_eq!(c.verdict, "significant", "{a:?} {b:?} {c:?}");
        assert!(c.difference > 0.05);
        // The same traffic with no real difference stays "not yet significant".
        let same = compare(Rate { hits: a.hits, of: a.of }, Rate { hits: (b.of as f64 * a.share()).round() as u64, of: b.of });
        assert_eq!(same.verdict, "not yet significant");
    }
}
