//! Issue 20 in a real browser (headless Chromium through chromedriver, as `browser.rs`): an
//! agent finds yesterday's resolved conversation on the History page by a word from it, opens
//! the transcript, opens the customer's profile, renames the customer and adds a tag, reloads
//! and still sees both. Screenshots (1440×900 and 390×844) go to `KEFU_BROWSER_SCREENSHOTS`.

use crate::browser::{js, text_of, until, Driver};
use crate::harness::*;
use crate::history::customer_wrote;
use fantoccini::{Client, Locator};
use kefu_core::clock::{Clock, ManualClock, SystemClock};
use kefu_core::ids::ShopId;
use serde_json::json;
use std::sync::Arc;

const DAY: i64 = 86_400_000;

pub(crate) async fn wait_text(b: &Client, css: &str, want: &str) {
    until(&format!("{css} to show {want:?}"), || async { text_of(b, css).await.filter(|t| t.contains(want)) }).await;
}

pub(crate) async fn click(b: &Client, css: &str) {
    b.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.expect("click");
}

pub(crate) async fn type_into(b: &Client, css: &str, text: &str) {
    let field = b.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// Screenshots at a desktop and a phone size when `KEFU_BROWSER_SCREENSHOTS` is set; the page
/// must not scroll sideways at either.
pub(crate) async fn shots(b: &Client, name: &str) {
    for (w, h) in [(1440u32, 900u32), (390, 844)] {
        b.set_window_size(w, h).await.expect("window size");
        let widths = js(b, "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]").await;
        assert!(widths[0].as_i64() <= widths[1].as_i64(), "{name} scrolls sideways at {w}×{h}: {widths}");
        if let Ok(dir) = std::env::var("KEFU_BROWSER_SCREENSHOTS") {
            let png = b.screenshot().await.expect("screenshot");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}-{w}x{h}.png")), png).expect("write screenshot");
        }
    }
    b.set_window_size(1440, 900).await.expect("window size");
}

#[tokio::test]
async fn an_agent_finds_yesterdays_conversation_opens_it_and_edits_the_profile() {
    let Some(driver) = Driver::start().await else { return };
    let clock = Arc::new(ManualClock::new(SystemClock.now() - DAY));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, me) = agent.get("/api/v1/me").await;
    let shop: ShopId = me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop");
    let (_, old) = customer_wrote(&app, shop, "hist-lamp", &["你好，我上周买的琉璃台灯不亮了", "订单号是 88123"]).await;
    assert_eq!(agent.post(&format!("/api/v1/conversations/{old}/assign"), json!({ "agent_id": agent.id })).await.0, 200);
    assert_eq!(agent.post(&format!("/api/v1/conversations/{old}/messages"), json!({ "content": "抱歉，马上为您补发一个新的台灯" })).await.0, 201);
    assert_eq!(agent.post(&format!("/api/v1/conversations/{old}/resolve"), json!({})).await.0, 200);
    clock.advance(DAY);
    customer_wrote(&app, shop, "hist-today", &["今天想问问发货时间"]).await;

    let b = driver.browser().await;
    b.set_window_size(1440, 900).await.expect("window size");
    b.goto(&format!("{}/login", app.base)).await.expect("login page");
    type_into(&b, "#login-email", "agent1@demo.kefu").await;
    type_into(&b, "#login-password", PASSWORD).await;
    click(&b, "#login-submit").await;
    until("the workspace after login", || async { b.current_url().await.ok().filter(|u| u.path() == "/workspace") }).await;

    b.goto(&format!("{}/history", app.base)).await.expect("history page");
    wait_text(&b, "#result-count", "找到 2 个会话").await;
    type_into(&b, "#q", "琉璃台灯").await;
    click(&b, "#search-button").await;
    wait_text(&b, "#result-count", "找到 1 个会话").await;
    wait_text(&b, "#results", "已解决").await;
    wait_text(&b, "#results", "琉璃台灯").await;
    wait_text(&b, "#results", "hist-lamp").await;
    click(&b, ".result-open").await;
    wait_text(&b, "#t-messages", "补发一个新的台灯").await;
    wait_text(&b, "#transcript", "只读记录").await;
    assert!(b.find(Locator::Css("#transcript textarea")).await.is_err(), "the transcript has no composer");
    shots(&b, "history").await;

    click(&b, "#t-profile").await;
    until("the profile page", || async { b.current_url().await.ok().filter(|u| u.path().starts_with("/customers/")) }).await;
    wait_text(&b, "#p-name", "hist-lamp").await;
    wait_text(&b, "#p-tier", "新客").await;
    wait_text(&b, "#p-conversations", "已解决").await;
    let page = text_of(&b, "main").await.unwrap_or_default();
    assert!(!page.contains(&old.to_string()), "no ids on screen outside 详情");
    type_into(&b, "#name-input", "林先生").await;
    click(&b, "#name-form button[type=submit]").await;
    wait_text(&b, "#p-name", "林先生").await;
    type_into(&b, "#tag-input", "台灯客户").await;
    click(&b, "#tag-form button[type=submit]").await;
    wait_text(&b, "#p-tags", "台灯客户").await;
    b.refresh().await.expect("reload");
    wait_text(&b, "#p-name", "林先生").await;
    wait_text(&b, "#p-tags", "台灯客户").await;
    shots(&b, "profile").await;
    b.close().await.expect("close browser");
}
