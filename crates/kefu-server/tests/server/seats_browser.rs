//! Seats in a real browser: the user menu's status and 接待 switch on any page (kept across a
//! reload, agents without the switch), and the supervisor view showing a waiting
//! conversation's real wait. A customer is driven over the widget socket; the supervisor and
//! the agent each have their own browser.

use crate::browser::{click, js, login, snap, until, wait_text, Customer, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

async fn open_menu(b: &Client) {
    b.wait().at_most(WAIT).for_element(Locator::Css("#shell[data-ready='true']")).await.expect("the shell drawn");
    click(b, "#user-menu-button").await;
    b.wait().at_most(WAIT).for_element(Locator::Css("#user-menu:not([hidden]) #me-status")).await.expect("the status in the menu");
}

async fn menu_state(b: &Client) -> Value {
    js(b, "const c = document.getElementById('takes-chats'); return [document.getElementById('me-status').value, c ? c.checked : null, document.getElementById('me-dot').dataset.status]").await
}

async fn me(b: &Client) -> Value {
    js(b, "return fetch('/api/v1/me').then(r => r.json())").await
}

#[tokio::test]
async fn the_user_menu_chooses_status_and_接待_and_keeps_them() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser().await;
    login(&b, &app.base, "supervisor@demo.kefu").await;
    // On a page without the workspace: the knowledge base.
    b.goto(&format!("{}/kb", app.base)).await.expect("kb page");
    until("the workspace socket to close", || async { (me(&b).await["user"]["status"] == "offline").then_some(()) }).await;
    open_menu(&b).await;
    let state = menu_state(&b).await;
    assert_eq!((&state[0], &state[1]), (&serde_json::json!("online"), &serde_json::json!(false)), "a supervisor starts without 接待");
    assert_ne!(state[2], "online", "the dot says they are not given chats: {state}");
    assert!(js(&b, "return document.getElementById('me-status-hint').textContent").await.as_str().is_some_and(|t| t.contains("未开启接待")));
    snap(&b, "seats-menu-off").await;
    js(&b, "const s = document.getElementById('me-status'); s.value = 'away'; s.dispatchEvent(new Event('change')); return true").await;
    until("away kept", || async { (me(&b).await["seat"]["status"] == "away").then_some(()) }).await;
    click(&b, "#takes-chats").await;
    until("接待 kept", || async { (me(&b).await["seat"]["takes_chats"] == true).then_some(()) }).await;
    assert_eq!(me(&b).await["user"]["status"], "offline", "no workspace open on this page");
    assert_eq!(js(&b, "return document.getElementById('me-dot').dataset.status").await, "offline");
    assert!(js(&b, "return document.getElementById('me-status-hint').textContent").await.as_str().is_some_and(|t| t.contains("打开工作台后")));

    b.refresh().await.expect("reload");
    open_menu(&b).await;
    assert_eq!(menu_state(&b).await, serde_json::json!(["away", true, "offline"]), "kept across a reload");
    // Opening the workspace applies the choice: away, so routing gives nothing yet.
    b.goto(&format!("{}/workspace", app.base)).await.expect("workspace");
    b.wait().at_most(WAIT).for_element(Locator::Css("#connection-state[data-state='open']")).await.expect("connected");
    until("the dot to say away", || async { js(&b, "return document.getElementById('me-dot').dataset.status").await.as_str().filter(|s| *s == "away").map(|_| ()) }).await;
    assert_eq!(me(&b).await["user"]["status"], "away");
    open_menu(&b).await;
    js(&b, "const s = document.getElementById('me-status'); s.value = 'online'; s.dispatchEvent(new Event('change')); return true").await;
    until("the dot to say online", || async { js(&b, "return document.getElementById('me-dot').dataset.status").await.as_str().filter(|s| *s == "online").map(|_| ()) }).await;
    assert_eq!(me(&b).await["user"]["status"], "online");

    // An agent's menu has the status and no 接待 switch: agents always take chats.
    let a = driver.browser().await;
    login(&a, &app.base, "agent1@demo.kefu").await;
    open_menu(&a).await;
    assert_eq!(menu_state(&a).await, serde_json::json!(["online", null, "online"]));
    a.close().await.ok();
    b.close().await.ok();
}

#[tokio::test]
async fn the_supervisor_view_shows_a_waiting_conversations_real_wait() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser().await;
    // The supervisor opens the workspace without 接待: the customer waits for an agent.
    login(&b, &app.base, "supervisor@demo.kefu").await;
    click(&b, "#supervisor-toggle").await;
    let mut customer = Customer::connect(&app).await;
    let conv = customer.say("请问有人吗？我等了好久", "w-1").await;
    let cell = format!("#sv-waiting tbody tr[data-id='{conv}'] td[data-since]");
    b.wait().at_most(WAIT).for_element(Locator::Css(&cell)).await.expect("the waiting row with its wait");
    let supervisor = app.login("supervisor@demo.kefu").await;
    let (_, q) = supervisor.get("/api/v1/queue").await;
    let since = q["waiting"].as_array().and_then(|w| w.iter().find(|w| w["conversation_id"] == conv.as_str())).map(|w| w["since"].clone()).expect("queued");
    assert_eq!(js(&b, &format!("return Number(document.querySelector(\"{cell}\").dataset.since)")).await, since, "the wait runs from when the customer began waiting");
    // A real duration that runs on: "N秒", then more.
    let seconds = |t: &str| t.strip_suffix('秒').and_then(|n| n.parse::<u64>().ok());
    let first = until("a wait in seconds", || async { js(&b, &format!("return document.querySelector(\"{cell}\").textContent")).await.as_str().and_then(seconds) }).await;
    until("the wait to run on", || async {
        js(&b, &format!("return document.querySelector(\"{cell}\").textContent")).await.as_str().and_then(seconds).filter(|n| *n >= first + 2)
    })
    .await;
    // The agents table says the supervisor is present but not taking chats.
    wait_text(&b, &format!("#sv-agents tbody tr[data-id='{}']", supervisor.id), "不接待").await;
    snap(&b, "seats-supervisor-wait").await;

    // 接待 on (the supervisor's workspace is open): the conversation is theirs and moves to
    // 进行中, its wait still running from the customer's unanswered message.
    let (s, _) = supervisor.post_put("/api/v1/me/status", serde_json::json!({"takes_chats": true})).await;
    assert_eq!(s, 200);
    let active = format!("#sv-active tbody tr[data-id='{conv}'] td[data-since]");
    b.wait().at_most(WAIT).for_element(Locator::Css(&active)).await.expect("the conversation in 进行中 with its wait");
    let asked = js(&b, &format!("return Number(document.querySelector(\"{active}\").dataset.since)")).await;
    assert!(asked.as_i64().is_some_and(|a| a > 0 && a <= since.as_i64().unwrap_or(0)), "waiting since the question: {asked} (queued at {since})");
    until("a running wait in 进行中", || async {
        js(&b, &format!("return document.querySelector(\"{active}\").textContent")).await.as_str().and_then(seconds).filter(|n| *n >= 2)
    })
    .await;
    b.close().await.ok();
}
