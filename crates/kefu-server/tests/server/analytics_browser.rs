//! The dashboard and hotspot pages in a real browser (headless Chromium through
//! chromedriver, as `browser.rs`): a supervisor logs in, reads the known history's figures
//! in the cards, the chart and the sortable table, switches the hotspot source, drills into
//! a tag. Screenshots go to the target dir (`analytics-dashboard.png`,
//! `analytics-hotspots.png`). Skipped without chromedriver unless `KEFU_REQUIRE_BROWSER=1`.

use crate::browser::{js, text_of, until, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use kefu_core::analytics::fixtures::{history, T0};
use kefu_core::clock::ManualClock;
use kefu_core::ids::{ShopId, UserId};
use kefu_core::store::{ChangeSet, Store};
use std::sync::Arc;

const HOUR: i64 = 3_600_000;

/// A screenshot of the whole page (the window is made tall enough, then restored).
async fn shot(b: &Client, name: &str) -> std::path::PathBuf {
    let height = js(b, "window.scrollTo(0, 0); return document.documentElement.scrollHeight").await.as_u64().unwrap_or(768).clamp(768, 4000) as u32;
    b.set_window_size(1366, height).await.expect("window size");
    let png = b.screenshot().await.expect("screenshot");
    b.set_window_size(1366, 768).await.expect("window size");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
    path
}

async fn count(b: &Client, css: &str) -> usize {
    b.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
}

async fn wait_text(b: &Client, css: &str, want: &str) {
    until(&format!("{css} to show {want:?}"), || async { text_of(b, css).await.filter(|t| t.contains(want)) }).await;
}

/// The demo shop with two days of the analytics fixture's events (today and yesterday), and its
/// supervisor signed in.
async fn seeded_shop() -> (TestApp, Agent) {
    let clock = Arc::new(ManualClock::new(T0 + 2 * HOUR));
    let app = TestApp::spawn_with_clock(clock).await;
    let sup = app.login("supervisor@demo.kefu").await;
    let (_, me) = sup.get("/api/v1/me").await;
    let shop: ShopId = me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop");
    let (x, y) = (UserId::new(), UserId::new());
    for t0 in [T0, T0 - 24 * HOUR] {
        let events = history(shop, x, y, t0).0;
        app.state().inbox.store().apply(ChangeSet { changes: vec![], events }).await.expect("append");
    }
    (app, sup)
}

#[tokio::test]
async fn dashboard_and_hotspots_render_the_seeded_numbers() {
    let Some(driver) = Driver::start().await else { return };
    let (mut app, _sup) = seeded_shop().await;
    let b = driver.browser().await;
    b.goto(&format!("{}/login", app.base)).await.expect("login page");
    b.find(Locator::Css("#login-email")).await.expect("email").send_keys("supervisor@demo.kefu").await.expect("type");
    b.find(Locator::Css("#login-password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    b.find(Locator::Css("#login-submit")).await.expect("submit").click().await.expect("click");
    until("the workspace after login", || async { b.current_url().await.ok().filter(|u| u.path() == "/workspace") }).await;

    // The dashboard: cards, the hourly chart, the agent table.
    b.goto(&format!("{}/analytics?period=today&dim=agent", app.base)).await.expect("dashboard");
    wait_text(&b, ".card[data-metric='conversations'] b", "4").await;
    for (metric, want) in [("response_rate", "75.0%"), ("first_response_secs", "45.0s"), ("reply_secs", "65.0s"), ("handle_secs", "350.0s"), ("csat", "50.0%"), ("bot_resolution_rate", "50.0%"), ("transfer_rate", "50.0%")] {
        assert_eq!(text_of(&b, &format!(".card[data-metric='{metric}'] b")).await.as_deref(), Some(want), "{metric}");
    }
    let chart = js(&b, "return Array.from(document.querySelectorAll('#chart-hourly svg text')).map(t => t.textContent.trim())").await;
    assert!(chart.as_array().unwrap().iter().any(|t| t == "4") && chart.as_array().unwrap().iter().any(|t| t == "10:00"), "{chart}");
    assert_eq!(count(&b, "#breakdown tbody tr").await, 2);
    // Sort by first response (4th column): descending puts y (60 s) first, then x (30 s).
    let frt = "#breakdown thead th:nth-child(4)";
    b.find(Locator::Css(frt)).await.expect("header").click().await.expect("sort");
    wait_text(&b, "#breakdown tbody tr:first-child td:nth-child(4)", "60.0s").await;
    b.find(Locator::Css(frt)).await.expect("header").click().await.expect("sort again");
    wait_text(&b, "#breakdown tbody tr:first-child td:nth-child(4)", "30.0s").await;
    let dashboard_png = shot(&b, "analytics-dashboard").await;

    // Hotspots: today's top level 2, the bar chart, FAQ links, the source switch, a tag.
    b.goto(&format!("{}/analytics/hotspots?period=today", app.base)).await.expect("hotspots");
    wait_text(&b, "#total", "3").await;
    assert_eq!(count(&b, "#l2 tbody tr").await, 2);
    assert_eq!(text_of(&b, "#l2 tbody tr:first-child td:first-child").await.as_deref(), Some("售后问题 / 退货退款"));
    assert_eq!(text_of(&b, "#l2 tbody tr:first-child td:nth-child(2)").await.as_deref(), Some("2"));
    let bars = js(&b, "return Array.from(document.querySelectorAll('#chart-l2 svg text')).map(t => t.textContent.trim())").await;
    let bars: Vec<&str> = bars.as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    assert!(bars.contains(&"退货退款") && bars.contains(&"物流查询") && bars.contains(&"2") && bars.contains(&"1"), "{bars:?}");
    let faq = js(&b, "return document.querySelector('#l2 a.faq').getAttribute('href')").await;
    assert_eq!(faq, "/kb?draft=%E9%80%80%E8%B4%A7%E9%80%80%E6%AC%BE");
    let hotspots_png = shot(&b, "analytics-hotspots").await;
    b.find(Locator::LinkText("仅机器人")).await.expect("source switch").click().await.expect("click");
    wait_text(&b, "#sources a.current", "仅机器人").await;
    assert_eq!(count(&b, "#l2 tbody tr").await, 1);
    assert_eq!(text_of(&b, "#l2 tbody tr td:first-child").await.as_deref(), Some("物流问题 / 物流查询"));
    b.find(Locator::LinkText("顺丰")).await.expect("tag link").click().await.expect("click");
    until("the drill-down list", || async { (count(&b, "#drill li").await == 1).then_some(()) }).await;
    b.find(Locator::LinkText("全部")).await.expect("all").click().await.expect("click");
    b.find(Locator::LinkText("顺丰")).await.expect("tag link").click().await.expect("click");
    until("both conversations behind 顺丰", || async { (count(&b, "#drill li").await == 2).then_some(()) }).await;
    assert!(dashboard_png.is_file() && hotspots_png.is_file());
    b.close().await.expect("close browser");
    app.shutdown().await;
}

/// The same pages for a person whose browser asks for English (`Accept-Language: en-US`):
/// English words around the same figures, English chart captions, and no Chinese visible but
/// the shop's data (category and tag names). A screenshot `en-analytics.png` with
/// KEFU_BROWSER_SCREENSHOTS.
#[tokio::test]
async fn dashboard_and_hotspots_read_in_english() {
    let Some(driver) = Driver::start().await else { return };
    let (mut app, sup) = seeded_shop().await;
    // What the server writes for an English reader, before any browser.
    let page = app.http.get(format!("{}/analytics?period=today&dim=agent", app.base)).header("Accept-Language", "en-US,en;q=0.9").header("Cookie", &sup.cookie).send().await.expect("dashboard");
    let html = page.text().await.expect("html");
    assert!(html.contains("<html lang=\"en\"") && html.contains("Service dashboard") && html.contains("Conversations per hour"), "{html}");

    let b = driver.browser_in("en-US").await;
    b.goto(&format!("{}/login", app.base)).await.expect("login page");
    b.find(Locator::Css("#login-email")).await.expect("email").send_keys("supervisor@demo.kefu").await.expect("type");
    b.find(Locator::Css("#login-password")).await.expect("password").send_keys(PASSWORD).await.expect("type");
    b.find(Locator::Css("#login-submit")).await.expect("submit").click().await.expect("click");
    until("the workspace after login", || async { b.current_url().await.ok().filter(|u| u.path() == "/workspace") }).await;
    js(&b, "localStorage.setItem('kefu.lang', 'en')").await;

    b.goto(&format!("{}/analytics?period=today&dim=agent", app.base)).await.expect("dashboard");
    wait_text(&b, "main h1", "Service dashboard").await;
    wait_text(&b, ".card[data-metric='conversations'] span", "Conversations").await;
    assert_eq!(text_of(&b, ".card[data-metric='conversations'] b").await.as_deref(), Some("4"));
    assert_eq!(text_of(&b, ".card[data-metric='first_response_secs'] b").await.as_deref(), Some("45.0s"));
    assert!(text_of(&b, ".card[data-metric='response_rate'] small").await.is_some_and(|t| t.starts_with("Previous: ")));
    wait_text(&b, "#breakdown thead", "First response (s)").await;
    let captions = js(&b, "return Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent.trim())").await;
    let captions: Vec<&str> = captions.as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    assert!(captions.contains(&"Conversations per hour") && captions.contains(&"Conversations · Agent"), "{captions:?}");
    until("the shell in English", || async { text_of(&b, "#shell-nav a[aria-current=page]").await.filter(|t| t == "Analytics") }).await;
    let chinese = crate::settings_english_browser::visible_cjk(&b, &[]).await;
    assert!(chinese.is_empty(), "Chinese left on the English dashboard: {chinese:#?}");
    crate::browser::snap(&b, "en-analytics").await;

    b.goto(&format!("{}/analytics/hotspots?period=today", app.base)).await.expect("hotspots");
    wait_text(&b, "main h1", "Hotspots").await;
    wait_text(&b, "#total", "3").await;
    wait_text(&b, "#sources a.current", "All").await;
    wait_text(&b, "#l2 thead", "Share").await;
    wait_text(&b, "#l2 tbody tr:first-child", "Create FAQ").await;
    let bars = js(&b, "return Array.from(document.querySelectorAll('#chart-l2 svg text')).map(t => t.textContent.trim())").await;
    assert!(bars.as_array().unwrap().iter().any(|t| t == "Top 20 subtopics"), "{bars}");
    // Category and tag names are the shop's data; everything around them is English.
    let data = ["#l1 tbody td:first-child", "#l2 tbody td:first-child", "#tags tbody td:first-child", "#chart-l2 svg"];
    let chinese = crate::settings_english_browser::visible_cjk(&b, &data).await;
    assert!(chinese.is_empty(), "Chinese left on the English hotspots: {chinese:#?}");
    crate::browser::snap(&b, "en-analytics-hotspots").await;
    b.find(Locator::LinkText("Bot only")).await.expect("source switch").click().await.expect("click");
    wait_text(&b, "#sources a.current", "Bot only").await;
    b.close().await.expect("close browser");
    app.shutdown().await;
}
