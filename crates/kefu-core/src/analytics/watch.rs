//! Readings for the alert rules, from the minute and hour counters (async glue over an
//! [`AnalyticsStore`]; the decision itself is [`super::alerts::decide`]).

use super::alerts::{AlertKind, AlertRules, Reading};
use super::store::AnalyticsStore;
use super::{hour_of, Dim, Grain, HOUR_MS};
use crate::clock::Millis;
use crate::ids::ShopId;
use crate::store::StoreError;
use std::collections::BTreeMap;

/// Per rule id, the readings of its subjects at `now`.
pub async fn readings<S: AnalyticsStore>(store: &S, shop: ShopId, rules: &AlertRules, now: Millis) -> Result<BTreeMap<String, Vec<Reading>>, StoreError> {
    let mut out = BTreeMap::new();
    for rule in rules.rules.iter().filter(|r| r.enabled) {
        let w = i64::from(rule.window_mins) * 60_000;
        let (from, to) = (now - w, now + 1);
        let minute = |metrics: &[&str], dim| {
            let metrics: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
            async move { store.rollup_sums(shop, Grain::Minute, dim, from, to, &metrics).await }
        };
        let shop_ratio = |rows: Vec<(String, String, i64)>, num: &str, den: &str, scale: f64| {
            let g = |m: &str| rows.iter().filter(|r| r.1 == m).map(|r| r.2).sum::<i64>();
            let (n, d) = (g(num), g(den));
            if d > 0 {
                vec![Reading { subject: String::new(), value: n as f64 / d as f64 / scale, samples: d }]
            } else {
                vec![]
            }
        };
        let readings = match rule.kind {
            AlertKind::ResponseTime => shop_ratio(minute(&["reply_ms", "reply_n"], Dim::Shop).await?, "reply_ms", "reply_n", 1000.0),
            AlertKind::BadReviewShare => shop_ratio(minute(&["stars12", "rated"], Dim::Shop).await?, "stars12", "rated", 1.0),
            AlertKind::NegativeCommentShare => shop_ratio(minute(&["comments_neg", "comments"], Dim::Shop).await?, "comments_neg", "comments", 1.0),
            AlertKind::CustomerComplaints => minute(&["complaints"], Dim::Customer)
                .await?
                .into_iter()
                .map(|(k, _, v)| Reading { subject: k, value: v as f64, samples: v })
                .collect(),
            AlertKind::CategoryBotResolution => {
                // Cohort counters live in hours: the window is rounded out to whole hours.
                let metrics = vec!["bot_received".to_string(), "bot_resolved".to_string()];
                let rows = store.rollup_sums(shop, Grain::Hour, Dim::L2, hour_of(from), to, &metrics).await?;
                let mut per: BTreeMap<String, (i64, i64)> = BTreeMap::new();
                for (k, m, v) in rows {
                    let e = per.entry(k).or_default();
                    if m == "bot_received" {
                        e.0 += v;
                    } else {
                        e.1 += v;
                    }
                }
                per.into_iter()
                    .filter(|(_, (rec, _))| *rec > 0)
                    .map(|(k, (rec, res))| Reading { subject: k, value: res as f64 / rec as f64, samples: rec })
                    .collect()
            }
            AlertKind::CategorySurge => {
                let now_rows = minute(&["conv"], Dim::L2).await?;
                let base_from = from - 24 * HOUR_MS;
                let base = store.rollup_sums(shop, Grain::Minute, Dim::L2, base_from, from, &["conv".to_string()]).await?;
                now_rows
                    .into_iter()
                    .map(|(k, _, v)| {
                        // The category's usual count for a window this long over the last day
                        // (at least one, so a first appearance needs `threshold` conversations).
                        let b: i64 = base.iter().filter(|r| r.0 == k).map(|r| r.2).sum();
                        let usual = (b as f64 * w as f64 / (24 * HOUR_MS) as f64).max(1.0);
                        Reading { subject: k, value: v as f64 / usual, samples: v }
                    })
                    .collect()
            }
        };
        out.insert(rule.id.clone(), readings);
    }
    Ok(out)
}
