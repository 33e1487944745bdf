//! The widget's pre-chat form in two real browsers: a visitor on the demo page is asked the
//! shop's fields before their first message (required ones enforced), and the agent sees the
//! answers on the customer card — the name as the customer's name, the phone number masked.
//! Skipped without chromedriver unless KEFU_REQUIRE_BROWSER=1.

use crate::browser::{click, js, login, row, snap, until, wait_text, Driver};
use crate::harness::*;
use fantoccini::Client;
use serde_json::json;
use std::time::Duration;

/// Run a script inside the widget's shadow root (`w` is the root).
async fn in_widget(b: &Client, script: &str) -> serde_json::Value {
    js(b, &format!("const w = document.getElementById('kefu-widget').shadowRoot; {script}")).await
}

async fn widget_text(b: &Client, css: &str) -> String {
    in_widget(b, &format!("const e = w.querySelector(\"{css}\"); return e && !e.hidden ? e.textContent : ''")).await.as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_answers_the_pre_chat_form_and_the_agent_sees_it_on_the_card() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let agent = driver.browser().await;
    let visitor = driver.browser().await;
    let result = tokio::time::timeout(Duration::from_secs(90), walk(&app, &agent, &visitor)).await;
    let _ = agent.close().await;
    let _ = visitor.close().await;
    result.expect("the pre-chat walk took over 90 seconds");
}

async fn walk(app: &TestApp, agent: &Client, visitor: &Client) {
    // The shop asks name, phone (required) and order number.
    let owner = app.login("owner@demo.kefu").await;
    let mut shop = owner.get("/api/v1/shop").await.1;
    shop["widget"]["prechat_fields"] = json!(["name", "phone", "order"]);
    shop["widget"]["prechat_required"] = json!(["phone"]);
    let (s, saved) = owner.post_put("/api/v1/shop", shop).await;
    assert_eq!(s, 200, "{saved}");

    login(agent, &app.base, "agent1@demo.kefu").await;

    visitor.set_window_size(390, 844).await.expect("phone");
    visitor.goto(&format!("{}/demo", app.base)).await.expect("demo page");
    until("the widget", || async { in_widget(visitor, "return !!w.querySelector('.kefu-launcher')").await.as_bool().filter(|v| *v) }).await;
    in_widget(visitor, "w.querySelector('.kefu-launcher').click()").await;
    until("the pre-chat form", || async { Some(widget_text(visitor, ".kefu-prechat").await).filter(|t| t.contains("手机号 *") && t.contains("订单号（选填）")) }).await;
    let asked = in_widget(visitor, "return [...w.querySelectorAll('.kefu-prechat-input')].map((i) => i.name)").await;
    assert_eq!(asked, json!(["name", "phone", "order"]));

    // Without the required phone number nothing is sent.
    in_widget(visitor, "w.querySelector('input[name=name]').value = '张三'; w.querySelector('.kefu-input').value = '我想问一下发货时间'; w.querySelector('.kefu-send').click()").await;
    until("the phone asked for", || async { Some(widget_text(visitor, "input[name=phone] ~ .kefu-prechat-problem").await).filter(|t| t == "请填写此项") }).await;
    assert_eq!(in_widget(visitor, "return w.querySelectorAll('.kefu-from-customer').length").await, 0);
    snap(visitor, "widget-prechat-phone").await;

    // A malformed number is refused by the server at its field; a good one goes through.
    in_widget(visitor, "w.querySelector('input[name=phone]').value = '12345'; w.querySelector('.kefu-send').click()").await;
    until("the server's answer at the phone", || async { Some(widget_text(visitor, "input[name=phone] ~ .kefu-prechat-problem").await).filter(|t| t.contains("11 位手机号")) }).await;
    in_widget(visitor, "w.querySelector('input[name=phone]').value = '13812345678'; w.querySelector('input[name=order]').value = 'DD-2024-001'; w.querySelector('.kefu-retry').click()").await;
    until("the message sent and the form gone", || async {
        in_widget(visitor, "return w.querySelector('.kefu-prechat').hidden && !!w.querySelector('.kefu-from-customer:not(.kefu-pending)')").await.as_bool().filter(|v| *v)
    })
    .await;

    // The agent sees 张三 and the answers on the card, the phone number masked.
    let conversation = until("the conversation", || async {
        let list = owner.get("/api/v1/conversations").await.1;
        list["conversations"].as_array().and_then(|c| c.iter().find(|c| c["customer_name"] == "张三")).map(|c| c["id"].as_str().unwrap_or("").to_string())
    })
    .await;
    wait_text(agent, &format!("{} .ci-name", row(&conversation)), "张三").await;
    click(agent, &row(&conversation)).await;
    wait_text(agent, "#ctx-identities", "手机号").await;
    wait_text(agent, "#ctx-identities", "138****5678").await;
    wait_text(agent, "#ctx-identities", "DD-2024-001").await;
    let card = js(agent, "return document.getElementById('ctx-identities').textContent").await;
    assert!(!card.as_str().unwrap_or("").contains("13812345678"), "the phone number is masked: {card}");
    snap(agent, "workspace-prechat-card").await;

    // The customer profile shows them the same way.
    let customer = owner.get(&format!("/api/v1/conversations/{conversation}")).await.1["customer_id"].as_str().unwrap().to_string();
    let profile = owner.get(&format!("/api/v1/customers/{customer}/profile")).await.1;
    assert_eq!(profile["name"], "张三");
    assert_eq!(profile["prechat"], json!([{"field": "phone", "label": "手机号", "value": "138****5678"}, {"field": "order", "label": "订单号", "value": "DD-2024-001"}]));
}
