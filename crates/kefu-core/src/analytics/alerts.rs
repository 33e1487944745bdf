//! Metric alerts: rules per shop (one validated JSON document, the shop setting `alerts`),
//! measured over a sliding window and decided here, purely. Firing and resolving are events
//! (`alert_raised` / `alert_resolved`); which alerts are open is folded back from the log,
//! so a restart neither repeats nor forgets one.

use crate::clock::Millis;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shop setting key of the rules document.
pub const SETTING_KEY: &str = "alerts";

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Mean agent reply time in the window, seconds, above the threshold.
    ResponseTime,
    /// 1–2★ ratings ÷ ratings above the threshold.
    BadReviewShare,
    /// Negative comments ÷ comments above the threshold (comment monitoring).
    NegativeCommentShare,
    /// A level-2 category's bot resolution rate below the threshold (→ update the KB).
    CategoryBotResolution,
    /// A level-2 category's conversations in the window at least `threshold` × its usual
    /// rate over the previous 24 hours.
    CategorySurge,
    /// One customer's complaint signals (1–2★ ratings, negative comments, complaint
    /// tickets) in the window at least the threshold.
    CustomerComplaints,
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRule {
    /// Unique id within the shop.
    pub id: String,
    /// What it watches.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: AlertKind,
    /// Off rules are not evaluated (open alerts of them resolve).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The sliding window, minutes.
    pub window_mins: u32,
    /// The limit (seconds, a 0..1 share, a multiple or a count, by kind).
    pub threshold: f64,
    /// Fewer samples than this in the window decide nothing (and resolve an open alert).
    #[serde(default = "one")]
    pub min_samples: u32,
    /// After resolving, the same rule and subject stays quiet this long, minutes.
    #[serde(default)]
    pub cooldown_mins: u32,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}

/// The rules of a shop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRules {
    /// Rules, evaluated independently.
    pub rules: Vec<AlertRule>,
}

impl Default for AlertRules {
    fn default() -> Self {
        let r = |id: &str, kind, window_mins, threshold, min_samples, cooldown_mins| AlertRule {
            id: id.into(),
            kind,
            enabled: true,
            window_mins,
            threshold,
            min_samples,
            cooldown_mins,
        };
        AlertRules {
            rules: vec![
                r("slow_replies", AlertKind::ResponseTime, 10, 60.0, 3, 30),
                r("bad_reviews", AlertKind::BadReviewShare, 60, 0.15, 5, 60),
                r("negative_comments", AlertKind::NegativeCommentShare, 60, 0.15, 10, 60),
                r("bot_resolution", AlertKind::CategoryBotResolution, 1440, 0.8, 10, 720),
                r("category_surge", AlertKind::CategorySurge, 60, 3.0, 10, 120),
                r("customer_complaints", AlertKind::CustomerComplaints, 60, 3.0, 3, 120),
            ],
        }
    }
}

impl AlertRules {
    /// Check the document whole; every problem is reported with its path.
    pub fn validate(&self) -> Result<(), CoreError> {
        let mut problems = Vec::new();
        if self.rules.len() > 50 {
            problems.push("rules: at most 50".to_string());
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.id.trim().is_empty() || r.id.len() > 64 {
                problems.push(format!("rules[{i}].id: 1-64 characters"));
            }
            if self.rules[..i].iter().any(|o| o.id == r.id) {
                problems.push(format!("rules[{i}].id: duplicate {:?}", r.id));
            }
            if !(1..=43_200).contains(&r.window_mins) {
                problems.push(format!("rules[{i}].window_mins: 1 to 43200"));
            }
            if r.cooldown_mins > 43_200 {
                problems.push(format!("rules[{i}].cooldown_mins: at most 43200"));
            }
            let share = matches!(r.kind, AlertKind::BadReviewShare | AlertKind::NegativeCommentShare | AlertKind::CategoryBotResolution);
            if !r.threshold.is_finite() || r.threshold <= 0.0 || (share && r.threshold > 1.0) {
                problems.push(format!("rules[{i}].threshold: {}", if share { "a share in (0, 1]" } else { "a positive number" }));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Invalid(crate::error::verbatim(problems.join("; "))))
        }
    }
}

/// A rule's reading for one subject (the shop, a category `l1/l2`, a customer id).
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The subject; empty for the whole shop.
    pub subject: String,
    /// The measured value.
    pub value: f64,
    /// How many samples it stands on.
    pub samples: i64,
}

/// Whether a reading breaks a rule.
pub fn breaks(rule: &AlertRule, r: &Reading) -> bool {
    if r.samples < i64::from(rule.min_samples) {
        return false;
    }
    match rule.kind {
        AlertKind::CategoryBotResolution => r.value < rule.threshold,
        AlertKind::CustomerComplaints | AlertKind::CategorySurge => r.value >= rule.threshold,
        _ => r.value > rule.threshold,
    }
}

/// An alert as it stands (folded from the log).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertState {
    /// Rule id.
    pub rule: String,
    /// Subject (empty for the shop).
    pub subject: String,
    /// When it last fired.
    pub raised_at: Millis,
    /// When it resolved; none while open.
    pub resolved_at: Option<Millis>,
    /// The value that fired it.
    pub value: f64,
}

/// What to do now.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Fire an alert.
    Raise {
        /// Rule id.
        rule: String,
        /// Subject.
        subject: String,
        /// Measured value.
        value: f64,
        /// The rule's threshold.
        threshold: f64,
    },
    /// Resolve an open alert.
    Resolve {
        /// Rule id.
        rule: String,
        /// Subject.
        subject: String,
        /// The value now (none when no reading).
        value: Option<f64>,
    },
}

/// Decide raises and resolves from the readings of every rule and the alerts as they stand:
/// an open alert resolves when its reading no longer breaks the rule (or is gone); a
/// breaking reading fires unless an alert is open or resolved less than the cool-down ago.
pub fn decide(rules: &AlertRules, readings: &BTreeMap<String, Vec<Reading>>, states: &[AlertState], now: Millis) -> Vec<Decision> {
    let mut out = Vec::new();
    for s in states.iter().filter(|s| s.resolved_at.is_none()) {
        let rule = rules.rules.iter().find(|r| r.id == s.rule && r.enabled);
        let reading = readings.get(&s.rule).and_then(|v| v.iter().find(|r| r.subject == s.subject));
        let still = matches!((rule, reading), (Some(rule), Some(r)) if breaks(rule, r));
        if !still {
            out.push(Decision::Resolve { rule: s.rule.clone(), subject: s.subject.clone(), value: reading.map(|r| r.value) });
        }
    }
    for rule in rules.rules.iter().filter(|r| r.enabled) {
        for r in readings.get(&rule.id).into_iter().flatten().filter(|r| breaks(rule, r)) {
            let state = states.iter().find(|s| s.rule == rule.id && s.subject == r.subject);
            let quiet = match state {
                None => true,
                Some(s) => s.resolved_at.is_some_and(|t| now - t >= i64::from(rule.cooldown_mins) * 60_000),
            };
            if quiet {
                out.push(Decision::Raise { rule: rule.id.clone(), subject: r.subject.clone(), value: r.value, threshold: rule.threshold });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(v: f64, n: i64) -> BTreeMap<String, Vec<Reading>> {
        [("slow_replies".to_string(), vec![Reading { subject: String::new(), value: v, samples: n }])].into_iter().collect()
    }

    #[test]
    fn fires_once_resolves_and_cools_down() {
        let rules = AlertRules::default();
        assert!(rules.validate().is_ok());
        // 90 s mean over 3 replies breaks 60 s.
        let d = decide(&rules, &reading(90.0, 3), &[], 0);
        assert_eq!(d, vec![Decision::Raise { rule: "slow_replies".into(), subject: String::new(), value: 90.0, threshold: 60.0 }]);
        let open = vec![AlertState { rule: "slow_replies".into(), subject: String::new(), raised_at: 0, resolved_at: None, value: 90.0 }];
        assert!(decide(&rules, &reading(95.0, 4), &open, 60_000).is_empty(), "an open alert does not fire again");
        // Too few samples is no longer a breach: it resolves.
        let d = decide(&rules, &reading(95.0, 2), &open, 120_000);
        assert!(matches!(&d[..], [Decision::Resolve { value: Some(v), .. }] if *v == 95.0));
        let closed = vec![AlertState { resolved_at: Some(120_000), ..open[0].clone() }];
        assert!(decide(&rules, &reading(90.0, 3), &closed, 120_000 + 29 * 60_000).is_empty(), "cool-down");
        assert_eq!(decide(&rules, &reading(90.0, 3), &closed, 120_000 + 30 * 60_000).len(), 1);
    }

    #[test]
    fn validation_names_every_problem() {
        let mut rules = AlertRules::default();
        rules.rules[1].threshold = 15.0;
        rules.rules[2].id = "slow_replies".into();
        rules.rules[3].window_mins = 0;
        let e = rules.validate().unwrap_err().to_string();
        assert!(e.contains("rules[1].threshold") && e.contains("rules[2].id") && e.contains("rules[3].window_mins"), "{e}");
        let low = AlertRule { kind: AlertKind::CategoryBotResolution, threshold: 0.8, min_samples: 10, ..rules.rules[0].clone() };
        assert!(breaks(&low, &Reading { subject: "a/b".into(), value: 0.5, samples: 10 }));
        assert!(!breaks(&low, &Reading { subject: "a/b".into(), value: 0.9, samples: 10 }));
    }
}
