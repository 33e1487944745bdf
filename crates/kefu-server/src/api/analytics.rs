//! Analytics: the service dashboard, consultation hotspots with drill-down, alerts and their
//! rules, promotion windows and CSV export. Reads need `analytics:read` (owners, admins,
//! supervisors); rule and promotion changes need `settings:manage`.

use super::{ApiJson, ApiQuery};
use crate::analytics::views::{self, DashboardView, HotspotView, Promotion, PROMOTIONS_KEY};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::Json;
use kefu_core::access::Scope;
use kefu_core::analytics::alerts::{AlertRules, AlertState, SETTING_KEY};
use kefu_core::analytics::hotspots::SourceFilter;
use kefu_core::analytics::store::AnalyticsStore;
use kefu_core::store::{Change, ChangeSet, Store};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Period and breakdown parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// today, yesterday, last7, last30, day:YYYY-MM-DD, week:YYYY-MM-DD, month:YYYY-MM,
    /// range:FROM-TO (unix ms) or promo:NAME. Default today.
    pub period: Option<String>,
    /// Breakdown: shop, team, agent, channel, source, l1, l2, tag. Default agent.
    pub dim: Option<String>,
    /// The shop's offset from UTC in minutes (default 480, China).
    pub tz: Option<i32>,
    /// Hotspots: all, bot_only, bot_to_human, human_only.
    pub source: Option<String>,
    /// Hotspots: 20 or 50 level-2 categories.
    pub top: Option<usize>,
    /// Hotspots: level-2 within this level 1; drill-down: the level 1.
    pub l1: Option<String>,
    /// Drill-down: the level 2.
    pub l2: Option<String>,
    /// Drill-down: a level-3 tag.
    pub tag: Option<String>,
}

async fn periods(state: &AppState, who: &Principal, q: &ViewQuery) -> Result<(kefu_core::analytics::period::Period, kefu_core::analytics::period::Period), ApiError> {
    who.require(Scope::AnalyticsRead)?;
    // Reads see every committed event: fold what is pending first (cheap when caught up).
    state.analytics.refresh().await?;
    let spec = q.period.as_deref().unwrap_or("today");
    views::resolve_period(state.analytics.store(), who.user.shop_id, spec, state.inbox.now(), q.tz.unwrap_or(480)).await
}

/// The dashboard: the shop's figures for a period and the previous one, the change, a
/// breakdown by one dimension and conversations per hour.
#[utoipa::path(get, path = "/api/v1/analytics/dashboard", tag = "analytics", params(ViewQuery),
    responses((status = 200, body = DashboardView), (status = 400, body = ErrorBody)))]
pub async fn dashboard(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<ViewQuery>) -> Result<Json<DashboardView>, ApiError> {
    let p = periods(&state, &who, &q).await?;
    let dim = views::parse_dim(q.dim.as_deref().unwrap_or("agent"))?;
    Ok(Json(views::dashboard(state.analytics.store(), who.user.shop_id, p, dim).await?))
}

/// Consultation hotspots: level 1, the top level 2 (within `l1` when given), tags, per hour,
/// each compared with the previous period; filtered by source.
#[utoipa::path(get, path = "/api/v1/analytics/hotspots", tag = "analytics", params(ViewQuery),
    responses((status = 200, body = HotspotView), (status = 400, body = ErrorBody)))]
pub async fn hotspots(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<ViewQuery>) -> Result<Json<HotspotView>, ApiError> {
    let p = periods(&state, &who, &q).await?;
    let source = SourceFilter::parse(q.source.as_deref().unwrap_or("all"))?;
    let top = match q.top.unwrap_or(20) {
        n @ (20 | 50) => n,
        n => return Err(ApiError::BadRequest(crate::error::msg("error-analytics-top").arg("top", n))),
    };
    Ok(Json(views::hotspots(state.analytics.store(), who.user.shop_id, p, source, top, q.l1.as_deref()).await?))
}

/// One conversation behind a hotspot.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DrillItem {
    /// The conversation.
    pub conversation_id: String,
    /// When it was created.
    pub created_at: i64,
}

/// The conversations behind a hotspot.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DrillView {
    /// Newest first (at most 200).
    pub conversations: Vec<DrillItem>,
}

/// Drill down: the conversations behind a tag (`tag`) or a category (`l1`, optional `l2`)
/// in the period, newest first.
#[utoipa::path(get, path = "/api/v1/analytics/hotspots/conversations", tag = "analytics", params(ViewQuery),
    responses((status = 200, body = DrillView), (status = 400, body = ErrorBody)))]
pub async fn drill(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<ViewQuery>) -> Result<Json<DrillView>, ApiError> {
    let (p, _) = periods(&state, &who, &q).await?;
    let source = match SourceFilter::parse(q.source.as_deref().unwrap_or("all"))? {
        SourceFilter::All => None,
        SourceFilter::Only(s) => Some(s),
    };
    let store = state.analytics.store();
    let shop = who.user.shop_id;
    let rows = match (&q.tag, &q.l1) {
        (Some(tag), _) => store.tag_conversations(shop, tag, p.from, p.to, source, 200).await?,
        (None, Some(l1)) => store.category_conversations(shop, l1, q.l2.as_deref(), p.from, p.to, source, 200).await?,
        (None, None) => return Err(ApiError::BadRequest(crate::error::msg("error-analytics-tag"))),
    };
    Ok(Json(DrillView { conversations: rows.into_iter().map(|(conversation_id, created_at)| DrillItem { conversation_id, created_at }).collect() }))
}

/// Alerts and the rules that raise them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AlertsView {
    /// The shop's rules (defaults until saved).
    pub rules: AlertRules,
    /// The latest episode of every rule and subject, newest first; open ones have no
    /// `resolved_at`.
    pub alerts: Vec<AlertState>,
}

/// The shop's alerts and rules.
#[utoipa::path(get, path = "/api/v1/analytics/alerts", tag = "analytics", responses((status = 200, body = AlertsView)))]
pub async fn alerts(State(state): State<AppState>, who: Principal) -> Result<Json<AlertsView>, ApiError> {
    who.require(Scope::AnalyticsRead)?;
    state.analytics.refresh().await?;
    let shop = who.user.shop_id;
    Ok(Json(AlertsView { rules: state.analytics.rules(shop).await?, alerts: state.analytics.store().alert_states(shop).await? }))
}

/// Replace the alert rules (validated whole: 422 lists every problem).
#[utoipa::path(put, path = "/api/v1/analytics/alert-rules", tag = "analytics", request_body = AlertRules,
    responses((status = 200, body = AlertRules), (status = 422, body = ErrorBody)))]
pub async fn put_rules(State(state): State<AppState>, who: Principal, ApiJson(rules): ApiJson<AlertRules>) -> Result<Json<AlertRules>, ApiError> {
    who.require(Scope::SettingsManage)?;
    if let Err(e) = rules.validate() {
        let message = e.to_string();
        let problems: Vec<&str> = message.split("; ").collect();
        return Err(ApiError::Unprocessable { message: crate::error::msg("error-alert-problems").arg("count", problems.len()), problems: serde_json::json!(problems) });
    }
    put_setting(&state, &who, SETTING_KEY, serde_json::to_string(&rules).map_err(|e| ApiError::Internal(e.to_string()))?).await?;
    Ok(Json(rules))
}

async fn put_setting(state: &AppState, who: &Principal, key: &str, doc: String) -> Result<(), ApiError> {
    let mut cs = ChangeSet::default();
    cs.push(Change::PutSetting { shop_id: who.user.shop_id, key: key.into(), doc, at: state.inbox.now() });
    Ok(state.inbox.store().apply(cs).await?)
}

/// The shop's promotion windows (大促), usable as `period=promo:NAME`.
#[utoipa::path(get, path = "/api/v1/analytics/promotions", tag = "analytics", responses((status = 200, body = Vec<Promotion>)))]
pub async fn promotions(State(state): State<AppState>, who: Principal) -> Result<Json<Vec<Promotion>>, ApiError> {
    who.require(Scope::AnalyticsRead)?;
    Ok(Json(views::promotions(state.analytics.store(), who.user.shop_id).await?))
}

/// Replace the promotion windows (at most 100; names unique; each ends after it starts).
#[utoipa::path(put, path = "/api/v1/analytics/promotions", tag = "analytics", request_body = Vec<Promotion>,
    responses((status = 200, body = Vec<Promotion>), (status = 400, body = ErrorBody)))]
pub async fn put_promotions(State(state): State<AppState>, who: Principal, ApiJson(list): ApiJson<Vec<Promotion>>) -> Result<Json<Vec<Promotion>>, ApiError> {
    who.require(Scope::SettingsManage)?;
    if list.len() > 100 {
        return Err(ApiError::BadRequest(crate::error::msg("error-promotions-max")));
    }
    for (i, p) in list.iter().enumerate() {
        if p.name.trim().is_empty() || p.name.len() > 64 || p.to <= p.from || list[..i].iter().any(|o| o.name == p.name) {
            return Err(ApiError::BadRequest(crate::error::msg("error-promotion-invalid").arg("index", i)));
        }
    }
    put_setting(&state, &who, PROMOTIONS_KEY, serde_json::to_string(&list).map_err(|e| ApiError::Internal(e.to_string()))?).await?;
    Ok(Json(list))
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

/// The dashboard breakdown as CSV (UTF-8 with a BOM so spreadsheet programs read Chinese).
#[utoipa::path(get, path = "/api/v1/analytics/export.csv", tag = "analytics", params(ViewQuery), responses((status = 200, content_type = "text/csv")))]
pub async fn export(State(state): State<AppState>, who: Principal, ApiQuery(q): ApiQuery<ViewQuery>) -> Result<impl IntoResponse, ApiError> {
    let p = periods(&state, &who, &q).await?;
    let dim = views::parse_dim(q.dim.as_deref().unwrap_or("agent"))?;
    let v = views::dashboard(state.analytics.store(), who.user.shop_id, p, dim).await?;
    let mut out = String::from("\u{feff}key,name,conversations,responded,response_rate,first_response_secs,reply_secs,handle_secs,active_handle_secs,resolved,ratings,csat,csat_4_5,rating_response_rate,bot_received,bot_resolved,bot_resolution_rate,transferred,transfer_rate,tickets_created,tickets_closed,ticket_closure_rate,handled_per_day\r\n");
    for r in std::iter::once(&views::DashboardRow { key: "*".into(), name: "total".into(), figures: v.total.clone() }).chain(v.rows.iter()) {
        let f = &r.figures;
        // Quote text fields; a leading = + - @ would be a formula in a spreadsheet.
        let text = |s: &str| format!("\"{}{}\"", if s.starts_with(['=', '+', '-', '@']) { "'" } else { "" }, s.replace('"', "\"\""));
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            text(&r.key), text(&r.name), f.conversations, f.responded, cell(f.response_rate), cell(f.first_response_secs), cell(f.reply_secs),
            cell(f.handle_secs), cell(f.active_handle_secs), f.resolved, f.ratings, cell(f.csat), cell(f.csat_4_5), cell(f.rating_response_rate),
            f.bot_received, f.bot_resolved, cell(f.bot_resolution_rate), f.transferred, cell(f.transfer_rate), f.tickets_created, f.tickets_closed,
            cell(f.ticket_closure_rate), cell(f.handled_per_day)
        );
    }
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8"), (CONTENT_DISPOSITION, "attachment; filename=\"kefu-analytics.csv\"")], out))
}
