//! The dashboard and hotspot views, read from rollups only (never messages); shared by the
//! JSON API and the server-rendered pages.

use crate::error::ApiError;
use kefu_core::analytics::hotspots::{by_key, rank, HotspotRow, SourceFilter};
use kefu_core::analytics::metrics::{Change, Figures, Totals};
use kefu_core::analytics::period::{Period, PeriodSpec};
use kefu_core::analytics::store::AnalyticsStore;
use kefu_core::analytics::{Dim, Grain, DAY_MS, HOUR_MS};
use kefu_core::clock::Millis;
use kefu_core::ids::ShopId;
use kefu_core::store::Store;
use kefu_store::SqlStore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shop setting holding promotion windows (大促).
pub const PROMOTIONS_KEY: &str = "promotions";

/// A promotion window the shop defines.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Promotion {
    /// Name, used as `period=promo:<name>`.
    pub name: String,
    /// Start (unix ms).
    pub from: Millis,
    /// End (unix ms, exclusive).
    pub to: Millis,
}

/// Resolve a period parameter (also `promo:<name>`) to the period and the one before.
pub async fn resolve_period(store: &SqlStore, shop: ShopId, spec: &str, now: Millis, tz: i32) -> Result<(Period, Period), ApiError> {
    if let Some(name) = spec.strip_prefix("promo:") {
        let promos = promotions(store, shop).await?;
        let p = promos.iter().find(|p| p.name == name).ok_or(ApiError::NotFound("promotion"))?;
        let period = Period { from: p.from, to: p.to };
        return Ok((period, period.before()));
    }
    Ok(PeriodSpec::parse(spec)?.resolve(now, tz))
}

/// The shop's promotion windows.
pub async fn promotions(store: &SqlStore, shop: ShopId) -> Result<Vec<Promotion>, ApiError> {
    match store.setting(shop, PROMOTIONS_KEY).await? {
        Some(doc) => serde_json::from_str(&doc).map_err(|e| ApiError::Internal(format!("promotions setting: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// One breakdown row.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardRow {
    /// The dimension's key (agent id, team id, channel, source, category).
    pub key: String,
    /// A readable name (the agent's display name; otherwise the key).
    pub name: String,
    /// The figures.
    pub figures: Figures,
}

/// Conversations and replies per hour.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HourPoint {
    /// Start of the hour (ms).
    pub hour: Millis,
    /// Count.
    pub count: i64,
}

/// The service dashboard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    /// The period shown.
    pub period: Period,
    /// The period compared with.
    pub previous: Period,
    /// The breakdown dimension.
    pub dim: String,
    /// The whole shop.
    pub total: Figures,
    /// The whole shop in the previous period.
    pub total_previous: Figures,
    /// Change from the previous period.
    pub change: Change,
    /// Resolutions per agent per day (agents who resolved any).
    pub per_agent_per_day: Option<f64>,
    /// One row per key of the dimension, most conversations first.
    pub rows: Vec<DashboardRow>,
    /// Conversations created per hour (per UTC day when the period is over three days).
    pub by_hour: Vec<HourPoint>,
}

fn group(rows: Vec<(String, String, i64)>) -> BTreeMap<String, Totals> {
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    for (k, m, v) in rows {
        *out.entry(k).or_default().entry(m).or_insert(0) += v;
    }
    out
}

/// Parse a breakdown dimension (the customer dimension is for alerts only).
pub fn parse_dim(s: &str) -> Result<Dim, ApiError> {
    Dim::parse(s).filter(|d| *d != Dim::Customer).ok_or_else(|| ApiError::BadRequest(crate::error::msg("error-analytics-dimension").arg("dimension", s.to_string())))
}

/// Build the dashboard of a shop for a period, broken down by `dim`.
pub async fn dashboard(store: &SqlStore, shop: ShopId, (p, prev): (Period, Period), dim: Dim) -> Result<DashboardView, ApiError> {
    let shop_totals = |p: Period| async move {
        let rows = store.rollup_sums(shop, Grain::Hour, Dim::Shop, p.from, p.to, &[]).await?;
        Ok::<_, ApiError>(group(rows).remove("").unwrap_or_default())
    };
    let total = Figures::from_totals(&shop_totals(p).await?, p.days());
    let total_previous = Figures::from_totals(&shop_totals(prev).await?, prev.days());
    let names: BTreeMap<String, String> = if dim == Dim::Agent {
        store.users(shop).await?.into_iter().map(|u| (u.id.to_string(), u.display_name)).collect()
    } else {
        BTreeMap::new()
    };
    let mut rows: Vec<DashboardRow> = if dim == Dim::Shop {
        vec![DashboardRow { key: String::new(), name: "全店".into(), figures: total.clone() }]
    } else {
        group(store.rollup_sums(shop, Grain::Hour, dim, p.from, p.to, &[]).await?)
            .into_iter()
            .map(|(key, t)| {
                let mut figures = Figures::from_totals(&t, p.days());
                if dim.splits_by_source() {
                    // Category keys count conversations per source: the row shows all of them.
                    figures.conversations = t.iter().filter(|(m, _)| m.starts_with("conv.")).map(|(_, v)| v).sum();
                    figures.response_rate = (figures.conversations > 0).then(|| figures.responded as f64 / figures.conversations as f64);
                }
                DashboardRow { name: names.get(&key).cloned().unwrap_or_else(|| key.clone()), key, figures }
            })
            .collect()
    };
    rows.sort_by(|a, b| b.figures.conversations.cmp(&a.figures.conversations).then_with(|| a.key.cmp(&b.key)));
    let agents = store.rollup_sums(shop, Grain::Hour, Dim::Agent, p.from, p.to, &["resolved".into()]).await?;
    let active: Vec<i64> = agents.iter().map(|r| r.2).filter(|v| *v > 0).collect();
    let per_agent_per_day = (!active.is_empty()).then(|| active.iter().sum::<i64>() as f64 / active.len() as f64 / p.days());
    let series = store.rollup_series(shop, series_grain(p), Dim::Shop, Some(""), p.from, p.to, &["conv".into()]).await?;
    Ok(DashboardView {
        period: p,
        previous: prev,
        dim: dim.as_str().into(),
        change: Change::between(&total, &total_previous),
        total,
        total_previous,
        per_agent_per_day,
        rows,
        by_hour: fill_hours(p, series.into_iter().map(|(h, _, v)| (h, v))),
    })
}

/// Periods over three days are charted per (UTC) day: a month of hours is 720 points, and
/// reading them would cost 24× the rows.
fn series_grain(p: Period) -> Grain {
    if p.to - p.from > 3 * DAY_MS {
        Grain::Day
    } else {
        Grain::Hour
    }
}

/// Every hour (or day) of the period (up to 400 points), zeros included, so charts have no gaps.
fn fill_hours(p: Period, points: impl Iterator<Item = (Millis, i64)>) -> Vec<HourPoint> {
    let step = if series_grain(p) == Grain::Day { DAY_MS } else { HOUR_MS };
    let mut by: BTreeMap<Millis, i64> = BTreeMap::new();
    for (h, v) in points {
        *by.entry(h).or_insert(0) += v;
    }
    let first = p.from.div_euclid(step) * step;
    let n = ((p.to - first + step - 1) / step).clamp(0, 400);
    (0..n).map(|i| first + i * step).map(|hour| HourPoint { hour, count: by.get(&hour).copied().unwrap_or(0) }).collect()
}

/// Consultation hotspots.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HotspotView {
    /// The period shown.
    pub period: Period,
    /// The period compared with.
    pub previous: Period,
    /// all / bot_only / bot_to_human / human_only.
    pub source: String,
    /// Categorised conversations in the period.
    pub total: i64,
    /// The same in the previous period.
    pub total_previous: i64,
    /// Level-1 categories.
    pub l1: Vec<HotspotRow>,
    /// The top level-2 categories (within `l1` when one was chosen).
    pub l2: Vec<HotspotRow>,
    /// Level-3 tags (`l1` holds the tag).
    pub tags: Vec<HotspotRow>,
    /// Categorised conversations per hour, or per UTC day over three days (of `l1` when chosen).
    pub by_hour: Vec<HourPoint>,
}

/// Build the hotspot view: `top` level-2 categories, optionally within one level 1.
pub async fn hotspots(store: &SqlStore, shop: ShopId, (p, prev): (Period, Period), source: SourceFilter, top: usize, l1: Option<&str>) -> Result<HotspotView, ApiError> {
    let metrics = source.metrics();
    let counts = |dim: Dim, p: Period| {
        let metrics = metrics.clone();
        async move { Ok::<_, ApiError>(by_key(&store.rollup_sums(shop, Grain::Hour, dim, p.from, p.to, &metrics).await?, source)) }
    };
    let (l1_now, l1_before) = (counts(Dim::L1, p).await?, counts(Dim::L1, prev).await?);
    let within = |m: BTreeMap<String, i64>| -> BTreeMap<String, i64> {
        match l1 {
            Some(l1) => m.into_iter().filter(|(k, _)| k.split_once('/').is_some_and(|(a, _)| a == l1)).collect(),
            None => m,
        }
    };
    let (l2_now, l2_before) = (within(counts(Dim::L2, p).await?), within(counts(Dim::L2, prev).await?));
    let (tag_now, tag_before) = (counts(Dim::Tag, p).await?, counts(Dim::Tag, prev).await?);
    let series = store.rollup_series(shop, series_grain(p), Dim::L1, l1, p.from, p.to, &metrics).await?;
    Ok(HotspotView {
        period: p,
        previous: prev,
        source: match source {
            SourceFilter::All => "all".into(),
            SourceFilter::Only(s) => s.as_str().into(),
        },
        total: l1_now.values().sum(),
        total_previous: l1_before.values().sum(),
        l1: rank(&l1_now, &l1_before, 100, false),
        l2: rank(&l2_now, &l2_before, top, true),
        tags: rank(&tag_now, &tag_before, 100, false),
        by_hour: fill_hours(p, series.into_iter().map(|(h, _, v)| (h, v))),
    })
}

/// Percent-encode a query value (UTF-8 bytes outside the unreserved set).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
