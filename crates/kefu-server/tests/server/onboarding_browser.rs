//! Onboarding in a real browser, on a fresh data directory with the demo off: the first-run
//! page creates the shop and its owner, the owner invites an agent on the People page, the
//! agent accepts in a second browser and answers a widget customer of the new shop. Bad
//! links get a page that says so. Skipped without chromedriver unless KEFU_REQUIRE_BROWSER=1.

use crate::browser::{click, fits, js, row, snap, until, wait_text, Driver};
use crate::harness::*;
use crate::onboarding::{fresh, widget_of, NEW_PASSWORD};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use kefu_core::store::Store;
use serde_json::json;
use std::time::Duration;

async fn fill(b: &Client, css: &str, text: &str) {
    let el = b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

async fn value_of(b: &Client, css: &str) -> String {
    js(b, &format!("const e = document.querySelector(\"{css}\"); return e ? e.value : ''")).await.as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_sets_up_invites_and_the_agent_answers_in_real_browsers() {
    let Some(driver) = Driver::start().await else { return };
    let app = fresh().await;
    let owner_b = driver.browser().await;
    let agent_b = driver.browser().await;
    let result = tokio::time::timeout(Duration::from_secs(150), journey(&app, &owner_b, &agent_b)).await;
    let _ = owner_b.close().await;
    let _ = agent_b.close().await;
    result.expect("the onboarding journey took over 150 s");
}

async fn journey(app: &TestApp, owner: &Client, agent: &Client) {
    // With the demo off, the login page lists no demo accounts.
    owner.goto(&format!("{}/login", app.base)).await.expect("login page");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(js(owner, "return document.getElementById('demo-hint').hidden").await, true);

    // A bad link: a page that says so, in Chinese, and what to do.
    owner.goto(&format!("{}/invite?token=kefu_inv_bogus", app.base)).await.expect("bad link");
    wait_text(owner, "#link-problem-title", "链接无效").await;
    assert_eq!(js(owner, "return document.getElementById('onboard-form').hidden").await, true);
    snap(owner, "onboarding-bad-link").await;

    // First run.
    let link = app.running.as_ref().unwrap().setup_link.clone().expect("setup link");
    owner.goto(&format!("{}{link}", app.base)).await.expect("setup page");
    fill(owner, "#shop-name", "小鹿茶旗舰店").await;
    fill(owner, "#owner-email", "boss@tea.cn").await;
    fill(owner, "#display-name", "陈店主").await;
    fill(owner, "#new-password", NEW_PASSWORD).await;
    fill(owner, "#new-password-again", NEW_PASSWORD).await;
    fits(owner, "the setup page").await;
    snap(owner, "onboarding-setup").await;
    click(owner, "#onboard-submit").await;

    // The People page: the owner is listed; they invite an agent and copy the link.
    wait_text(owner, "#people-rows", "boss@tea.cn").await;
    wait_text(owner, "#shop-name", "小鹿茶旗舰店").await;
    fill(owner, "#invite-email", "boss@tea.cn").await;
    click(owner, "#invite-submit").await;
    wait_text(owner, "#invite-error", "邮箱").await;
    fill(owner, "#invite-email", "mei@tea.cn").await;
    fill(owner, "#invite-capacity", "5").await;
    click(owner, "#invite-submit").await;
    let invite = until("the invitation link", || async { Some(value_of(owner, "#issued-link").await).filter(|v| v.contains("/invite?token=")) }).await;
    wait_text(owner, "#pending-rows", "mei@tea.cn").await;
    fits(owner, "the People page").await;
    snap(owner, "onboarding-people").await;

    // The agent accepts in a second browser and lands in the workspace.
    agent.goto(&invite).await.expect("invite page");
    wait_text(agent, "#link-info", "小鹿茶旗舰店").await;
    assert_eq!(value_of(agent, "#owner-email").await, "mei@tea.cn");
    fill(agent, "#display-name", "小美").await;
    fill(agent, "#new-password", NEW_PASSWORD).await;
    fill(agent, "#new-password-again", NEW_PASSWORD).await;
    click(agent, "#onboard-submit").await;
    agent.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#connection-state[data-state='open']")).await.expect("workspace connected");

    // A customer of the new shop writes; the agent answers in the browser.
    let shops = app.state().inbox.store().shops().await.expect("shops");
    let key = shops.iter().find(|s| s.name == "小鹿茶旗舰店").expect("the new shop").widget_key.clone();
    let (mut customer, _) = widget_of(app, &key, None).await;
    send(&mut customer, json!({"type": "send", "content": "你好，想问下什么时候发货", "client_id": "c1"})).await;
    let conv = next_of(&mut customer, "ack").await["message"]["conversation_id"].as_str().unwrap().to_string();
    wait_text(agent, &format!("{} .ci-preview", row(&conv)), "什么时候发货").await;
    click(agent, &row(&conv)).await;
    let composer = agent.find(Locator::Css("#composer textarea")).await.expect("composer");
    composer.send_keys("亲，今天下午就发货").await.expect("type");
    composer.send_keys(&Key::Enter.to_string()).await.expect("send");
    let reply = next_where(&mut customer, |f| f["type"] == "message" && f["message"]["sender_kind"] == "agent").await;
    assert_eq!(reply["message"]["content"], "亲，今天下午就发货");

    // Back on the People page the agent is listed with the invited capacity; the used link
    // now says so.
    owner.refresh().await.expect("reload");
    wait_text(owner, "#people-rows", "mei@tea.cn").await;
    let capacity = js(owner, "const r = document.querySelector(\"#people-rows tr[data-email='mei@tea.cn']\"); return r.children[5].textContent").await;
    assert_eq!(capacity, "5");

    // A reset link to copy, then deactivation: the agent's workspace is cut off at once.
    let mei_row = "#people-rows tr[data-email='mei@tea.cn']";
    click(owner, &format!("{mei_row} .act-reset")).await;
    until("the reset link", || async { Some(value_of(owner, "#issued-link").await).filter(|v| v.contains("/reset?token=")) }).await;
    click(owner, &format!("{mei_row} .act-deactivate")).await;
    owner.accept_alert().await.expect("confirm the deactivation");
    wait_text(owner, mei_row, "已停用").await;
    until("the agent's workspace to lose its connection", || async {
        let url = agent.current_url().await.ok()?;
        let state = js(agent, "const e = document.getElementById('connection-state'); return e ? e.dataset.state : 'gone'").await;
        (url.path() == "/login" || state != "open").then_some(())
    })
    .await;
    snap(owner, "onboarding-people-deactivated").await;
    agent.goto(&invite).await.expect("used link");
    wait_text(agent, "#link-problem-title", "链接已经用过").await;
}
