//! The settings pages in a real browser, as the demo owner: each page loads, a changed value
//! saves and is there after a reload, and a bad value is explained at its field while what
//! was typed stays. Screenshots at 1440×900 and 390×844 with KEFU_BROWSER_SCREENSHOTS.
//! Skipped without chromedriver unless KEFU_REQUIRE_BROWSER=1.

use crate::browser::{click, fits, js, login, snap, until, wait_text, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use std::time::Duration;

async fn fill(b: &Client, css: &str, text: &str) {
    let el = b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

async fn value_of(b: &Client, css: &str) -> String {
    js(b, &format!("const e = document.querySelector(\"{css}\"); return e ? e.value : ''")).await.as_str().unwrap_or("").to_string()
}

/// Click after scrolling the element to the middle, clear of the sticky save bar.
async fn press(b: &Client, css: &str) {
    b.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    js(b, &format!("document.querySelector(\"{css}\").scrollIntoView({{block: 'center'}})")).await;
    click(b, css).await;
}

/// The problem shown at the field holding `css`.
async fn problem_at(b: &Client, css: &str) -> String {
    until(&format!("a problem at {css}"), || async {
        let v = js(b, &format!("const f = document.querySelector(\"{css}\").closest('.field').querySelector('.field-error'); return f && !f.hidden ? f.textContent : ''")).await;
        v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
    })
    .await
}

/// Screenshots of the page at desktop and phone sizes; the phone must not scroll sideways.
async fn both_sizes(b: &Client, name: &str) {
    b.set_window_size(1440, 900).await.expect("desktop");
    snap(b, &format!("settings-{name}")).await;
    b.set_window_size(390, 844).await.expect("phone");
    tokio::time::sleep(Duration::from_millis(200)).await;
    fits(b, &format!("the {name} page on a phone")).await;
    snap(b, &format!("settings-{name}-phone")).await;
    b.set_window_size(1440, 900).await.expect("desktop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_edits_the_settings_pages_in_a_real_browser() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser().await;
    let result = tokio::time::timeout(Duration::from_secs(120), walk(&app, &b)).await;
    let _ = b.close().await;
    result.expect("the settings walk took over two minutes");
}

async fn walk(app: &TestApp, b: &Client) {
    login(b, &app.base, "owner@demo.kefu").await;
    shop(app, b).await;
    routing(app, b).await;
    phrases(app, b).await;
    words(app, b).await;
    tokens(app, b).await;
    channels(app, b).await;
    hours(app, b).await;
    alerts(app, b).await;
    tickets(app, b).await;
    audit(app, b).await;
}

async fn shop(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/shop", app.base)).await.expect("shop page");
    until("the shop name", || async { Some(value_of(b, "#shop-title").await).filter(|v| v == "演示店铺") }).await;
    let embed = value_of(b, "#embed").await;
    assert_eq!(embed, format!("<script src=\"{}/widget.js\" data-kefu-key=\"demo\" defer></script>", app.base));
    assert_eq!(js(b, "return document.getElementById('kb-supervisors').checked").await, true);

    fill(b, "#greeting", "欢迎光临演示店铺，有事请留言").await;
    press(b, "label input[value='left']").await;
    press(b, "#save").await;
    wait_text(b, ".toast", "已保存").await;
    b.goto(&format!("{}/settings/shop", app.base)).await.expect("reload");
    until("the saved greeting", || async { Some(value_of(b, "#greeting").await).filter(|v| v == "欢迎光临演示店铺，有事请留言") }).await;
    assert_eq!(js(b, "return document.querySelector(\"input[value='left']\").checked").await, true);
    // The save is kept: the page lists it with who made it.
    wait_text(b, "#shop-history", "第 1 版（当前）").await;
    wait_text(b, "#shop-history", "王店长").await;

    fill(b, "#color", "blue").await;
    fill(b, "#shop-tz", "北京时间").await;
    press(b, "#save").await;
    assert!(problem_at(b, "#color").await.contains("#RRGGBB"));
    assert!(problem_at(b, "#shop-tz").await.contains("UTC 偏移"));
    assert_eq!(value_of(b, "#color").await, "blue", "what was typed stays");
    both_sizes(b, "shop").await;
    // Cancel puts back what was loaded.
    press(b, "button[type='reset']").await;
    assert_eq!(value_of(b, "#color").await, "#fe2c55");
}

async fn routing(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/routing", app.base)).await.expect("routing page");
    press(b, "#add-team").await;
    fill(b, "#teams .team-card:last-child input[data-path$='.name']", "售后组").await;
    fill(b, "#teams .team-card:last-child input[data-path$='.id']", "aftersale").await;
    press(b, "#add-rule").await;
    let last = "#rules li:last-child";
    fill(b, &format!("{last} input[data-path$='].name']"), "退款去售后").await;
    fill(b, &format!("{last} input[data-path$='when.keywords']"), "退款, 退货").await;
    b.find(Locator::Css(&format!("{last} select[data-path$='].team'"))).await.expect("team select").select_by_value("aftersale").await.expect("pick team");
    wait_text(b, &format!("{last} .chips"), "关键词：退款、退货").await;

    // Tested against the draft before saving.
    fill(b, "#trial-text", "我要退款，东西坏了").await;
    press(b, "#trial-run").await;
    wait_text(b, "#trial-result", "命中第 1 条规则「退款去售后」").await;
    wait_text(b, "#trial-result", "售后组").await;

    fill(b, &format!("{last} input[data-path$='].priority']"), "500").await;
    press(b, "#save").await;
    assert!(problem_at(b, &format!("{last} input[data-path$='].priority']")).await.contains("-100 到 100"));
    assert_eq!(value_of(b, &format!("{last} input[data-path$='].name']")).await, "退款去售后", "what was typed stays");
    both_sizes(b, "routing").await;

    fill(b, &format!("{last} input[data-path$='].priority']"), "5").await;
    press(b, "#save").await;
    wait_text(b, ".toast", "已保存").await;
    b.goto(&format!("{}/settings/routing", app.base)).await.expect("reload");
    until("the saved rule", || async { Some(value_of(b, "#rules li:last-child input[data-path$='].name']").await).filter(|v| v == "退款去售后") }).await;
    wait_text(b, "#rules li:last-child .chips", "关键词：退款、退货").await;
    let owner = app.login("owner@demo.kefu").await;
    let config = owner.get("/api/v1/routing").await.1;
    assert_eq!(config["rules"].as_array().unwrap().last().unwrap()["team"], "aftersale");
}

async fn phrases(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/phrases", app.base)).await.expect("phrases page");
    fill(b, "#phrase-title", "   ").await;
    fill(b, "#phrase-text", "亲，下单后 48 小时内发货").await;
    press(b, "#phrase-save").await;
    assert!(problem_at(b, "#phrase-title").await.contains("请填写标题"));
    assert_eq!(value_of(b, "#phrase-text").await, "亲，下单后 48 小时内发货", "what was typed stays");
    fill(b, "#phrase-title", "发货时间").await;
    press(b, "#phrase-save").await;
    wait_text(b, ".toast", "已保存").await;
    b.goto(&format!("{}/settings/phrases", app.base)).await.expect("reload");
    wait_text(b, "#phrase-rows", "发货时间").await;
    wait_text(b, "#phrase-rows", "48 小时内发货").await;
    both_sizes(b, "phrases").await;
}

async fn words(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/words", app.base)).await.expect("words page");
    fill(b, "#word-new", "小蓝鲸").await;
    press(b, "#word-add").await;
    wait_text(b, "#word-rows", "小蓝鲸").await;
    fill(b, "#word-new", "小蓝鲸").await;
    press(b, "#word-add").await;
    assert!(problem_at(b, "#word-new").await.contains("已在列表中"));
    press(b, "#save").await;
    wait_text(b, ".toast", "已保存").await;
    b.goto(&format!("{}/settings/words", app.base)).await.expect("reload");
    wait_text(b, "#word-rows", "小蓝鲸").await;
    fill(b, "#check-text", "送你一只小蓝鲸").await;
    press(b, "#check-run").await;
    wait_text(b, "#check-result", "会被拦截：小蓝鲸（自定义，拦截）").await;
    both_sizes(b, "words").await;
}

async fn tokens(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/tokens", app.base)).await.expect("tokens page");
    fill(b, "#token-name", "ERP 同步订单").await;
    press(b, "#token-create").await;
    assert!(problem_at(b, "#token-scopes").await.contains("至少选择一项权限"));
    assert_eq!(value_of(b, "#token-name").await, "ERP 同步订单", "what was typed stays");
    press(b, "#token-scopes input[value='inbound:write']").await;
    press(b, "#token-create").await;
    let secret = until("the secret shown once", || async { Some(value_of(b, "#token-secret").await).filter(|v| !v.is_empty()) }).await;
    wait_text(b, "#token-rows", "ERP 同步订单").await;
    both_sizes(b, "tokens").await;
    b.goto(&format!("{}/settings/tokens", app.base)).await.expect("reload");
    wait_text(b, "#token-rows", "ERP 同步订单").await;
    assert_eq!(value_of(b, "#token-secret").await, "", "the secret is not shown again");
    // The secret works with the scope that was ticked.
    let res = reqwest::Client::new().get(format!("{}/api/v1/tokens", app.base)).bearer_auth(&secret).send().await.expect("token call");
    assert_eq!(res.status(), 403, "inbound:write alone cannot list tokens");
}

async fn audit(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/audit", app.base)).await.expect("audit page");
    wait_text(b, "#chain-state", "哈希链完整").await;
    // The walk above left its trail: the shop and routing saves, the words, the token.
    wait_text(b, "#audit-rows", "shop_settings_changed").await;
    b.find(Locator::Css("#f-action")).await.expect("action filter").select_by_value("routing_changed").await.expect("pick action");
    wait_text(b, "#audit-count", "筛选后 1 条").await;
    let rows = js(b, "return [...document.querySelectorAll('#audit-rows tr td:nth-child(3)')].map(td => td.textContent)").await;
    assert_eq!(rows, serde_json::json!(["修改路由（routing_changed）"]));
    js(b, "const f = document.getElementById('f-from'); f.value = '2099-01-02'; document.getElementById('f-to').value = '2099-01-01'; f.dispatchEvent(new Event('change'))").await;
    assert!(problem_at(b, "#f-to").await.contains("结束日期早于开始日期"));
    both_sizes(b, "audit").await;
}

async fn channels(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/channels", app.base)).await.expect("channels page");
    fill(b, "#ch-name", "抖音旗舰店私信").await;
    fill(b, "#ch-platform", "douyin").await;
    fill(b, "#ch-callback", "ftp://127.0.0.1/cb").await;
    press(b, "#ch-create").await;
    assert!(problem_at(b, "#ch-callback").await.contains("https://"));
    assert_eq!(value_of(b, "#ch-name").await, "抖音旗舰店私信", "what was typed stays");
    fill(b, "#ch-callback", "http://127.0.0.1:9/kefu/callback").await;
    press(b, "#ch-create").await;
    let secret = until("the channel secret shown once", || async { Some(value_of(b, "#ch-secret").await).filter(|v| v.starts_with("kefu_chs_")) }).await;
    let push = value_of(b, "#ch-webhook").await;
    assert!(push.starts_with(&format!("{}/api/v1/channels/", app.base)) && push.ends_with("/webhook"), "{push}");
    wait_text(b, "#ch-rows", "抖音旗舰店私信").await;

    fill(b, "#hook-url", "http://127.0.0.1:9/events").await;
    press(b, "#hook-create").await;
    until("the webhook secret", || async { Some(value_of(b, "#hook-secret").await).filter(|v| !v.is_empty()) }).await;
    wait_text(b, "#hook-rows", "http://127.0.0.1:9/events").await;
    both_sizes(b, "channels").await;

    b.goto(&format!("{}/settings/channels", app.base)).await.expect("reload");
    wait_text(b, "#ch-rows", "抖音旗舰店私信").await;
    wait_text(b, "#ch-rows", &push).await;
    wait_text(b, "#hook-rows", "http://127.0.0.1:9/events").await;
    assert_eq!(value_of(b, "#ch-secret").await, "", "the secret is not shown again");
    assert!(!secret.is_empty());

    // "Send test event": signed with the channel's secret, received, and listed with the result.
    press(b, "#ch-rows .ch-test").await;
    wait_text(b, ".toast", "测试事件已收到").await;
    wait_text(b, "#ch-detail", "私信（测试） · 已收下（200）").await;
    // A push with a stale timestamp and a wrong signature is listed as refused, in words.
    let refused = app.http.post(&push).header("X-Kefu-Timestamp", "1").header("X-Kefu-Signature", format!("sha256={}", "0".repeat(64))).body("{}").send().await.expect("push");
    assert_eq!(refused.status().as_u16(), 401);
    press(b, "#ch-rows .ch-events").await;
    wait_text(b, "#ch-detail li:first-child", "被拒绝：时间戳过期或缺失").await;
    wait_text(b, "#ch-detail li:last-child", "私信（测试）").await;
    snap(b, "settings-channels-test-event").await;
}

async fn hours(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/hours", app.base)).await.expect("hours page");
    let day = |i: usize| format!("#weekdays .day-row:nth-child({})", i + 1);
    until("the week", || async { js(b, "return document.querySelectorAll('#weekdays .day-row').length").await.as_i64().filter(|n| *n == 7) }).await;
    // Saturday becomes a working day; 国庆 a holiday.
    press(b, &format!("{} input[type='checkbox']", day(5))).await;
    js(b, "const d = document.getElementById('holiday-new'); d.value = '2026-10-01';").await;
    press(b, "#holiday-add").await;
    wait_text(b, "#holidays", "2026-10-01").await;
    // Monday closing before it opens is explained at Monday.
    js(b, "const [f, t] = document.querySelectorAll('#weekdays .day-row:nth-child(1) input[type=time]'); f.value = '18:00'; t.value = '09:00'; t.dispatchEvent(new Event('change'));").await;
    press(b, "#save").await;
    assert!(problem_at(b, &format!("{} input[type='time']", day(0))).await.contains("下班时间应晚于上班时间"));
    both_sizes(b, "hours").await;
    js(b, "const [f, t] = document.querySelectorAll('#weekdays .day-row:nth-child(1) input[type=time]'); f.value = '09:00'; t.value = '18:00'; t.dispatchEvent(new Event('change'));").await;
    press(b, "#save").await;
    wait_text(b, ".toast", "已保存").await;
    b.goto(&format!("{}/settings/hours", app.base)).await.expect("reload");
    wait_text(b, "#holidays", "2026-10-01").await;
    assert_eq!(js(b, &format!("return document.querySelector(\"{} input[type='checkbox']\").checked", day(5))).await, true);
}

async fn alerts(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/alerts", app.base)).await.expect("alerts page");
    let threshold = "#rules .team-card:first-child input[data-path='rules[0].threshold']";
    fill(b, threshold, "-1").await;
    press(b, "#rules-save").await;
    let problem = problem_at(b, threshold).await;
    assert!(problem.contains("比例") || problem.contains("正数"), "{problem}");
    fill(b, threshold, "0.5").await;
    press(b, "#rules-save").await;
    wait_text(b, ".toast", "已保存").await;

    press(b, "#promo-add").await;
    press(b, "#promo-save").await;
    assert!(problem_at(b, "input[data-path='promos[0].name']").await.contains("请填写名称"));
    fill(b, "input[data-path='promos[0].name']", "双11").await;
    press(b, "#promo-save").await;
    wait_text(b, ".toast", "已保存").await;
    both_sizes(b, "alerts").await;
    b.goto(&format!("{}/settings/alerts", app.base)).await.expect("reload");
    until("the saved promotion", || async { Some(value_of(b, "input[data-path='promos[0].name']").await).filter(|v| v == "双11") }).await;
    assert_eq!(value_of(b, threshold).await, "0.5");
}

async fn tickets(app: &TestApp, b: &Client) {
    b.goto(&format!("{}/settings/tickets", app.base)).await.expect("tickets page");
    until("the workflows", || async { Some(value_of(b, "#wf-json").await).filter(|v| v.contains("transitions")) }).await;
    b.find(Locator::Css("#wf-type")).await.expect("type").select_by_value("complaint").await.expect("complaint");
    wait_text(b, "#wf-moves", "→").await;
    js(b, "document.getElementById('wf-json').value = '{ \"ticket_type\": ';").await;
    press(b, "#wf-save").await;
    assert!(problem_at(b, "#wf-json").await.contains("JSON 格式错误"));
    b.goto(&format!("{}/settings/tickets", app.base)).await.expect("reload");
    until("the workflows", || async { Some(value_of(b, "#wf-json").await).filter(|v| v.contains("transitions")) }).await;
    b.find(Locator::Css("#wf-type")).await.expect("type").select_by_value("complaint").await.expect("complaint");
    js(b, "const t = document.getElementById('wf-json'); const w = JSON.parse(t.value); w.name = '客户投诉'; t.value = JSON.stringify(w, null, 2);").await;
    press(b, "#wf-save").await;
    wait_text(b, ".toast", "已保存").await;

    fill(b, "#dept-key", "logistics").await;
    fill(b, "#dept-name", "物流部").await;
    press(b, "#dept-add").await;
    wait_text(b, "#departments", "物流部（logistics）").await;
    both_sizes(b, "tickets").await;
    b.goto(&format!("{}/settings/tickets", app.base)).await.expect("reload");
    wait_text(b, "#wf-type", "客户投诉（complaint）").await;
    wait_text(b, "#departments", "物流部（logistics）").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_versions_are_viewed_and_restored_and_a_stale_save_offers_a_reload() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser().await;
    let result = tokio::time::timeout(Duration::from_secs(90), routing_history(&app, &b)).await;
    let _ = b.close().await;
    result.expect("the routing history walk took over 90 seconds");
}

async fn routing_history(app: &TestApp, b: &Client) {
    use serde_json::json;
    // Two saves by another session: one with a rule, one without.
    let owner = app.login("owner@demo.kefu").await;
    let mut config = owner.get("/api/v1/routing").await.1;
    config["teams"] = json!([{"id": "aftersale", "name": "售后组"}]);
    config["rules"] = json!([{"name": "退款去售后", "when": {"keywords": ["退款"]}, "team": "aftersale", "priority": 5}]);
    assert_eq!(owner.post_put("/api/v1/routing", config.clone()).await.0, 200);
    config["rules"] = json!([]);
    assert_eq!(owner.post_put("/api/v1/routing", config.clone()).await.0, 200);

    login(b, &app.base, "owner@demo.kefu").await;
    b.goto(&format!("{}/settings/routing", app.base)).await.expect("routing page");
    wait_text(b, "#history li:first-child", "第 2 版").await;
    wait_text(b, "#history li:first-child", "当前").await;
    wait_text(b, "#history li:last-child", "第 1 版").await;
    let who = owner.get("/api/v1/me").await.1["user"]["display_name"].as_str().unwrap().to_string();
    wait_text(b, "#history li:last-child", &who).await;

    // View the first version: its rule with its conditions, in words.
    press(b, "#history li:last-child button:first-of-type").await;
    wait_text(b, "#history li:last-child .history-view", "退款去售后").await;
    wait_text(b, "#history li:last-child .history-view", "关键词：退款").await;
    both_sizes(b, "routing-history").await;

    // Restore it: the rule is back on the page and the restore is the newest version.
    js(b, "window.confirm = () => true").await;
    press(b, "#history li:last-child button:last-of-type").await;
    wait_text(b, ".toast", "已恢复第 1 版").await;
    until("the restored rule", || async { Some(value_of(b, "#rules li:first-child input[data-path$='].name']").await).filter(|v| v == "退款去售后") }).await;
    wait_text(b, "#history li:first-child", "第 3 版").await;
    wait_text(b, "#history li:first-child", "恢复第 1 版").await;
    assert_eq!(owner.get("/api/v1/routing").await.1["rules"][0]["name"], "退款去售后");

    // Someone else saves meanwhile; this page's save is refused and offers a reload.
    let mut theirs = owner.get("/api/v1/routing").await.1;
    theirs["timings"]["overflow_after_secs"] = json!(99);
    assert_eq!(owner.post_put("/api/v1/routing", theirs).await.0, 200);
    fill(b, "#overflow", "30").await;
    press(b, "#save").await;
    wait_text(b, ".toast", "别人刚改过这一页").await;
    assert_eq!(owner.get("/api/v1/routing").await.1["timings"]["overflow_after_secs"], 99, "the stale save changed nothing");
    press(b, ".toast button").await;
    until("the other save shown", || async { Some(value_of(b, "#overflow").await).filter(|v| v == "99") }).await;
    wait_text(b, "#history li:first-child", "第 4 版").await;
}
