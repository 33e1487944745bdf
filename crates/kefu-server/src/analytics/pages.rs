//! Server-rendered pages: the service dashboard (`/analytics`) and consultation hotspots
//! (`/analytics/hotspots`). Plain HTML with inline SVG charts; one small module
//! (`/assets/analytics/tables.js`) makes tables sortable. Filters are links and a GET form,
//! so everything works without script.

use super::{charts, views};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kefu_core::access::Scope;
use kefu_core::analytics::hotspots::{HotspotRow, SourceFilter};
use kefu_core::analytics::metrics::Figures;
use kefu_core::analytics::store::AnalyticsStore;
use serde::Deserialize;
use std::fmt::Write;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Page parameters (all optional).
#[derive(Deserialize, Default)]
pub struct PageQuery {
    period: Option<String>,
    dim: Option<String>,
    tz: Option<i32>,
    source: Option<String>,
    top: Option<usize>,
    l1: Option<String>,
    tag: Option<String>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn pct(v: Option<f64>) -> (String, String) {
    v.map(|x| (format!("{:.1}%", x * 100.0), format!("{x}"))).unwrap_or_else(|| ("—".into(), "-1".into()))
}

fn secs(v: Option<f64>) -> (String, String) {
    v.map(|x| (format!("{x:.1}s"), format!("{x}"))).unwrap_or_else(|| ("—".into(), "-1".into()))
}

/// An analytics page inside the shared shell (`/assets/shell.js` draws the top navigation and
/// user menu); the two analytics pages switch between each other with the tabs under the title.
fn page(title: &str, current: &str, body: &str) -> Response {
    let tabs = [("/analytics", "服务看板"), ("/analytics/hotspots", "咨询热点")]
        .iter()
        .map(|(href, name)| format!("<a href=\"{href}\"{}>{name}</a>", if *href == current { " class=\"current\" aria-current=\"page\"" } else { "" }))
        .collect::<String>();
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t} · kefu</title>\
         <link rel=\"icon\" href=\"/assets/icons/icon.svg\" type=\"image/svg+xml\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">\
         <link rel=\"stylesheet\" href=\"/assets/shell.css\"><link rel=\"stylesheet\" href=\"/assets/analytics/analytics.css\">\
         <script type=\"module\" src=\"/assets/shell.js\"></script><script type=\"module\" src=\"/assets/analytics/tables.js\"></script></head>\
         <body class=\"analytics-page\" data-page=\"analytics\"><header id=\"shell\"></header>\
         <main><h1>{t}</h1><nav class=\"switch analytics-tabs\" aria-label=\"数据分析\">{tabs}</nav>{body}</main></body></html>",
        t = esc(title)
    );
    ([(CONTENT_SECURITY_POLICY, CSP), (X_FRAME_OPTIONS, "DENY")], Html(html)).into_response()
}

fn error_page(e: ApiError) -> Response {
    match e {
        ApiError::Unauthenticated => Redirect::to("/login").into_response(),
        other => page("出错了", "", &format!("<p class=\"error\">{}</p>", esc(&other.to_string()))),
    }
}

fn period_form(q: &PageQuery, period: &str, extra: &str) -> String {
    let opts = [("today", "今天"), ("yesterday", "昨天"), ("last7", "近7天"), ("last30", "近30天")];
    let mut s = String::from("<form method=\"get\" class=\"filters\"><label>周期 <select name=\"period\">");
    for (v, name) in opts {
        let _ = write!(s, "<option value=\"{v}\"{}>{name}</option>", if v == period { " selected" } else { "" });
    }
    if !opts.iter().any(|(v, _)| *v == period) {
        let _ = write!(s, "<option value=\"{p}\" selected>{p}</option>", p = esc(period));
    }
    let _ = write!(s, "</select></label>{extra}<input type=\"hidden\" name=\"tz\" value=\"{}\"><button>查看</button></form>", q.tz.unwrap_or(480));
    s
}

/// `GET /analytics`: the service dashboard.
pub async fn dashboard(State(state): State<AppState>, who: Result<Principal, ApiError>, Query(q): Query<PageQuery>) -> Response {
    match render_dashboard(&state, who, &q).await {
        Ok(r) => r,
        Err(e) => error_page(e),
    }
}

async fn render_dashboard(state: &AppState, who: Result<Principal, ApiError>, q: &PageQuery) -> Result<Response, ApiError> {
    let who = who?;
    who.require(Scope::AnalyticsRead)?;
    let shop = who.user.shop_id;
    state.analytics.refresh().await?;
    let (period, tz) = (q.period.clone().unwrap_or_else(|| "today".into()), q.tz.unwrap_or(480));
    let dim = views::parse_dim(q.dim.as_deref().unwrap_or("agent"))?;
    let store = state.analytics.store();
    let periods = views::resolve_period(store, shop, &period, state.inbox.now(), tz).await?;
    let v = views::dashboard(store, shop, periods, dim).await?;
    let dims = ["shop", "team", "agent", "channel", "source", "l1", "l2"];
    let mut dim_select = String::from(" <label>维度 <select name=\"dim\">");
    for d in dims {
        let _ = write!(dim_select, "<option value=\"{d}\"{}>{d}</option>", if d == v.dim { " selected" } else { "" });
    }
    dim_select.push_str("</select></label>");
    let mut b = period_form(q, &period, &dim_select);
    let t = &v.total;
    let card = |name: &str, id: &str, now: (String, String), before: (String, String)| {
        format!("<div class=\"card\" data-metric=\"{id}\"><span>{name}</span><b>{}</b><small>上期 {}</small></div>", now.0, before.0)
    };
    let p = &v.total_previous;
    b.push_str("<section class=\"cards\">");
    b.push_str(&card("咨询量", "conversations", (t.conversations.to_string(), String::new()), (p.conversations.to_string(), String::new())));
    b.push_str(&card("回复率", "response_rate", pct(t.response_rate), pct(p.response_rate)));
    b.push_str(&card("首响时长", "first_response_secs", secs(t.first_response_secs), secs(p.first_response_secs)));
    b.push_str(&card("平均回复时长", "reply_secs", secs(t.reply_secs), secs(p.reply_secs)));
    b.push_str(&card("平均处理时长", "handle_secs", secs(t.handle_secs), secs(p.handle_secs)));
    b.push_str(&card("有效处理时长", "active_handle_secs", secs(t.active_handle_secs), secs(p.active_handle_secs)));
    b.push_str(&card("满意度(5★)", "csat", pct(t.csat), pct(p.csat)));
    b.push_str(&card("4-5★占比", "csat_4_5", pct(t.csat_4_5), pct(p.csat_4_5)));
    b.push_str(&card("评价率", "rating_response_rate", pct(t.rating_response_rate), pct(p.rating_response_rate)));
    b.push_str(&card("机器人解决率", "bot_resolution_rate", pct(t.bot_resolution_rate), pct(p.bot_resolution_rate)));
    b.push_str(&card("转人工率", "transfer_rate", pct(t.transfer_rate), pct(p.transfer_rate)));
    b.push_str(&card("工单结案率", "ticket_closure_rate", pct(t.ticket_closure_rate), pct(p.ticket_closure_rate)));
    let per_agent = v.per_agent_per_day.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
    let _ = write!(b, "<div class=\"card\" data-metric=\"per_agent_per_day\"><span>人均日接待</span><b>{per_agent}</b><small>&nbsp;</small></div>");
    b.push_str("</section>");
    if !t.transfer_reasons.is_empty() {
        b.push_str("<p class=\"reasons\">转人工原因：");
        for (r, n) in &t.transfer_reasons {
            let _ = write!(b, "<span>{} × {n}</span> ", esc(r));
        }
        b.push_str("</p>");
    }
    let points: Vec<(i64, i64)> = v.by_hour.iter().map(|h| (h.hour, h.count)).collect();
    let _ = write!(b, "<div class=\"charts\"><figure class=\"chart\" id=\"chart-hourly\">{}</figure>", charts::hourly(&points, tz, "咨询量 / 小时"));
    let bars: Vec<(String, i64)> = v.rows.iter().take(12).map(|r| (r.name.clone(), r.figures.conversations)).collect();
    let _ = write!(b, "<figure class=\"chart\" id=\"chart-breakdown\">{}</figure></div>", charts::bars(&bars, &format!("咨询量 · {}", v.dim)));
    b.push_str("<table class=\"sortable\" id=\"breakdown\"><thead><tr><th data-type=\"text\">名称</th>");
    for h in ["咨询量", "回复率", "首响(s)", "回复(s)", "处理(s)", "有效处理(s)", "满意度", "4-5★", "评价数", "机器人解决率", "转人工率", "日均处理"] {
        let _ = write!(b, "<th>{h}</th>");
    }
    b.push_str("</tr></thead><tbody>");
    for r in &v.rows {
        let f: &Figures = &r.figures;
        let num = |v: i64| (v.to_string(), v.to_string());
        let per_day = (f.handled_per_day.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()), format!("{}", f.handled_per_day.unwrap_or(-1.0)));
        let cells = [num(f.conversations), pct(f.response_rate), secs(f.first_response_secs), secs(f.reply_secs), secs(f.handle_secs), secs(f.active_handle_secs), pct(f.csat), pct(f.csat_4_5), num(f.ratings), pct(f.bot_resolution_rate), pct(f.transfer_rate), per_day];
        let _ = write!(b, "<tr data-key=\"{}\"><td>{}</td>", esc(&r.key), esc(&r.name));
        for (text, value) in cells {
            let _ = write!(b, "<td data-value=\"{value}\">{text}</td>");
        }
        b.push_str("</tr>");
    }
    let _ = write!(b, "</tbody></table><p><a class=\"export\" href=\"/api/v1/analytics/export.csv?period={}&amp;dim={}&amp;tz={tz}\">导出 CSV</a></p>", views::url_encode(&period), v.dim);
    Ok(page("服务看板", "/analytics", &b))
}

/// `GET /analytics/hotspots`: consultation hotspots.
pub async fn hotspots(State(state): State<AppState>, who: Result<Principal, ApiError>, Query(q): Query<PageQuery>) -> Response {
    match render_hotspots(&state, who, &q).await {
        Ok(r) => r,
        Err(e) => error_page(e),
    }
}

fn link(q: &PageQuery, period: &str, source: &str, top: usize, l1: Option<&str>, tag: Option<&str>) -> String {
    let mut s = format!("/analytics/hotspots?period={}&amp;source={source}&amp;top={top}&amp;tz={}", views::url_encode(period), q.tz.unwrap_or(480));
    if let Some(l1) = l1 {
        let _ = write!(s, "&amp;l1={}", views::url_encode(l1));
    }
    if let Some(t) = tag {
        let _ = write!(s, "&amp;tag={}", views::url_encode(t));
    }
    s
}

fn change(r: &HotspotRow) -> (String, String) {
    match r.change {
        Some(c) => (format!("{:+.0}%", c * 100.0), format!("{c}")),
        None if r.previous == 0 => ("新".into(), "1e9".into()),
        None => ("—".into(), "-1".into()),
    }
}

async fn render_hotspots(state: &AppState, who: Result<Principal, ApiError>, q: &PageQuery) -> Result<Response, ApiError> {
    let who = who?;
    who.require(Scope::AnalyticsRead)?;
    let shop = who.user.shop_id;
    state.analytics.refresh().await?;
    let (period, tz) = (q.period.clone().unwrap_or_else(|| "today".into()), q.tz.unwrap_or(480));
    let source_name = q.source.clone().unwrap_or_else(|| "all".into());
    let source = SourceFilter::parse(&source_name)?;
    let top = if q.top == Some(50) { 50 } else { 20 };
    let store = state.analytics.store();
    let periods = views::resolve_period(store, shop, &period, state.inbox.now(), tz).await?;
    let v = views::hotspots(store, shop, periods, source, top, q.l1.as_deref()).await?;
    let l1 = q.l1.as_deref();
    let mut b = period_form(q, &period, &format!("<input type=\"hidden\" name=\"source\" value=\"{}\"><input type=\"hidden\" name=\"top\" value=\"{top}\">", esc(&source_name)));
    b.push_str("<nav class=\"switch\" id=\"sources\">");
    for (s, name) in [("all", "全部"), ("bot_only", "仅机器人"), ("bot_to_human", "机器人转人工"), ("human_only", "仅人工")] {
        let _ = write!(b, "<a href=\"{}\"{}>{name}</a>", link(q, &period, s, top, l1, None), if s == source_name { " class=\"current\"" } else { "" });
    }
    b.push_str("</nav><nav class=\"switch\" id=\"topn\">");
    for n in [20, 50] {
        let _ = write!(b, "<a href=\"{}\"{}>TOP{n}</a>", link(q, &period, &source_name, n, l1, None), if n == top { " class=\"current\"" } else { "" });
    }
    let _ = write!(b, "</nav><p class=\"total\">咨询量 <b id=\"total\">{}</b> · 上期 {}</p>", v.total, v.total_previous);
    let points: Vec<(i64, i64)> = v.by_hour.iter().map(|h| (h.hour, h.count)).collect();
    let _ = write!(b, "<div class=\"charts\"><figure class=\"chart\" id=\"chart-hourly\">{}</figure>", charts::hourly(&points, tz, &format!("{} / 小时", l1.unwrap_or("咨询量"))));
    let bars: Vec<(String, i64)> = v.l2.iter().take(15).map(|r| (format!("{}/{}", r.l1, r.l2.as_deref().unwrap_or("")), r.count)).collect();
    let _ = write!(b, "<figure class=\"chart\" id=\"chart-l2\">{}</figure></div>", charts::bars(&bars, &format!("TOP{top} 二级分类")));
    let head = |id: &str, first: &str, extra: &str| {
        format!("<table class=\"sortable\" id=\"{id}\"><thead><tr><th data-type=\"text\">{first}</th><th>咨询量</th><th>占比</th><th>上期</th><th>环比</th>{extra}</tr></thead><tbody>")
    };
    b.push_str("<h2>一级分类</h2>");
    b.push_str(&head("l1", "一级分类", ""));
    for r in &v.l1 {
        let (c, cv) = change(r);
        let _ = write!(b, "<tr><td><a href=\"{}\">{}</a></td><td data-value=\"{}\">{}</td><td data-value=\"{}\">{:.1}%</td><td data-value=\"{}\">{}</td><td data-value=\"{cv}\">{c}</td></tr>",
            link(q, &period, &source_name, top, Some(&r.l1), None), esc(&r.l1), r.count, r.count, r.share, r.share * 100.0, r.previous, r.previous);
    }
    let _ = write!(b, "</tbody></table><h2>二级分类 TOP{top}{}</h2>", l1.map(|l| format!(" · {}", esc(l))).unwrap_or_default());
    b.push_str(&head("l2", "二级分类", "<th data-type=\"text\">处理</th>"));
    for r in &v.l2 {
        let (c, cv) = change(r);
        let l2 = r.l2.clone().unwrap_or_default();
        let _ = write!(b, "<tr><td>{} / {}</td><td data-value=\"{}\">{}</td><td data-value=\"{}\">{:.1}%</td><td data-value=\"{}\">{}</td><td data-value=\"{cv}\">{c}</td><td><a class=\"faq\" href=\"/kb?draft={}\">创建FAQ</a></td></tr>",
            esc(&r.l1), esc(&l2), r.count, r.count, r.share, r.share * 100.0, r.previous, r.previous, views::url_encode(&l2));
    }
    b.push_str("</tbody></table><h2>三级标签</h2>");
    b.push_str(&head("tags", "标签", ""));
    for r in &v.tags {
        let (c, cv) = change(r);
        let _ = write!(b, "<tr><td><a href=\"{}\">{}</a></td><td data-value=\"{}\">{}</td><td data-value=\"{}\">{:.1}%</td><td data-value=\"{}\">{}</td><td data-value=\"{cv}\">{c}</td></tr>",
            link(q, &period, &source_name, top, l1, Some(&r.l1)), esc(&r.l1), r.count, r.count, r.share, r.share * 100.0, r.previous, r.previous);
    }
    b.push_str("</tbody></table>");
    if let Some(tag) = &q.tag {
        let src = match source {
            SourceFilter::All => None,
            SourceFilter::Only(s) => Some(s),
        };
        let ids = store.tag_conversations(shop, tag, v.period.from, v.period.to, src, 200).await?;
        let _ = write!(b, "<h2>“{}” 的会话</h2><ul id=\"drill\">", esc(tag));
        for (id, _) in ids {
            let _ = write!(b, "<li><a href=\"/api/v1/conversations/{id}/messages\">{id}</a></li>");
        }
        b.push_str("</ul>");
    }
    Ok(page("咨询热点", "/analytics/hotspots", &b))
}
