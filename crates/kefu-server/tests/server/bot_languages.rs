//! Issue 21 (item 4): the bot speaks the customer's language. The demo shop's FAQs carry
//! English translations: an English question is answered in English, the same question in
//! Chinese in Chinese, and the bot's own phrases follow. The knowledge-base page shows which
//! FAQs lack a translation and edits both languages side by side.

use crate::bot::{trained, Customer};
use crate::browser::{js, until, Driver};
use crate::harness::*;
use crate::history_browser::{click, shots, type_into, wait_text};
use serde_json::{json, Value};
use std::time::Duration;


#[tokio::test]
async fn the_bot_answers_in_the_language_the_customer_writes() {
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    trained(&owner).await;

    let mut english = Customer::new(&app).await;
    let answer = english.says("When will my order ship?").await;
    assert_eq!(answer, vec!["We ship within 48 hours of payment; pre-sale items ship on the date shown on the product page."]);
    let unknown = english.says("purple elephants dance quietly").await;
    assert!(unknown[0].starts_with("Sorry, I didn't catch that"), "{unknown:?}");
    let handing_off = english.says("I want to talk to a human").await;
    assert!(handing_off.iter().any(|t| t.starts_with("Connecting you to a customer service agent")), "{handing_off:?}");

    let mut chinese = Customer::new(&app).await;
    assert_eq!(chinese.says("什么时候发货").await, vec!["亲，付款后48小时内发货，预售商品以商品页时间为准哦。"]);

    // A translation needs its question and its answer; the problem names its path.
    let (_, faqs) = owner.get("/api/v1/kb/faqs").await;
    let mut courier = faqs.as_array().expect("faqs").iter().find(|f| f["id"] == "courier").expect("courier").clone();
    courier["translations"]["en"] = json!({ "question": "Which courier?", "answer": " " });
    let (status, body) = owner.post_put("/api/v1/kb/faqs/courier", courier).await;
    assert_eq!(status, 422, "{body}");
    let paths: Vec<&str> = body["error"]["details"].as_array().expect("details").iter().filter_map(|d| d["path"].as_str()).collect();
    assert!(paths.iter().any(|p| p.ends_with("translations.en.answer")), "{paths:?}");
}

/// The row of the FAQ table for `id`, as its cells' text.
async fn faq_row(b: &fantoccini::Client, id: &str) -> Vec<String> {
    let script = format!("return [...document.querySelectorAll('#kb-faqs tbody tr')].filter(tr => tr.cells[0].textContent === {id:?}).flatMap(tr => [...tr.cells].map(c => c.textContent))");
    js(b, &script).await.as_array().cloned().unwrap_or_default().iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn the_knowledge_base_page_shows_missing_translations_and_edits_both_sides() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    let gift = json!({ "id": "gift-wrap", "question": "可以包装成礼物吗", "similar": ["能礼盒包装吗"], "answer": "可以，下单备注“礼盒”即可免费包装。" });
    let (status, body) = owner.post_put("/api/v1/kb/faqs/gift-wrap", gift).await;
    assert_eq!(status, 200, "{body}");

    let b = driver.browser().await;
    b.set_window_size(1440, 900).await.expect("window size");
    b.goto(&format!("{}/login", app.base)).await.expect("login page");
    type_into(&b, "#login-email", "owner@demo.kefu").await;
    type_into(&b, "#login-password", PASSWORD).await;
    click(&b, "#login-submit").await;
    until("the workspace after login", || async { b.current_url().await.ok().filter(|u| u.path() == "/workspace") }).await;
    b.goto(&format!("{}/kb", app.base)).await.expect("kb page");
    let row = until("the gift-wrap row", || async { Some(faq_row(&b, "gift-wrap").await).filter(|r| !r.is_empty()) }).await;
    assert!(row.iter().any(|c| c == "中文 · 缺英文"), "{row:?}");
    assert!(faq_row(&b, "returns").await.iter().any(|c| c == "中文 · 英文"));

    // Only the FAQs that lack a translation.
    click(&b, "#kb-untranslated").await;
    until("only untranslated FAQs", || async { Some(js(&b, "return document.querySelectorAll('#kb-faqs tbody tr').length").await).filter(|n| n.as_i64() == Some(1)) }).await;

    // Edit it: the Chinese side is filled, the English side empty; half a translation is refused.
    js(&b, "[...document.querySelectorAll('#kb-faqs tbody tr')][0].querySelector('button').click()").await;
    wait_text(&b, "#kb-other-language", "英文翻译").await;
    let own: Value = js(&b, "return document.querySelector('#kb-form [name=question]').value").await;
    assert_eq!(own, "可以包装成礼物吗");
    type_into(&b, "#kb-form [name=t_question]", "Can you gift wrap it?").await;
    click(&b, "#kb-form button[type=submit]").await;
    wait_text(&b, "#kb-translation-error", "同时填写标准问题和答案").await;
    type_into(&b, "#kb-form [name=t_similar]", "do you do gift wrapping").await;
    type_into(&b, "#kb-form [name=t_answer]", "Yes: add the note \"gift\" to your order and we wrap it for free.").await;
    shots(&b, "kb-translation").await;
    click(&b, "#kb-form button[type=submit]").await;
    until("the editor to close", || async { Some(js(&b, "return document.getElementById('kb-editor').hidden").await).filter(|v| v == &Value::Bool(true)) }).await;

    // After a reload the row is complete, and an English customer gets the new answer.
    b.refresh().await.expect("reload");
    let row = until("the translated row", || async { Some(faq_row(&b, "gift-wrap").await).filter(|r| r.iter().any(|c| c == "中文 · 英文")) }).await;
    assert_eq!(row[1], "可以包装成礼物吗");
    let (_, faqs) = owner.get("/api/v1/kb/faqs").await;
    let saved = faqs.as_array().expect("faqs").iter().find(|f| f["id"] == "gift-wrap").expect("gift-wrap").clone();
    assert_eq!(saved["translations"]["en"]["similar"], json!(["do you do gift wrapping"]), "{saved}");
    // Retraining runs in the background: ask until the new version answers (at most ~5 s).
    let mut english = Customer::new(&app).await;
    let mut reply = Vec::new();
    for _ in 0..20 {
        reply = english.says("Can you gift wrap it?").await;
        if reply.iter().any(|t| t.starts_with("Yes: add the note")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the English answer never came: {reply:?}");
}
