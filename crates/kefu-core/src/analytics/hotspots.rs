//! Consultation hotspots (咨询热点): counts per category from the cohort counters
//! `conv.<source>` kept under the `l1`, `l2` (key `l1/l2`) and `tag` dimensions.

use super::Source;
use crate::CoreError;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which conversations a hotspot view counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFilter {
    /// Every conversation.
    All,
    /// Only conversations of one source.
    Only(Source),
}

impl SourceFilter {
    /// Parse `all`, `bot_only`, `bot_to_human`, `human_only`.
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        if s == "all" {
            return Ok(SourceFilter::All);
        }
        Source::parse(s).map(SourceFilter::Only).ok_or_else(|| CoreError::Invalid(crate::error::msg("error-analytics-source").arg("source", s.to_string())))
    }

    /// The counter names this filter sums.
    pub fn metrics(self) -> Vec<String> {
        match self {
            SourceFilter::All => Source::ALL.iter().map(|s| format!("conv.{}", s.as_str())).collect(),
            SourceFilter::Only(s) => vec![format!("conv.{}", s.as_str())],
        }
    }
}

/// One category in a hotspot ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotspotRow {
    /// Level 1.
    pub l1: String,
    /// Level 2 (absent in the level-1 list), or the tag.
    pub l2: Option<String>,
    /// Conversations in the period.
    pub count: i64,
    /// Share of all categorised conversations in the period (0..1).
    pub share: f64,
    /// Conversations in the period before.
    pub previous: i64,
    /// (count − previous) ÷ previous; none when there were none before.
    pub change: Option<f64>,
}

/// Rank keys by count (then by name, for a stable order), keep `top`, with shares of the
/// total and the change from `before`. Keys of the `l2` dimension are `l1/l2`.
pub fn rank(now: &BTreeMap<String, i64>, before: &BTreeMap<String, i64>, top: usize, split_l2: bool) -> Vec<HotspotRow> {
    let total: i64 = now.values().filter(|v| **v > 0).sum();
    let mut rows: Vec<HotspotRow> = now
        .iter()
        .filter(|(_, c)| **c > 0)
        .map(|(k, c)| {
            let previous = before.get(k).copied().unwrap_or(0);
            let (l1, l2) = match (split_l2, k.split_once('/')) {
                (true, Some((a, b))) => (a.to_string(), Some(b.to_string())),
                _ => (k.clone(), None),
            };
            HotspotRow {
                l1,
                l2,
                count: *c,
                share: if total > 0 { *c as f64 / total as f64 } else { 0.0 },
                previous,
                change: (previous > 0).then(|| (*c - previous) as f64 / previous as f64),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.l1.cmp(&b.l1)).then_with(|| a.l2.cmp(&b.l2)));
    rows.truncate(top);
    rows
}

/// Sum `(key, metric, value)` rows into per-key totals of the metrics a filter counts.
pub fn by_key(rows: &[(String, String, i64)], filter: SourceFilter) -> BTreeMap<String, i64> {
    let wanted = filter.metrics();
    let mut out = BTreeMap::new();
    for (k, m, v) in rows {
        if wanted.iter().any(|w| w == m) {
            *out.entry(k.clone()).or_insert(0) += v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_shares_change_and_top_n() {
        let now: BTreeMap<String, i64> = [("售后问题/退货退款", 6), ("物流问题/物流查询", 3), ("商品问题/尺码规格", 1)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let before: BTreeMap<String, i64> = [("售后问题/退货退款", 3)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let r = rank(&now, &before, 2, true);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].l1.as_str(), r[0].l2.as_deref(), r[0].count, r[0].previous), ("售后问题", Some("退货退款"), 6, 3));
        assert_eq!(r[0].share, 0.6);
        assert_eq!(r[0].change, Some(1.0));
        assert_eq!(r[1].change, None);
        let rows = vec![("a".to_string(), "conv.bot_only".to_string(), 2), ("a".into(), "conv.human_only".into(), 5), ("a".into(), "responded".into(), 9)];
        assert_eq!(by_key(&rows, SourceFilter::All)["a"], 7);
        assert_eq!(by_key(&rows, SourceFilter::Only(Source::BotOnly))["a"], 2);
        assert!(SourceFilter::parse("robots").is_err());
    }
}
