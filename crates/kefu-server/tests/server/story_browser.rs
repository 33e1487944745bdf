//! Issue 21's "done when": the main story in real browsers (headless Chromium through
//! chromedriver, as `browser.rs`), entirely in English and entirely in Chinese. Two browser
//! contexts: a customer on the demo page using the real widget, an agent in the workspace.
//! The customer asks an FAQ and reads the bot's answer, asks for a person, the agent replies
//! and resolves, the customer rates with stars. In the English run both browsers are English
//! and the shop serves in English (its name, default language and agent's name are English);
//! no Chinese character may be visible in the widget, the demo page or the workspace.
//!
//! Also over the socket: the widget's language is the visitor's unless the shop fixes one,
//! and the default greeting follows it. Screenshots: `story-{en,zh}-{widget,workspace}`.

use crate::browser::{js, login, row, snap, until, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::time::Duration;

/// The widget's shadow root, from a script.
const WIDGET: &str = "document.getElementById('kefu-widget').shadowRoot";

/// Matches a CJK character or CJK punctuation (full-width forms included).
const CJK: &str = "/[\\u3000-\\u303f\\u3400-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]/";

/// What one run of the story says and expects, in one language.
struct Script {
    lang: &'static str,
    /// The customer's and agent's browser language.
    browser: &'static str,
    question: &'static str,
    answer: &'static str,
    ask_person: &'static str,
    reply: &'static str,
    comment: &'static str,
    /// Widget chrome the customer must read: title, send button, sender label of the bot.
    title: &'static str,
    send: &'static str,
    bot: &'static str,
    /// The subtitle once connected (the shop's name and "online").
    online: &'static str,
}

const ENGLISH: Script = Script {
    lang: "en",
    browser: "en-US",
    question: "When will my order ship?",
    answer: "We ship within 48 hours of payment; pre-sale items ship on the date shown on the product page.",
    ask_person: "I want to talk to a human",
    reply: "Hi, I'm checking your order now and it will ship today.",
    comment: "Quick and friendly",
    title: "Chat with us",
    send: "Send",
    bot: "Assistant",
    online: "Demo Store · Online",
};

const CHINESE: Script = Script {
    lang: "zh",
    browser: "zh-CN",
    question: "什么时候发货",
    answer: "亲，付款后48小时内发货，预售商品以商品页时间为准哦。",
    ask_person: "转人工",
    reply: "您好，我帮您查了订单，今天就会发货。",
    comment: "回复很快，态度很好",
    title: "在线客服",
    send: "发送",
    bot: "智能助手",
    online: "演示店铺 · 在线",
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_story_in_english() {
    run(&ENGLISH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_story_in_chinese() {
    run(&CHINESE).await;
}

async fn run(s: &Script) {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let agent = driver.browser_in(s.browser).await;
    agent.set_window_size(1440, 900).await.expect("window size");
    let customer = driver.browser_in(s.browser).await;
    customer.set_window_size(1280, 800).await.expect("window size");
    let result = tokio::time::timeout(Duration::from_secs(150), story(&app, s, &customer, &agent)).await;
    let _ = customer.close().await;
    let _ = agent.close().await;
    result.unwrap_or_else(|_| panic!("the {} story took over 150 s", s.lang));
}

/// Wait until the bot serves the demo knowledge base.
async fn trained(owner: &Agent) {
    until("the knowledge base served", || async {
        let (_, t) = owner.get("/api/v1/kb/training").await;
        (t["state"] == "ready" && t["serving_version"].as_i64() > Some(0)).then_some(())
    })
    .await;
}

/// The widget's visible text (its panel, as the visitor reads it).
async fn widget_text(b: &Client) -> String {
    js(b, &format!("const p = {WIDGET}.querySelector('.kefu-panel'); return p ? p.innerText : ''")).await.as_str().unwrap_or_default().to_string()
}

/// The lines of visible text in the page (and the widget, when `widget`) holding a CJK character.
async fn cjk_lines(b: &Client, widget: bool) -> Vec<String> {
    let script = format!(
        "const cjk = {CJK}; let text = document.body.innerText; \
         const w = document.getElementById('kefu-widget'); \
         if ({widget} && w) text += '\\n' + w.shadowRoot.querySelector('.kefu-panel').innerText + '\\n' + w.shadowRoot.querySelector('.kefu-launcher').getAttribute('aria-label'); \
         return text.split('\\n').filter((l) => cjk.test(l));"
    );
    js(b, &script).await.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The customer types in the widget and sends with the send button.
async fn widget_says(b: &Client, text: &str) {
    js(b, &format!("const r = {WIDGET}; r.querySelector('.kefu-input').value = {}; r.querySelector('.kefu-send').click(); return true", json!(text))).await;
    until(&format!("{text:?} stored"), || async {
        let script = format!("return [...{WIDGET}.querySelectorAll('.kefu-from-customer[data-id] .kefu-bubble')].some((n) => n.textContent === {})", json!(text));
        js(b, &script).await.as_bool().filter(|v| *v)
    })
    .await;
}

async fn widget_shows(b: &Client, css: &str, want: &str) {
    until(&format!("the widget to show {want:?} in {css}"), || async {
        let script = format!("return [...{WIDGET}.querySelectorAll({})].some((n) => n.textContent.includes({}))", json!(css), json!(want));
        js(b, &script).await.as_bool().filter(|v| *v)
    })
    .await;
}

async fn story(app: &TestApp, s: &Script, customer: &Client, agent: &Client) {
    let owner = app.login("owner@demo.kefu").await;
    let agent_api = app.login("agent1@demo.kefu").await;
    trained(&owner).await;
    if s.lang == "en" {
        // A shop that serves in English: its name, default language and agent's name.
        let (_, mut shop) = owner.get("/api/v1/shop").await;
        shop["name"] = json!("Demo Store");
        shop["language"] = json!("en");
        let (status, body) = owner.post_put("/api/v1/shop", shop).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = owner.post_put(&format!("/api/v1/people/{}", agent_api.id), json!({ "display_name": "Mia", "languages": ["en", "zh"] })).await;
        assert_eq!(status, 204, "{body}");
    }

    // The agent is at work first, so the customer who asks for a person is given to them.
    login(agent, &app.base, "agent1@demo.kefu").await;

    // The customer opens the chat on the demo page: the page and the widget speak their language.
    customer.goto(&format!("{}/demo", app.base)).await.expect("demo page");
    until("the widget", || async { js(customer, &format!("const w = document.getElementById('kefu-widget'); return w && w.shadowRoot && {WIDGET}.querySelector('.kefu-launcher').getAttribute('aria-label') === {} || null", json!(s.title))).await.as_bool() }).await;
    js(customer, &format!("{WIDGET}.querySelector('.kefu-launcher').click(); return true")).await;
    widget_shows(customer, ".kefu-subtitle", s.online).await;
    widget_shows(customer, ".kefu-title", s.title).await;
    widget_shows(customer, ".kefu-send", s.send).await;
    assert_eq!(js(customer, "return document.documentElement.lang").await, if s.lang == "en" { "en" } else { "zh-CN" }, "the demo page's language");

    // An FAQ, answered by the bot in the customer's language.
    widget_says(customer, s.question).await;
    widget_shows(customer, ".kefu-from-bot .kefu-bubble", s.answer).await;
    widget_shows(customer, ".kefu-from-bot .kefu-sender", s.bot).await;
    let time = js(customer, &format!("return {WIDGET}.querySelector('.kefu-from-bot .kefu-time').textContent")).await;
    assert!(time.as_str().is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())), "the bot's message shows a time: {time}");

    // Asking for a person hands over; the agent finds the conversation and replies.
    widget_says(customer, s.ask_person).await;
    if s.lang == "en" {
        // So far the widget's own words, the demo page and the bot's: all English.
        until("the bot's hand-off line", || async { js(customer, &format!("return {WIDGET}.querySelectorAll('.kefu-from-bot').length >= 2 || null")).await.as_bool() }).await;
        let early = cjk_lines(customer, true).await;
        assert!(early.is_empty(), "Chinese in the English widget or demo page before a person joins: {early:?}\n{}", widget_text(customer).await);
    }
    let conv = until("the conversation assigned to the agent", || async {
        let (_, list) = agent_api.get("/api/v1/conversations?status=assigned&limit=10").await;
        list["conversations"].as_array()?.iter().find(|c| c["agent_id"] == agent_api.id.as_str()).and_then(|c| c["id"].as_str()).map(str::to_string)
    })
    .await;
    until("the conversation in the list", || async { agent.find(Locator::Css(&row(&conv))).await.ok() }).await;
    agent.find(Locator::Css(&row(&conv))).await.expect("row").click().await.expect("open");
    until("the customer's question in the dialogue", || async {
        let script = format!("return [...document.querySelectorAll('#messages .message-body')].some((n) => n.textContent.includes({}))", json!(s.question));
        js(agent, &script).await.as_bool().filter(|v| *v)
    })
    .await;
    let composer = agent.find(Locator::Css("#composer textarea")).await.expect("composer");
    composer.send_keys(s.reply).await.expect("type the reply");
    agent.find(Locator::Css("#send-button")).await.expect("send button").click().await.expect("send");
    widget_shows(customer, ".kefu-from-agent .kefu-bubble", s.reply).await;

    // The agent resolves (after the undo window); the customer rates with stars.
    agent.find(Locator::Css("#resolve-button")).await.expect("resolve button").click().await.expect("resolve");
    until("the conversation resolved", || async {
        let (_, c) = agent_api.get(&format!("/api/v1/conversations/{conv}")).await;
        (c["status"] == "resolved").then_some(())
    })
    .await;
    let scale = until("the rating stars", || async { js(customer, &format!("return {WIDGET}.querySelectorAll('.kefu-star').length || null")).await.as_i64() }).await;
    js(customer, &format!("{WIDGET}.querySelector('.kefu-star[data-stars=\"{scale}\"]').click(); return true")).await;
    js(customer, &format!("const r = {WIDGET}; r.querySelector('.kefu-rating-comment').value = {}; r.querySelector('.kefu-rating-submit').click(); return true", json!(s.comment))).await;
    until("the rating form gone", || async { js(customer, &format!("return {WIDGET}.querySelectorAll('.kefu-rating').length === 0 || null")).await.as_bool() }).await;
    let (_, rating) = agent_api.get(&format!("/api/v1/conversations/{conv}/rating")).await;
    assert_eq!(rating["rating"]["stars"].as_i64(), Some(scale), "{rating}");
    assert_eq!(rating["rating"]["comment"], s.comment, "{rating}");
    // The workspace shows the rating beside the conversation.
    until("the rating in the workspace", || async {
        js(agent, "const r = document.getElementById('ctx-rating'); return r && /★/.test(r.textContent) || null").await.as_bool()
    })
    .await;

    let (widget_shot, workspace_shot) = (format!("story-{}-widget", s.lang), format!("story-{}-workspace", s.lang));
    js(customer, &format!("const l = {WIDGET}.querySelector('.kefu-messages'); l.scrollTop = l.scrollHeight; return true")).await;
    snap(customer, &widget_shot).await;
    snap(agent, &workspace_shot).await;

    let shown = widget_text(customer).await;
    if s.lang == "en" {
        // Nothing Chinese anywhere the two people look.
        let widget_cjk = cjk_lines(customer, true).await;
        let workspace_cjk = cjk_lines(agent, false).await;
        assert!(widget_cjk.is_empty() && workspace_cjk.is_empty(), "Chinese left in the English story: widget and demo page {widget_cjk:?}; workspace {workspace_cjk:?}\nwidget text:\n{shown}");
    } else {
        let english = js(customer, &format!("return {WIDGET}.querySelector('.kefu-panel').innerText.match(/\\b(Send|Online|Assistant|Agent|Rating|Chat with us)\\b/g)")).await;
        assert!(english.is_null(), "English widget words in the Chinese story: {english}\n{shown}");
    }
}

/// Open a widget socket with query `extra` (e.g. `&language=en`); its hello frame.
async fn hello(app: &TestApp, extra: &str) -> Value {
    let url = format!("{}/ws/widget?key=demo{extra}", app.ws_base);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("widget connect");
    next_of(&mut ws, "hello").await
}

#[tokio::test]
async fn the_widget_speaks_the_visitors_language_unless_the_shop_fixes_one() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;

    // `auto`: the visitor's language, any en-* tag as English; the default greeting follows.
    let english = hello(&app, "&language=en-GB").await;
    assert_eq!(english["language"], "en", "{english}");
    assert_eq!(english["shop"]["look"]["language"], "auto");
    assert_eq!(english["shop"]["look"]["greeting"], "Hi, welcome! Tell us what you need and we'll get back to you shortly.");
    let chinese = hello(&app, "&language=zh-CN").await;
    assert_eq!(chinese["language"], "zh-CN");
    assert_eq!(chinese["shop"]["look"]["greeting"], "您好，欢迎咨询！请描述您的问题，我们会尽快回复。");
    // A language we do not speak, or none: the shop's default language.
    assert_eq!(hello(&app, "&language=fr").await["language"], "zh-CN");
    assert_eq!(hello(&app, "").await["language"], "zh-CN");

    // The shop fixes English: every visitor reads English.
    let (_, mut shop) = owner.get("/api/v1/shop").await;
    assert_eq!(shop["widget"]["language"], "auto", "{shop}");
    shop["widget"]["language"] = json!("en");
    let (status, saved) = owner.post_put("/api/v1/shop", shop.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["widget"]["language"], "en");
    let fixed = hello(&app, "&language=zh-CN").await;
    assert_eq!(fixed["language"], "en", "{fixed}");
    assert_eq!(fixed["shop"]["look"]["language"], "en");

    // A shop's own greeting stays as the shop wrote it, in every language.
    shop["widget"]["language"] = json!("auto");
    shop["widget"]["greeting"] = json!("欢迎光临小店");
    assert_eq!(owner.post_put("/api/v1/shop", shop.clone()).await.0, 200);
    assert_eq!(hello(&app, "&language=en").await["shop"]["look"]["greeting"], "欢迎光临小店");

    // Only auto, zh-CN and en; the problem is at its path.
    shop["widget"]["language"] = json!("fr");
    let (status, err) = owner.post_put("/api/v1/shop", shop).await;
    assert_eq!(status, 422, "{err}");
    let paths: Vec<&str> = err["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["path"].as_str()).collect();
    assert_eq!(paths, ["widget.language"], "{err}");

    // The widget reads its words cross-origin.
    let res = app.http.get(format!("{}/assets/i18n/en/widget.json", app.base)).send().await.expect("catalogue");
    assert_eq!(res.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    let words: Value = res.json().await.expect("json");
    assert_eq!(words["widget-title"], "Chat with us");
    assert_eq!(words["widget-queue-wait"], "You're in line: {ahead} ahead of you, about {minutes} min wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_that_fixes_english_gets_an_english_widget_in_a_chinese_browser() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let owner_api = app.login("owner@demo.kefu").await;
    let owner = driver.browser_in("en-US").await;
    let visitor = driver.browser_in("zh-CN").await;
    let result = tokio::time::timeout(Duration::from_secs(90), fixed_english(&app, &owner_api, &owner, &visitor)).await;
    let _ = owner.close().await;
    let _ = visitor.close().await;
    result.expect("the fixed-language test took over 90 s");
}

async fn fixed_english(app: &TestApp, owner_api: &Agent, owner: &Client, visitor: &Client) {
    // The owner picks English on the Shop settings page (its options in the owner's language).
    login(owner, &app.base, "owner@demo.kefu").await;
    owner.goto(&format!("{}/settings/shop", app.base)).await.expect("shop settings");
    until("the widget language field", || async { js(owner, "const s = document.getElementById('widget-language'); return s && s.value === 'auto' && document.querySelector('label[for=widget-language]').textContent || null").await.as_str().map(str::to_string) })
        .await
        .eq("Widget language")
        .then_some(())
        .expect("the field's label in English");
    let options = js(owner, "return [...document.getElementById('widget-language').options].map((o) => o.textContent)").await;
    assert_eq!(options, json!(["Follow the visitor's browser", "Chinese (Simplified)", "English"]));
    js(owner, "const s = document.getElementById('widget-language'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true").await;
    owner.find(Locator::Css("#save")).await.expect("save").click().await.expect("save");
    until("the language saved", || async { (owner_api.get("/api/v1/shop").await.1["widget"]["language"] == "en").then_some(()) }).await;
    // The shop also asks new visitors their name (required) and order number.
    let (_, mut shop) = owner_api.get("/api/v1/shop").await;
    shop["widget"]["prechat_fields"] = json!(["name", "order"]);
    shop["widget"]["prechat_required"] = json!(["name"]);
    assert_eq!(owner_api.post_put("/api/v1/shop", shop).await.0, 200);

    // A visitor whose browser reads Chinese gets the widget in English once it connects...
    visitor.goto(&format!("{}/demo", app.base)).await.expect("demo page");
    until("the widget", || async { js(visitor, "const w = document.getElementById('kefu-widget'); return w && w.shadowRoot && w.shadowRoot.querySelector('.kefu-launcher').getAttribute('aria-label') || null").await.as_str().map(str::to_string) }).await;
    js(visitor, &format!("{WIDGET}.querySelector('.kefu-launcher').click(); return true")).await;
    widget_shows(visitor, ".kefu-subtitle", "演示店铺 · Online").await;
    widget_shows(visitor, ".kefu-title", "Chat with us").await;
    widget_shows(visitor, ".kefu-welcome", "Hi, welcome!").await;
    assert_eq!(js(visitor, &format!("return {WIDGET}.querySelector('.kefu-input').placeholder")).await, "Type your question…");
    assert_eq!(js(visitor, "return document.getElementById('kefu-widget').lang").await, "en", "the widget's language is marked for screen readers");
    let labels = js(visitor, &format!("return [...{WIDGET}.querySelectorAll('.kefu-prechat-intro, .kefu-prechat-label')].map((n) => n.textContent)")).await;
    assert_eq!(labels, json!(["Before we start, please tell us", "Name *", "Order number (optional)"]));
    // Sending without the required name is stopped at the field, in English.
    js(visitor, &format!("const r = {WIDGET}; r.querySelector('.kefu-input').value = 'hello'; r.querySelector('.kefu-send').click(); return true")).await;
    widget_shows(visitor, "input[name=name] ~ .kefu-prechat-problem", "Please fill this in").await;
    snap(visitor, "widget-fixed-english-prechat").await;
    js(visitor, &format!("{WIDGET}.querySelector('input[name=name]').value = 'Ann'; return true")).await;
    widget_says(visitor, "When will my order ship?").await;
    // ...and on the next visit it is drawn in English from the start: the shop's choice is
    // remembered on the visitor's side.
    assert_eq!(js(visitor, "return localStorage.getItem('kefu:demo:lang')").await, "en");
    visitor.refresh().await.expect("reload");
    until("the launcher in English", || async { js(visitor, "const w = document.getElementById('kefu-widget'); return w && w.shadowRoot && w.shadowRoot.querySelector('.kefu-launcher').getAttribute('aria-label') === 'Chat with us' || null").await.as_bool() }).await;
    assert_eq!(js(visitor, &format!("return {WIDGET}.querySelector('.kefu-title').textContent")).await, "Chat with us");
    snap(visitor, "widget-fixed-english").await;
}
