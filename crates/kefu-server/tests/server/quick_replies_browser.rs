//! The widget shows a flow's options as buttons under the bot's question, and a click fills the
//! slot (issue 22 item 4), in a real browser on the demo page with the demo bot.
//! Skipped without chromedriver unless KEFU_REQUIRE_BROWSER=1.

use crate::browser::{js, snap, until, Driver};
use crate::harness::*;
use fantoccini::Client;
use serde_json::json;
use std::time::Duration;

async fn in_widget(b: &Client, script: &str) -> serde_json::Value {
    js(b, &format!("const w = document.getElementById('kefu-widget').shadowRoot; {script}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_reply_buttons_show_and_a_click_fills_the_slot() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let visitor = driver.browser().await;
    let result = tokio::time::timeout(Duration::from_secs(90), walk(&app, &visitor)).await;
    let _ = visitor.close().await;
    result.expect("the quick-reply walk took over 90 seconds");
}

async fn walk(app: &TestApp, visitor: &Client) {
    visitor.set_window_size(390, 844).await.expect("phone");
    visitor.goto(&format!("{}/demo", app.base)).await.expect("demo page");
    until("the widget", || async { in_widget(visitor, "return !!w.querySelector('.kefu-launcher')").await.as_bool().filter(|v| *v) }).await;
    in_widget(visitor, "w.querySelector('.kefu-launcher').click()").await;
    until("the input", || async { in_widget(visitor, "return !!w.querySelector('.kefu-input')").await.as_bool().filter(|v| *v) }).await;
    in_widget(visitor, "w.querySelector('.kefu-input').value = '加绒连帽卫衣还有货吗'; w.querySelector('.kefu-send').click()").await;

    let buttons = "return [...w.querySelectorAll('.kefu-quick-reply')].filter((b) => b.offsetParent).map((b) => b.textContent)";
    let shown = until("the size buttons", || async { Some(in_widget(visitor, buttons).await).filter(|v| v.as_array().is_some_and(|a| !a.is_empty())) }).await;
    assert_eq!(shown, json!(["S", "M", "L", "XL"]));
    let question = in_widget(visitor, "const b = w.querySelector('.kefu-quick-reply'); return b.closest('li').querySelector('.kefu-bubble').textContent").await;
    assert_eq!(question, "请问您要什么尺码？（S/M/L/XL）");
    snap(visitor, "widget-quick-replies").await;

    // Clicking L sends "L" and the bot moves on to the colour, with its own buttons.
    in_widget(visitor, "[...w.querySelectorAll('.kefu-quick-reply')].find((b) => b.textContent === 'L').click()").await;
    until("the colour question", || async {
        let last = in_widget(visitor, "const b = [...w.querySelectorAll('.kefu-from-bot .kefu-bubble')]; return b.length ? b[b.length - 1].textContent : ''").await;
        Some(last).filter(|t| t == "请问您要什么颜色？")
    })
    .await;
    let sent = in_widget(visitor, "const c = [...w.querySelectorAll('.kefu-from-customer .kefu-bubble')]; return c[c.length - 1].textContent").await;
    assert_eq!(sent, "L");
    let colours = until("the colour buttons", || async { Some(in_widget(visitor, buttons).await).filter(|v| v.as_array().is_some_and(|a| a.len() == 4)) }).await;
    assert_eq!(colours, json!(["黑色", "灰色", "白色", "红色"]), "only the latest question keeps buttons");
    in_widget(visitor, "[...w.querySelectorAll('.kefu-quick-reply')].find((b) => b.textContent === '黑色').click()").await;
    until("the stock answer", || async {
        let last = in_widget(visitor, "const b = [...w.querySelectorAll('.kefu-from-bot .kefu-bubble')]; return b.length ? b[b.length - 1].textContent : ''").await;
        Some(last).filter(|t| t.as_str().is_some_and(|t| t.starts_with("加绒连帽卫衣（黑色 L）当前剩余20件")))
    })
    .await;
    assert_eq!(in_widget(visitor, "return w.querySelectorAll('.kefu-quick-reply').length").await, 0);
    snap(visitor, "widget-quick-replies-answered").await;
}
