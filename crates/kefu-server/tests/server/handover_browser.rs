//! Issue 20 items 4 and 5 in real browsers (headless Chromium through chromedriver, as
//! `browser.rs`), at the 390×844 phone size: a customer in the demo page's widget, agents in
//! the workspace, each in their own browser session.
//!
//! Hand-over: 转人工 while waiting is answered with the place in the queue; the first reply of
//! each agent is preceded once by the shop's "joined" line (worded on the Shop settings page);
//! a transfer note is an internal note the receiving agent reads in the dialogue and the
//! customer never sees; the sender's composer gives way to a line naming who has it; resolving
//! can be undone for a few seconds.
//!
//! Tickets: the form is prefilled from the bot's hand-off card, attaches the ticked messages,
//! leaves internal notes out unless ticked, and tells the customer only when asked.

use crate::browser::{js, login, logout, snap, text_of, until, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::time::Duration;

const PHONE: (u32, u32) = (390, 844);

async fn phone(driver: &Driver) -> Client {
    let b = driver.browser().await;
    b.set_window_size(PHONE.0, PHONE.1).await.expect("phone size");
    b
}

async fn wait_text(b: &Client, css: &str, want: &str) {
    until(&format!("{css} to show {want:?}"), || async { text_of(b, css).await.filter(|t| t.contains(want)) }).await;
}

async fn click(b: &Client, css: &str) {
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.expect("click");
}

async fn type_into(b: &Client, css: &str, text: &str) {
    let field = b.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// No sideways scrolling at the phone size.
async fn fits(b: &Client, what: &str) {
    let widths = js(b, "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]").await;
    assert!(widths[0].as_i64() <= widths[1].as_i64(), "{what} scrolls sideways at 390×844: {widths}");
}

/// The customer: the demo page with the widget open.
async fn open_widget(b: &Client, base: &str) {
    b.goto(&format!("{base}/demo")).await.expect("demo page");
    until("the widget", || async {
        js(b, "const w = document.getElementById('kefu-widget'); if (!w || !w.shadowRoot) return null; w.shadowRoot.querySelector('.kefu-launcher').click(); return true").await.as_bool()
    })
    .await;
}

/// The customer writes in the widget and waits until the server has it.
async fn customer_says(b: &Client, text: &str) {
    let script = format!(
        "const r = document.getElementById('kefu-widget').shadowRoot; const i = r.querySelector('.kefu-input'); i.value = {text}; r.querySelector('.kefu-composer').requestSubmit(); return true",
        text = json!(text)
    );
    js(b, &script).await;
    until(&format!("the widget to store {text:?}"), || async {
        let script = format!(
            "return [...document.getElementById('kefu-widget').shadowRoot.querySelectorAll('.kefu-message.kefu-from-customer[data-id] .kefu-bubble')].some(n => n.textContent === {text})",
            text = json!(text)
        );
        js(b, &script).await.as_bool().filter(|v| *v)
    })
    .await;
}

/// What the customer's widget shows: `[sender kind, text]` per message.
async fn widget_lines(b: &Client) -> Vec<(String, String)> {
    let v = js(b, "return [...document.getElementById('kefu-widget').shadowRoot.querySelectorAll('.kefu-message')].map(n => [n.className, n.querySelector('.kefu-bubble').textContent])").await;
    v.as_array()
        .map(|rows| rows.iter().map(|r| (r[0].as_str().unwrap_or("").replace("kefu-message kefu-from-", ""), r[1].as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default()
}

async fn widget_shows(b: &Client, kind: &str, want: &str) {
    until(&format!("the widget to show a {kind} line {want:?}"), || async { widget_lines(b).await.iter().any(|(k, t)| k.starts_with(kind) && t.contains(want)).then_some(()) }).await;
}

/// The agent writes in the workspace composer and waits for the stored reply.
async fn agent_replies(b: &Client, text: &str) {
    type_into(b, "#composer textarea", text).await;
    click(b, "#send-button").await;
    until(&format!("the reply {text:?} stored"), || async {
        let script = format!("return [...document.querySelectorAll('#messages .message[data-id] .message-body')].some(n => n.textContent === {})", json!(text));
        js(b, &script).await.as_bool().filter(|v| *v)
    })
    .await;
}

async fn open_conversation(b: &Client, conv: &str) {
    let row = format!("#conversation-list .conversation-item[data-id='{conv}']");
    until("the conversation in the list", || async {
        for tab in ["#tab-mine", "#tab-queued", "#tab-all"] {
            if b.find(Locator::Css(&row)).await.is_ok() {
                return Some(());
            }
            let _ = b.find(Locator::Css(tab)).await.ok()?.click().await;
        }
        None
    })
    .await;
    click(b, &row).await;
    until("the dialogue", || async { js(b, "return !document.getElementById('dialogue').hidden").await.as_bool().filter(|v| *v) }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_over_in_real_browsers() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let customer = phone(&driver).await;
    let agent1 = phone(&driver).await;
    let other = phone(&driver).await;
    let result = tokio::time::timeout(Duration::from_secs(180), hand_over(&app, &customer, &agent1, &other)).await;
    for b in [customer, agent1, other] {
        let _ = b.close().await;
    }
    result.expect("the hand-over test took over three minutes");
}

async fn hand_over(app: &TestApp, customer: &Client, agent1: &Client, other: &Client) {
    // API sessions first, before the browsers load pages (fewer requests at once).
    let supervisor = app.login("supervisor@demo.kefu").await;
    let owner = app.login("owner@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    // Nobody is online: the customer waits, and asking again for a person tells them their place.
    open_widget(customer, &app.base).await;
    customer_says(customer, "你好，我买的台灯还没发货").await;
    customer_says(customer, "转人工").await;
    widget_shows(customer, "system", "您是下一位").await;
    snap(customer, "handover-widget-queue").await;
    fits(customer, "the widget").await;

    // 小美 comes online and takes the conversation.
    login(agent1, &app.base, "agent1@demo.kefu").await;
    let conv = until("the conversation assigned", || async {
        let (_, list) = supervisor.get("/api/v1/conversations?status=queued,assigned&limit=50").await;
        list["conversations"].as_array()?.first().map(|c| (c["id"].as_str().unwrap_or("").to_string(), c["status"].as_str().unwrap_or("").to_string()))
    })
    .await
    .0;
    open_conversation(agent1, &conv).await;
    if js(agent1, "return !document.getElementById('take-button').hidden").await == true {
        click(agent1, "#take-button").await;
    }
    // Meanwhile the owner words the "joined" line on the Shop settings page (after the
    // customer was given to 小美: an owner who opened the workspace is given customers too).
    login(other, &app.base, "owner@demo.kefu").await;
    other.goto(&format!("{}/settings/shop", app.base)).await.expect("shop settings");
    until("the shop form loaded", || async { js(other, "const i = document.getElementById('agent-joined'); return i && i.value ? i.value : null").await.as_str().map(str::to_string) })
        .await
        .eq("客服{name}为您服务")
        .then_some(())
        .expect("the default wording is shown");
    wait_text(other, "#handover-section", "人工接入提示").await;
    fits(other, "the shop settings").await;
    type_into(other, "#agent-joined", "您好，我是{name}，很高兴为您服务").await;
    click(other, "#save").await;
    until("the wording saved", || async { (owner.get("/api/v1/shop").await.1["agent_joined"] == "您好，我是{name}，很高兴为您服务").then_some(()) }).await;
    logout(other).await;

    agent_replies(agent1, "您好，我来帮您查一下").await;
    agent_replies(agent1, "仓库今天会发出").await;
    widget_shows(customer, "agent", "仓库今天会发出").await;
    let joined_1 = widget_lines(customer).await.into_iter().filter(|(k, t)| k.starts_with("system") && t == "您好，我是小美，很高兴为您服务").count();
    assert_eq!(joined_1, 1, "the customer reads 小美's line once: {:?}", widget_lines(customer).await);
    let lines = widget_lines(customer).await;
    let joined_at = lines.iter().position(|(_, t)| t.contains("我是小美")).expect("joined line");
    let first_reply = lines.iter().position(|(_, t)| t == "您好，我来帮您查一下").expect("first reply");
    assert!(joined_at < first_reply, "the joined line comes before the first reply: {lines:?}");

    // 小美 hands over to 小帅 with a note.
    let (_, agents) = supervisor.get("/api/v1/agents").await;
    let xiaoshuai = agents["agents"].as_array().and_then(|a| a.iter().find(|u| u["display_name"] == "小帅")).and_then(|u| u["id"].as_str()).expect("小帅").to_string();
    click(agent1, "#transfer-button").await;
    until("the transfer dialog", || async { js(agent1, "return document.getElementById('transfer-dialog').open").await.as_bool().filter(|v| *v) }).await;
    until("小帅 in the list", || async {
        js(agent1, &format!("const s = document.getElementById('transfer-agent'); if (![...s.options].some(o => o.value === '{0}')) return null; s.value = '{0}'; return true", xiaoshuai)).await.as_bool()
    })
    .await;
    type_into(agent1, "#transfer-note", "顾客订单 88123，仓库说今天发，请跟进物流").await;
    click(agent1, "#transfer-submit").await;
    wait_text(agent1, "#composer-handed", "此会话已由 小帅 接待").await;
    assert_eq!(js(agent1, "return document.getElementById('composer').hidden").await, true, "the sender's composer is gone");
    assert_eq!(js(agent1, "return document.getElementById('resolve-button').hidden && document.getElementById('transfer-button').hidden").await, true);
    snap(agent1, "handover-sender-composer-replaced").await;
    fits(agent1, "the sender's workspace").await;

    // 小帅 reads the note in the dialogue, as an internal note.
    login(other, &app.base, "agent2@demo.kefu").await;
    open_conversation(other, &conv).await;
    wait_text(other, "#messages .message.from-note[data-id] .message-body", "转接说明：顾客订单 88123").await;
    wait_text(other, "#messages .message.from-note .note-tag", "仅内部可见").await;
    assert_eq!(js(other, "return document.getElementById('composer').hidden").await, false, "the receiver can reply");
    snap(other, "handover-receiver-note").await;
    agent_replies(other, "您好，物流我来跟进").await;
    widget_shows(customer, "system", "您好，我是小帅，很高兴为您服务").await;
    widget_shows(customer, "agent", "物流我来跟进").await;
    let lines = widget_lines(customer).await;
    assert!(lines.iter().all(|(_, t)| !t.contains("88123") && !t.contains("转接说明")), "the transfer note reached the customer: {lines:?}");
    assert!(lines.iter().all(|(k, _)| !k.starts_with("note")), "a note reached the widget: {lines:?}");
    assert_eq!(lines.iter().filter(|(_, t)| t.contains("我是小帅")).count(), 1, "{lines:?}");
    assert_eq!(lines.iter().filter(|(_, t)| t.contains("我是小美")).count(), 1, "{lines:?}");
    snap(customer, "handover-widget-joined").await;

    // Resolving offers an undo for a few seconds; undone, nothing reaches the server.
    click(other, "#resolve-button").await;
    wait_text(other, "#resolve-undo", "撤销").await;
    snap(other, "handover-resolve-undo").await;
    click(other, "#resolve-undo-button").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(agent2.get(&format!("/api/v1/conversations/{conv}")).await.1["status"], "assigned", "an undone resolve never happened");
    assert_eq!(js(other, "return document.getElementById('resolve-undo').hidden").await, true);
    click(other, "#resolve-button").await;
    wait_text(other, "#dialogue-status", "已解决").await;
    assert_eq!(agent2.get(&format!("/api/v1/conversations/{conv}")).await.1["status"], "resolved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_from_a_conversation_through_the_form() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let customer = phone(&driver).await;
    let agent = phone(&driver).await;
    let result = tokio::time::timeout(Duration::from_secs(150), ticket_form(&app, &customer, &agent)).await;
    for b in [customer, agent] {
        let _ = b.close().await;
    }
    result.expect("the ticket test took over two and a half minutes");
}

/// The ticket messages shown in the form: `[kind, text, ticked]`.
async fn form_rows(b: &Client) -> Vec<Value> {
    js(b, "return [...document.querySelectorAll('#ticket-messages input[type=checkbox]')].map(i => [i.dataset.kind, i.closest('label').querySelector('.tm-text').textContent, i.checked])")
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Tick exactly the rows whose text contains one of `wanted`.
async fn tick_only(b: &Client, wanted: &[&str]) {
    let script = format!(
        "const want = {}; for (const i of document.querySelectorAll('#ticket-messages input[type=checkbox]')) {{ const t = i.closest('label').querySelector('.tm-text').textContent; i.checked = want.some(w => t.includes(w)); }} return true",
        json!(wanted)
    );
    js(b, &script).await;
}

async fn ticket_form(app: &TestApp, customer: &Client, agent: &Client) {
    // API sessions first, before the browsers load pages (fewer requests at once).
    let supervisor = app.login("supervisor@demo.kefu").await;
    login(agent, &app.base, "agent1@demo.kefu").await;
    open_widget(customer, &app.base).await;
    customer_says(customer, "你好").await;
    customer_says(customer, "我要转人工，衣服起球了").await;
    let conv = until("the handed-over conversation", || async {
        let (_, list) = supervisor.get("/api/v1/conversations?status=queued,assigned&limit=50").await;
        list["conversations"].as_array()?.first().and_then(|c| c["id"].as_str()).map(str::to_string)
    })
    .await;
    open_conversation(agent, &conv).await;
    if js(agent, "return !document.getElementById('take-button').hidden").await == true {
        click(agent, "#take-button").await;
    }
    agent_replies(agent, "抱歉给您带来不便，我为您登记售后").await;
    click(agent, "#note-toggle").await;
    agent_replies(agent, "内部：这位顾客上周也反映过起球").await;

    // The form: prefilled from the bot's card, notes unticked, telling the customer off.
    click(agent, "#ticket-button").await;
    until("the ticket form", || async { js(agent, "return document.getElementById('ticket-dialog').open").await.as_bool().filter(|v| *v) }).await;
    until("the messages to attach", || async { (form_rows(agent).await.len() >= 4).then_some(()) }).await;
    let description = js(agent, "return document.getElementById('ticket-description').value").await;
    assert!(description.as_str().is_some_and(|d| d.contains("转人工原因")), "the description starts with the bot's context: {description}");
    let rows = form_rows(agent).await;
    for row in &rows {
        assert_eq!(row[2].as_bool(), Some(row[0] != "note"), "notes start unticked, the rest ticked: {rows:?}");
    }
    assert_eq!(js(agent, "return document.getElementById('ticket-notify').checked").await, false, "telling the customer is off by default");
    fits(agent, "the ticket form").await;
    snap(agent, "ticket-form").await;
    type_into(agent, "#ticket-title", "衣服起球售后").await;
    tick_only(agent, &["衣服起球了", "为您登记售后"]).await;
    click(agent, "#ticket-submit").await;
    until("the form to close", || async { js(agent, "return document.getElementById('ticket-dialog').open").await.as_bool().filter(|open| !open) }).await;
    wait_text(agent, "#toast", "已创建工单").await;

    let (_, list) = supervisor.get("/api/v1/tickets").await;
    let first = list["tickets"].as_array().and_then(|t| t.iter().find(|t| t["title"] == "衣服起球售后")).cloned().expect("the ticket");
    let d = first["description"].as_str().unwrap_or_default();
    assert!(d.contains("转人工原因"), "{d}");
    assert!(d.contains("衣服起球了") && d.contains("为您登记售后"), "the ticked messages are attached: {d}");
    assert!(!d.contains("上周也反映过"), "an unticked note stays out: {d}");
    assert!(!d.contains("[customer] 你好"), "an unticked message stays out: {d}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(widget_lines(customer).await.iter().all(|(_, t)| !t.contains("工单")), "the customer was not told: {:?}", widget_lines(customer).await);

    // A second ticket with the note ticked and the customer told.
    click(agent, "#ticket-button").await;
    until("the messages to attach", || async { (form_rows(agent).await.len() >= 4).then_some(()) }).await;
    type_into(agent, "#ticket-title", "起球复发跟进").await;
    tick_only(agent, &["上周也反映过", "衣服起球了"]).await;
    click(agent, "#ticket-notify").await;
    click(agent, "#ticket-submit").await;
    wait_text(agent, "#toast", "起球复发跟进").await;
    let (_, list) = supervisor.get("/api/v1/tickets").await;
    let second = list["tickets"].as_array().and_then(|t| t.iter().find(|t| t["title"] == "起球复发跟进")).cloned().expect("the second ticket");
    let d = second["description"].as_str().unwrap_or_default();
    assert!(d.contains("上周也反映过"), "a ticked note is attached: {d}");
    assert!(!d.contains("为您登记售后"), "{d}");
    widget_shows(customer, "system", &format!("已为您创建工单 #{}", second["number"])).await;
    assert_eq!(widget_lines(customer).await.iter().filter(|(_, t)| t.contains("已为您创建工单")).count(), 1, "only the ticket the agent chose to tell about");
}
