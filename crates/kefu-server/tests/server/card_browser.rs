//! Issue 20 items 3 and 6 and issue 19's CSAT settings in a real browser (headless Chromium
//! through chromedriver, as `browser.rs`), with two browser contexts: a customer on the demo
//! shop's page using the real widget, and an agent in the workspace.
//! - The context card speaks the merchant's words: topics by the knowledge base's titles, the
//!   size and colour the bot collected, the mood as a word, the tier as 新客; no id, hash or
//!   code on screen until 详情 is opened.
//! - The customer rates with stars and a comment, is thanked, and the agent sees the rating in
//!   the workspace, in history and on the customer's profile.
//! - The shop page edits the rating question and scale, and refuses a bad scale at its field.
//!
//! Screenshots go to `KEFU_BROWSER_SCREENSHOTS` (1440×900 and 390×844).

use crate::browser::{js, login, row, text_of, until, wait_text, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::time::Duration;

/// A knowledge base with a shipping FAQ and a stock flow that collects size and colour.
fn kb() -> Value {
    json!({
        "faqs": [
            {"id": "shipping-time", "question": "多久发货", "similar": ["什么时候发货", "几天能发货", "啥时候发货"], "answer": "付款后48小时内发货"}
        ],
        "flows": [{
            "id": "stock-check", "name": "库存查询",
            "examples": ["这个还有货吗", "有没有库存"], "keywords": ["有货", "库存"],
            "slots": [
                {"name": "size", "kind": "size", "prompt": "请问您要什么尺码？"},
                {"name": "colour", "kind": "colour", "prompt": "请问您要什么颜色？"}
            ],
            "answer": "{colour}{size}码有货，可以放心下单"
        }],
        "handoff": { "unknown_streak": 3 }
    })
}

/// The widget's shadow root, from a script.
const WIDGET: &str = "document.getElementById('kefu-widget').shadowRoot";

/// Open the demo shop's page and its chat.
async fn open_widget(b: &Client, base: &str) {
    b.goto(&format!("{base}/demo")).await.expect("demo page");
    until("the widget", || async { js(b, "const w = document.getElementById('kefu-widget'); return w && w.shadowRoot ? true : null").await.as_bool() }).await;
    js(b, &format!("{WIDGET}.querySelector('.kefu-launcher').click(); return true")).await;
    until("the widget connected", || async { js(b, &format!("return {WIDGET}.querySelector('.kefu-subtitle').textContent.includes('在线') || null")).await.as_bool() }).await;
}

/// The widget's whole message list as text.
async fn widget_text(b: &Client) -> String {
    js(b, &format!("return {WIDGET}.querySelector('.kefu-messages').textContent")).await.as_str().unwrap_or_default().to_string()
}

/// Type into the widget and send; wait until `reply` shows.
async fn say(b: &Client, text: &str, reply: &str) {
    let script = format!("const r = {WIDGET}; r.querySelector('.kefu-input').value = {}; r.querySelector('.kefu-send').click(); return true", json!(text));
    js(b, &script).await;
    until(&format!("the widget to show {reply:?}"), || async { widget_text(b).await.contains(reply).then_some(()) }).await;
}

/// Screenshots at desktop and phone size when `KEFU_BROWSER_SCREENSHOTS` is set; at the phone
/// size `phone` runs first (to show the right view). No sideways scrolling at either.
async fn shots(b: &Client, name: &str, phone: &str) {
    for (w, h) in [(1440u32, 900u32), (390, 844)] {
        b.set_window_size(w, h).await.expect("window size");
        if w == 390 && !phone.is_empty() {
            js(b, phone).await;
        }
        let widths = js(b, "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]").await;
        assert!(widths[0].as_i64() <= widths[1].as_i64(), "{name} scrolls sideways at {w}×{h}: {widths}");
        if let Ok(dir) = std::env::var("KEFU_BROWSER_SCREENSHOTS") {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let png = b.screenshot().await.expect("screenshot");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}-{w}x{h}.png")), png).expect("write screenshot");
        }
    }
    b.set_window_size(1440, 900).await.expect("window size");
}

/// The newest conversation of the shop (the one the customer just started).
async fn newest_conversation(agent: &Agent) -> Value {
    until("the customer's conversation", || async {
        let (_, list) = agent.get("/api/v1/conversations").await;
        list["conversations"].as_array().and_then(|l| l.iter().max_by_key(|c| c["created_at"].as_i64()).cloned())
    })
    .await
}

fn looks_like_an_id(text: &str) -> Option<String> {
    let uuid = regex_like_uuid(text);
    let hex64 = text.split(|c: char| !c.is_ascii_hexdigit()).find(|w| w.len() >= 32).map(str::to_string);
    uuid.or(hex64)
}

/// A UUID (8-4-4-4-12 hex digits) anywhere in the text.
fn regex_like_uuid(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let shape = [8, 4, 4, 4, 12];
    for start in 0..chars.len() {
        let mut i = start;
        let mut ok = true;
        for (n, len) in shape.iter().enumerate() {
            for _ in 0..*len {
                if chars.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
                    i += 1;
                } else {
                    ok = false;
                    break;
                }
            }
            if !ok {
                break;
            }
            if n < 4 {
                if chars.get(i) == Some(&'-') {
                    i += 1;
                } else {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Some(chars[start..i].iter().collect());
        }
    }
    None
}

#[tokio::test]
async fn the_context_card_speaks_the_merchants_words() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    crate::bot::put_kb(&owner, kb()).await;
    let agent_api = app.login("agent1@demo.kefu").await;

    let agent = driver.browser().await;
    agent.set_window_size(1440, 900).await.expect("window size");
    login(&agent, &app.base, "agent1@demo.kefu").await;

    // The customer, in another browser, asks the bot about stock (the flow collects size and
    // colour and finishes), about shipping (an FAQ), then asks for a person.
    let customer = driver.browser().await;
    open_widget(&customer, &app.base).await;
    say(&customer, "这个还有货吗", "请问您要什么尺码").await;
    say(&customer, "XL", "请问您要什么颜色").await;
    say(&customer, "黑色", "可以放心下单").await;
    say(&customer, "什么时候发货", "付款后48小时内发货").await;
    say(&customer, "转人工", "正在为您转接人工客服").await;

    let conv = newest_conversation(&agent_api).await;
    let conv_id = conv["id"].as_str().expect("id").to_string();
    let customer_id = conv["customer_id"].as_str().expect("customer").to_string();
    until("the conversation in the list", || async { agent.find(Locator::Css(&row(&conv_id))).await.ok() }).await;
    agent.find(Locator::Css(&row(&conv_id))).await.expect("row").click().await.expect("open");
    wait_text(&agent, "#ctx-handoff", "客户要求转人工").await;

    let card = text_of(&agent, "#ctx-handoff").await.unwrap_or_default();
    for want in ["多久发货", "库存查询", "尺码 XL", "颜色 黑色", "新客"] {
        assert!(card.contains(want), "the card shows {want:?}: {card}");
    }
    let mood = text_of(&agent, "#ctx-handoff .mood-word").await.unwrap_or_default();
    assert!(["平静", "不满", "愤怒", "满意"].contains(&mood.as_str()), "the mood is a word: {mood:?}");
    let bars = js(&agent, "return document.querySelectorAll('#ctx-handoff .spark-bar').length").await;
    assert_eq!(bars.as_i64(), Some(5), "one bar per customer message");

    // Nothing on screen is an id, a hash or a code until 详情 is opened.
    let visible = text_of(&agent, "#context").await.unwrap_or_default();
    assert_eq!(looks_like_an_id(&visible), None, "no ids or hashes on the card: {visible}");
    for code in ["shipping-time", "stock-check", "asked_for_human", "new", "colour", "-0."] {
        assert!(!visible.contains(code), "{code:?} is not on the card: {visible}");
    }
    assert_eq!(js(&agent, "return document.getElementById('ctx-details').open").await, false, "详情 starts closed");
    shots(&agent, "context-card", "document.getElementById('show-card').click(); return true").await;

    agent.find(Locator::Css("#ctx-details summary")).await.expect("详情").click().await.expect("open 详情");
    let details = until("the details", || async { text_of(&agent, "#ctx-details").await.filter(|t| t.contains(&conv_id)) }).await;
    for want in [customer_id.as_str(), "shipping-time", "stock-check", "asked_for_human"] {
        assert!(details.contains(want), "详情 shows {want:?}: {details}");
    }
    assert!(looks_like_an_id(&details).is_some(), "the widget identity's hash is in 详情: {details}");

    let _ = customer.close().await;
    let _ = agent.close().await;
}

/// Set the shop's rating question and scale through the shop API.
async fn set_survey(owner: &Agent, question: &str, scale: u8) {
    let (_, mut shop) = owner.get("/api/v1/shop").await;
    shop["csat_enabled"] = json!(true);
    shop["csat_question"] = json!(question);
    shop["csat_scale"] = json!(scale);
    let (status, body) = owner.post_put("/api/v1/shop", shop).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_customer_rates_with_stars_and_the_agent_sees_it_everywhere() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    set_survey(&owner, "您对本次服务满意吗？", 3).await;
    let agent_api = app.login("agent1@demo.kefu").await;

    let agent = driver.browser().await;
    agent.set_window_size(1440, 900).await.expect("window size");
    login(&agent, &app.base, "agent1@demo.kefu").await;

    let customer = driver.browser().await;
    open_widget(&customer, &app.base).await;
    let js_send = format!("const r = {WIDGET}; r.querySelector('.kefu-input').value = '你好，袜子洗了一次就起球了'; r.querySelector('.kefu-send').click(); return true");
    js(&customer, &js_send).await;
    let conv = newest_conversation(&agent_api).await;
    let conv_id = conv["id"].as_str().expect("id").to_string();
    let customer_id = conv["customer_id"].as_str().expect("customer").to_string();
    until("the conversation in the list", || async { agent.find(Locator::Css(&row(&conv_id))).await.ok() }).await;
    agent.find(Locator::Css(&row(&conv_id))).await.expect("row").click().await.expect("open");
    wait_text(&agent, "#messages", "起球").await;
    assert_eq!(agent_api.post(&format!("/api/v1/conversations/{conv_id}/messages"), json!({"content": "非常抱歉，给您换一双新的"})).await.0, 201);
    assert_eq!(agent_api.post(&format!("/api/v1/conversations/{conv_id}/resolve"), json!({})).await.0, 200);
    wait_text(&agent, "#ctx-rating", "尚未评价").await;

    // The widget shows the shop's question with three stars under it.
    until("the invitation's stars", || async { js(&customer, &format!("return {WIDGET}.querySelectorAll('.kefu-star').length || null")).await.as_i64() }).await;
    assert!(widget_text(&customer).await.contains("您对本次服务满意吗？"), "the shop's own question");
    assert_eq!(js(&customer, &format!("return {WIDGET}.querySelectorAll('.kefu-star').length")).await.as_i64(), Some(3));
    js(&customer, &format!("{WIDGET}.querySelector('.kefu-star[data-stars=\"3\"]').click(); return true")).await;
    assert_eq!(js(&customer, &format!("return {WIDGET}.querySelectorAll('.kefu-star-on').length")).await.as_i64(), Some(3));
    shots(&customer, "widget-rating", "").await;
    js(&customer, &format!("const r = {WIDGET}; r.querySelector('.kefu-rating-comment').value = '很耐心，换货也快'; r.querySelector('.kefu-rating-submit').click(); return true")).await;
    until("the thank-you", || async { widget_text(&customer).await.contains("感谢您的评价").then_some(()) }).await;
    assert_eq!(js(&customer, &format!("return {WIDGET}.querySelectorAll('.kefu-rating').length")).await.as_i64(), Some(0), "the stars are gone once rated");
    assert!(widget_text(&customer).await.contains("3 分：很耐心，换货也快"));

    // The agent sees it beside the conversation, in history and on the profile.
    wait_text(&agent, "#ctx-rating", "★★★ 3/3 星").await;
    wait_text(&agent, "#ctx-rating", "很耐心，换货也快").await;
    shots(&agent, "rating-workspace", "document.getElementById('show-card').click(); return true").await;
    let (_, found) = agent_api.get(&format!("/api/v1/conversations/search?customer_id={customer_id}")).await;
    assert_eq!(found["results"][0]["rating"]["comment"], "很耐心，换货也快", "{found}");
    agent.goto(&format!("{}/history", app.base)).await.expect("history");
    wait_text(&agent, "#results .result-rating", "★★★ 3/3 星 「很耐心，换货也快」").await;
    agent.goto(&format!("{}/customers/{customer_id}", app.base)).await.expect("profile");
    wait_text(&agent, "#p-conversations .p-rating", "★★★ 3/3 星 「很耐心，换货也快」").await;
    shots(&agent, "rating-profile", "").await;

    // The figures count a full score on the shop's scale.
    let (_, rating) = agent_api.get(&format!("/api/v1/conversations/{conv_id}/rating")).await;
    assert_eq!((rating["rating"]["stars"].as_i64(), rating["rating"]["scale"].as_i64()), (Some(3), Some(3)), "{rating}");

    let _ = customer.close().await;
    let _ = agent.close().await;
}

#[tokio::test]
async fn the_shop_page_edits_the_rating_question_and_scale() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn().await;
    let b = driver.browser().await;
    b.set_window_size(1440, 900).await.expect("window size");
    login(&b, &app.base, "owner@demo.kefu").await;
    b.goto(&format!("{}/settings/shop", app.base)).await.expect("shop page");
    until("the shop page loaded", || async { js(&b, "return document.getElementById('csat-scale').value || null").await.as_str().map(str::to_string) }).await;
    assert_eq!(js(&b, "return document.getElementById('csat-scale').value").await, "5");

    let set = |css: &'static str, value: &'static str| {
        let b = b.clone();
        async move {
            let field = b.find(Locator::Css(css)).await.expect("field");
            field.clear().await.expect("clear");
            field.send_keys(value).await.expect("type");
        }
    };
    set("#csat-question", "亲，您对这次服务打几分？").await;
    set("#csat-scale", "3").await;
    b.find(Locator::Css("#save")).await.expect("save").click().await.expect("save");
    let owner = app.login("owner@demo.kefu").await;
    until("saved", || async {
        let (_, shop) = owner.get("/api/v1/shop").await;
        (shop["csat_scale"] == 3).then_some(())
    })
    .await;
    b.refresh().await.expect("reload");
    until("the saved scale", || async { js(&b, "return document.getElementById('csat-scale').value === '3' || null").await.as_bool() }).await;
    assert_eq!(js(&b, "return document.getElementById('csat-question').value").await, "亲，您对这次服务打几分？");

    // A scale of 11 is refused at its field, and what was typed stays.
    set("#csat-scale", "11").await;
    b.find(Locator::Css("#save")).await.expect("save").click().await.expect("save");
    let message = until("the message at the scale field", || async {
        js(&b, "const e = document.getElementById('csat-scale').closest('.field').querySelector('.field-error'); return e.hidden ? null : e.textContent").await.as_str().map(str::to_string)
    })
    .await;
    assert!(message.contains("2 到 10"), "{message}");
    assert_eq!(js(&b, "return document.getElementById('csat-scale').value").await, "11");
    let (_, shop) = owner.get("/api/v1/shop").await;
    assert_eq!(shop["csat_scale"], 3, "nothing saved");
    let _ = b.close().await;
}
