//! Server-rendered pages: the service dashboard (`/analytics`) and consultation hotspots
//! (`/analytics/hotspots`). Plain HTML with inline SVG charts; one small module
//! (`/assets/analytics/tables.js`) makes tables sortable. Filters are links and a GET form,
//! so everything works without script.

use super::{charts, reading, views};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kefu_core::access::Scope;
use kefu_core::analytics::hotspots::{HotspotRow, SourceFilter};
use kefu_core::analytics::metrics::Figures;
use kefu_core::analytics::period::Period;
use kefu_core::analytics::store::AnalyticsStore;
use kefu_i18n::{render, Lang, Message};
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
fn page(lang: Lang, title: &str, current: &str, body: &str) -> Response {
    let tabs = [("/analytics", "analytics-dashboard"), ("/analytics/hotspots", "analytics-hotspots")]
        .iter()
        .map(|(href, name)| format!("<a href=\"{href}\"{}>{}</a>", if *href == current { " class=\"current\" aria-current=\"page\"" } else { "" }, esc(&render(lang, name))))
        .collect::<String>();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t} · kefu</title>\
         <link rel=\"icon\" href=\"/assets/icons/icon.svg\" type=\"image/svg+xml\"><link rel=\"manifest\" href=\"/manifest.webmanifest\">\
         <link rel=\"stylesheet\" href=\"/assets/shell.css\"><link rel=\"stylesheet\" href=\"/assets/analytics/analytics.css\">\
         <script type=\"module\" src=\"/assets/shell.js\"></script><script type=\"module\" src=\"/assets/analytics/tables.js\"></script></head>\
         <body class=\"analytics-page\" data-page=\"analytics\"><header id=\"shell\"></header>\
         <main><h1>{t}</h1><nav class=\"switch analytics-tabs\" aria-label=\"{nav}\">{tabs}</nav>{body}</main></body></html>",
        t = esc(title),
        lang = lang.tag(),
        nav = esc(&render(lang, "analytics-label"))
    );
    ([(CONTENT_SECURITY_POLICY, CSP), (X_FRAME_OPTIONS, "DENY")], Html(html)).into_response()
}

fn error_page(lang: Lang, e: ApiError) -> Response {
    match e {
        ApiError::Unauthenticated => Redirect::to("/login").into_response(),
        other => page(lang, &render(lang, "analytics-error"), "", &format!("<p class=\"error\">{}</p>", esc(&other.to_string()))),
    }
}

/// The reader's language before the shop is known (an error page): what the browser asks for.
fn browser_language(headers: &HeaderMap) -> Lang {
    reading::page_language(headers, None)
}

/// The reader's language once their shop is known.
async fn reader_language(state: &AppState, headers: &HeaderMap, who: &Principal) -> Result<Lang, ApiError> {
    let profile = state.inbox.store().shop_profile(who.user.shop_id).await?;
    Ok(reading::page_language(headers, profile.as_ref()))
}

/// The period's first and last day in the shop's time zone, in the reader's language.
fn period_line(lang: Lang, p: Period, tz: i32) -> String {
    let day = |ms: i64| charts::civil((ms + i64::from(tz) * 60_000).div_euclid(86_400_000));
    let (from, to) = (reading::full_day(lang, day(p.from)), reading::full_day(lang, day(p.to - 1)));
    let text = if from == to { from } else { Message::new("analytics-period-range").arg("from", from).arg("to", to).render(lang) };
    format!("<p class=\"period\" id=\"period\">{}</p>", esc(&text))
}

fn period_form(lang: Lang, q: &PageQuery, period: &str, extra: &str) -> String {
    let opts = ["today", "yesterday", "last7", "last30"];
    let mut s = format!("<form method=\"get\" class=\"filters\"><label>{} <select name=\"period\">", esc(&render(lang, "analytics-period")));
    for v in opts {
        let _ = write!(s, "<option value=\"{v}\"{}>{}</option>", if v == period { " selected" } else { "" }, esc(&render(lang, &format!("analytics-period-{v}"))));
    }
    if !opts.contains(&period) {
        let _ = write!(s, "<option value=\"{p}\" selected>{p}</option>", p = esc(period));
    }
    let _ = write!(s, "</select></label>{extra}<input type=\"hidden\" name=\"tz\" value=\"{}\"><button>{}</button></form>", q.tz.unwrap_or(480), esc(&render(lang, "analytics-show")));
    s
}

/// `GET /analytics`: the service dashboard.
pub async fn dashboard(State(state): State<AppState>, headers: HeaderMap, who: Result<Principal, ApiError>, Query(q): Query<PageQuery>) -> Response {
    match render_dashboard(&state, &headers, who, &q).await {
        Ok(r) => r,
        Err(e) => error_page(browser_language(&headers), e),
    }
}

async fn render_dashboard(state: &AppState, headers: &HeaderMap, who: Result<Principal, ApiError>, q: &PageQuery) -> Result<Response, ApiError> {
    let who = who?;
    who.require(Scope::AnalyticsRead)?;
    let lang = reader_language(state, headers, &who).await?;
    let word = |id: &str| esc(&render(lang, id));
    let shop = who.user.shop_id;
    state.analytics.refresh().await?;
    let (period, tz) = (q.period.clone().unwrap_or_else(|| "today".into()), q.tz.unwrap_or(480));
    let dim = views::parse_dim(q.dim.as_deref().unwrap_or("agent"))?;
    let store = state.analytics.store();
    let periods = views::resolve_period(store, shop, &period, state.inbox.now(), tz).await?;
    let v = views::dashboard(store, shop, periods, dim).await?;
    let dims = ["shop", "team", "agent", "channel", "source", "l1", "l2"];
    let mut dim_select = format!(" <label>{} <select name=\"dim\">", word("analytics-dim"));
    for d in dims {
        let _ = write!(dim_select, "<option value=\"{d}\"{}>{}</option>", if d == v.dim { " selected" } else { "" }, word(&format!("analytics-dim-{d}")));
    }
    dim_select.push_str("</select></label>");
    let mut b = period_form(lang, q, &period, &dim_select);
    b.push_str(&period_line(lang, v.period, tz));
    let t = &v.total;
    let card = |id: &str, now: (String, String), before: (String, String)| {
        let previous = esc(&Message::new("analytics-previous").arg("value", before.0).render(lang));
        format!("<div class=\"card\" data-metric=\"{id}\"><span>{}</span><b>{}</b><small>{previous}</small></div>", word(&format!("analytics-metric-{id}")), now.0)
    };
    let p = &v.total_previous;
    b.push_str("<section class=\"cards\">");
    b.push_str(&card("conversations", (reading::count(t.conversations), String::new()), (reading::count(p.conversations), String::new())));
    b.push_str(&card("response_rate", pct(t.response_rate), pct(p.response_rate)));
    b.push_str(&card("first_response_secs", secs(t.first_response_secs), secs(p.first_response_secs)));
    b.push_str(&card("reply_secs", secs(t.reply_secs), secs(p.reply_secs)));
    b.push_str(&card("handle_secs", secs(t.handle_secs), secs(p.handle_secs)));
    b.push_str(&card("active_handle_secs", secs(t.active_handle_secs), secs(p.active_handle_secs)));
    b.push_str(&card("csat", pct(t.csat), pct(p.csat)));
    b.push_str(&card("csat_4_5", pct(t.csat_4_5), pct(p.csat_4_5)));
    b.push_str(&card("rating_response_rate", pct(t.rating_response_rate), pct(p.rating_response_rate)));
    b.push_str(&card("bot_resolution_rate", pct(t.bot_resolution_rate), pct(p.bot_resolution_rate)));
    b.push_str(&card("transfer_rate", pct(t.transfer_rate), pct(p.transfer_rate)));
    b.push_str(&card("ticket_closure_rate", pct(t.ticket_closure_rate), pct(p.ticket_closure_rate)));
    let per_agent = v.per_agent_per_day.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
    let _ = write!(b, "<div class=\"card\" data-metric=\"per_agent_per_day\"><span>{}</span><b>{per_agent}</b><small>&nbsp;</small></div>", word("analytics-metric-per_agent_per_day"));
    b.push_str("</section>");
    if !t.transfer_reasons.is_empty() {
        let _ = write!(b, "<p class=\"reasons\">{}", word("analytics-transfer_reasons"));
        for (r, n) in &t.transfer_reasons {
            let key = format!("analytics-reason-{r}");
            let name = if kefu_i18n::has_message(lang, &key) { render(lang, &key) } else { r.clone() };
            let _ = write!(b, "<span>{} × {}</span> ", esc(&name), reading::count(*n));
        }
        b.push_str("</p>");
    }
    let points: Vec<(i64, i64)> = v.by_hour.iter().map(|h| (h.hour, h.count)).collect();
    let _ = write!(b, "<div class=\"charts\"><figure class=\"chart\" id=\"chart-hourly\">{}</figure>", charts::hourly(&points, tz, &render(lang, "analytics-chart-per_hour"), lang));
    let row_name = |key: &str, name: &str| -> String {
        // The whole shop and the fixed keys (sources, channels) have words; the rest are names.
        let id = if v.dim == "shop" && key.is_empty() { "analytics-whole_shop".to_string() } else { format!("analytics-{}-{key}", v.dim) };
        if matches!(v.dim.as_str(), "shop" | "source" | "channel") && kefu_i18n::has_message(lang, &id) { render(lang, &id) } else { name.to_string() }
    };
    let bars: Vec<(String, i64)> = v.rows.iter().take(12).map(|r| (row_name(&r.key, &r.name), r.figures.conversations)).collect();
    let caption = Message::new("analytics-chart-breakdown").arg("dim", render(lang, &format!("analytics-dim-{}", v.dim))).render(lang);
    let _ = write!(b, "<figure class=\"chart\" id=\"chart-breakdown\">{}</figure></div>", charts::bars(&bars, &caption));
    let _ = write!(b, "<table class=\"sortable\" id=\"breakdown\"><thead><tr><th data-type=\"text\">{}</th>", word("analytics-col-name"));
    for h in ["conversations", "response_rate", "first_response", "reply", "handle", "active_handle", "csat", "csat_4_5", "ratings", "bot_resolution_rate", "transfer_rate", "handled_per_day"] {
        let _ = write!(b, "<th>{}</th>", word(&format!("analytics-col-{h}")));
    }
    b.push_str("</tr></thead><tbody>");
    for r in &v.rows {
        let f: &Figures = &r.figures;
        let num = |v: i64| (reading::count(v), v.to_string());
        let per_day = (f.handled_per_day.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()), format!("{}", f.handled_per_day.unwrap_or(-1.0)));
        let cells = [num(f.conversations), pct(f.response_rate), secs(f.first_response_secs), secs(f.reply_secs), secs(f.handle_secs), secs(f.active_handle_secs), pct(f.csat), pct(f.csat_4_5), num(f.ratings), pct(f.bot_resolution_rate), pct(f.transfer_rate), per_day];
        let _ = write!(b, "<tr data-key=\"{}\"><td>{}</td>", esc(&r.key), esc(&row_name(&r.key, &r.name)));
        for (text, value) in cells {
            let _ = write!(b, "<td data-value=\"{value}\">{text}</td>");
        }
        b.push_str("</tr>");
    }
    let _ = write!(b, "</tbody></table><p><a class=\"export\" href=\"/api/v1/analytics/export.csv?period={}&amp;dim={}&amp;tz={tz}\">{}</a></p>", views::url_encode(&period), v.dim, word("analytics-export"));
    Ok(page(lang, &render(lang, "analytics-dashboard"), "/analytics", &b))
}

/// `GET /analytics/hotspots`: consultation hotspots.
pub async fn hotspots(State(state): State<AppState>, headers: HeaderMap, who: Result<Principal, ApiError>, Query(q): Query<PageQuery>) -> Response {
    match render_hotspots(&state, &headers, who, &q).await {
        Ok(r) => r,
        Err(e) => error_page(browser_language(&headers), e),
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

fn change(lang: Lang, r: &HotspotRow) -> (String, String) {
    match r.change {
        Some(c) => (format!("{:+.0}%", c * 100.0), format!("{c}")),
        None if r.previous == 0 => (esc(&render(lang, "analytics-new")), "1e9".into()),
        None => ("—".into(), "-1".into()),
    }
}

async fn render_hotspots(state: &AppState, headers: &HeaderMap, who: Result<Principal, ApiError>, q: &PageQuery) -> Result<Response, ApiError> {
    let who = who?;
    who.require(Scope::AnalyticsRead)?;
    let lang = reader_language(state, headers, &who).await?;
    let word = |id: &str| esc(&render(lang, id));
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
    let mut b = period_form(lang, q, &period, &format!("<input type=\"hidden\" name=\"source\" value=\"{}\"><input type=\"hidden\" name=\"top\" value=\"{top}\">", esc(&source_name)));
    b.push_str(&period_line(lang, v.period, tz));
    b.push_str("<nav class=\"switch\" id=\"sources\">");
    for s in ["all", "bot_only", "bot_to_human", "human_only"] {
        let _ = write!(b, "<a href=\"{}\"{}>{}</a>", link(q, &period, s, top, l1, None), if s == source_name { " class=\"current\"" } else { "" }, word(&format!("analytics-source-{s}")));
    }
    b.push_str("</nav><nav class=\"switch\" id=\"topn\">");
    for n in [20, 50] {
        let top_n = esc(&Message::new("analytics-top").arg("n", n).render(lang));
        let _ = write!(b, "<a href=\"{}\"{}>{top_n}</a>", link(q, &period, &source_name, n, l1, None), if n == top { " class=\"current\"" } else { "" });
    }
    let previous = esc(&Message::new("analytics-previous").arg("value", reading::count(v.total_previous)).render(lang));
    let _ = write!(b, "</nav><p class=\"total\">{} <b id=\"total\">{}</b> · {previous}</p>", word("analytics-metric-conversations"), reading::count(v.total));
    let points: Vec<(i64, i64)> = v.by_hour.iter().map(|h| (h.hour, h.count)).collect();
    let _ = write!(b, "<div class=\"charts\"><figure class=\"chart\" id=\"chart-hourly\">{}</figure>", charts::hourly(&points, tz, &Message::new("analytics-chart-per_hour_of").arg("what", l1.map(str::to_string).unwrap_or_else(|| render(lang, "analytics-metric-conversations"))).render(lang), lang));
    let bars: Vec<(String, i64)> = v.l2.iter().take(15).map(|r| (format!("{}/{}", r.l1, r.l2.as_deref().unwrap_or("")), r.count)).collect();
    let _ = write!(b, "<figure class=\"chart\" id=\"chart-l2\">{}</figure></div>", charts::bars(&bars, &Message::new("analytics-chart-top_l2").arg("n", top).render(lang)));
    let head = |id: &str, first: &str, extra: &str| {
        format!(
            "<table class=\"sortable\" id=\"{id}\"><thead><tr><th data-type=\"text\">{first}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{extra}</tr></thead><tbody>",
            word("analytics-col-conversations"),
            word("analytics-col-share"),
            word("analytics-col-previous"),
            word("analytics-col-change")
        )
    };
    let _ = write!(b, "<h2>{}</h2>", word("analytics-l1"));
    b.push_str(&head("l1", &word("analytics-l1"), ""));
    // The count, share, previous count and change cells of a row, each sortable by its value.
    let figures = |r: &HotspotRow| {
        let (c, cv) = change(lang, r);
        format!(
            "<td data-value=\"{}\">{}</td><td data-value=\"{}\">{:.1}%</td><td data-value=\"{}\">{}</td><td data-value=\"{cv}\">{c}</td>",
            r.count,
            reading::count(r.count),
            r.share,
            r.share * 100.0,
            r.previous,
            reading::count(r.previous)
        )
    };
    for r in &v.l1 {
        let _ = write!(b, "<tr><td><a href=\"{}\">{}</a></td>{}</tr>", link(q, &period, &source_name, top, Some(&r.l1), None), esc(&r.l1), figures(r));
    }
    let l2_title = esc(&Message::new("analytics-l2_top").arg("n", top).render(lang));
    let _ = write!(b, "</tbody></table><h2>{l2_title}{}</h2>", l1.map(|l| format!(" · {}", esc(l))).unwrap_or_default());
    b.push_str(&head("l2", &word("analytics-l2"), &format!("<th data-type=\"text\">{}</th>", word("analytics-col-action"))));
    for r in &v.l2 {
        let l2 = r.l2.clone().unwrap_or_default();
        let _ = write!(b, "<tr><td>{} / {}</td>{}<td><a class=\"faq\" href=\"/kb?draft={}\">{}</a></td></tr>", esc(&r.l1), esc(&l2), figures(r), views::url_encode(&l2), word("analytics-create_faq"));
    }
    let _ = write!(b, "</tbody></table><h2>{}</h2>", word("analytics-tags"));
    b.push_str(&head("tags", &word("analytics-tag"), ""));
    for r in &v.tags {
        let _ = write!(b, "<tr><td><a href=\"{}\">{}</a></td>{}</tr>", link(q, &period, &source_name, top, l1, Some(&r.l1)), esc(&r.l1), figures(r));
    }
    b.push_str("</tbody></table>");
    if let Some(tag) = &q.tag {
        let src = match source {
            SourceFilter::All => None,
            SourceFilter::Only(s) => Some(s),
        };
        let ids = store.tag_conversations(shop, tag, v.period.from, v.period.to, src, 200).await?;
        let title = esc(&Message::new("analytics-tag_conversations").arg("tag", tag.as_str()).render(lang));
        let _ = write!(b, "<h2>{title}</h2><ul id=\"drill\">");
        for (id, _) in ids {
            let _ = write!(b, "<li><a href=\"/api/v1/conversations/{id}/messages\">{id}</a></li>");
        }
        b.push_str("</ul>");
    }
    Ok(page(lang, &render(lang, "analytics-hotspots"), "/analytics/hotspots", &b))
}
