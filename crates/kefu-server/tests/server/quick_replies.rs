//! Issue 22 items 4, 5 and 6 through the widget socket: a flow's options arrive as quick
//! replies with the bot's question and a bare option ("L", "2") fills the slot; 老板 or 人 alone
//! do not hand over, asking for the boss does; product questions are answered from the
//! attributes pushed with `PUT /products`, or the bot says it does not know and offers a person.

use crate::bot::{handoff_for, put_kb};
use crate::harness::*;
use serde_json::{json, Value};
use std::time::Duration;

fn kb() -> Value {
    json!({
        "faqs": [{"id": "shipping", "question": "什么时候发货", "similar": ["多久发货"], "answer": "付款后48小时内发货"}],
        "flows": [{
            "id": "stock", "name": "库存",
            "examples": ["这个还有货吗", "有没有库存"], "keywords": ["有货", "库存"],
            "slots": [
                {"name": "product", "kind": "product", "prompt": "请问您想问哪款商品？"},
                {"name": "size", "kind": "size", "prompt": "请问您要什么尺码？（S/M/L/XL）"},
                {"name": "colour", "kind": "colour", "prompt": "请问您要什么颜色？", "values": ["黑色", "灰色"]}
            ],
            "answer": "{product}{colour}{size}当前剩余{stock}件"
        }]
    })
}

/// Say `text` on the widget socket; the bot's message frames until a quiet 300 ms.
async fn bot_frames(ws: &mut Ws, text: &str) -> Vec<Value> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    send(ws, json!({"type": "send", "content": text, "client_id": format!("quick-{n}")})).await;
    let mut frames = Vec::new();
    loop {
        let wait = if frames.is_empty() { 5_000 } else { 300 };
        let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_millis(wait), futures_util::StreamExt::next(ws)).await else { break };
        let tokio_tungstenite::tungstenite::Message::Text(t) = msg else { continue };
        let f: Value = serde_json::from_str(&t).expect("json");
        if f["type"] == "message" && f["message"]["sender_kind"] == "bot" {
            frames.push(f);
        }
    }
    assert!(!frames.is_empty(), "no reply to {text}");
    frames
}

#[tokio::test]
async fn flow_options_come_as_quick_replies_and_a_bare_option_fills_the_slot() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    put_kb(&owner, kb()).await;
    let (status, _) = owner
        .post_put("/api/v1/products", json!([{"sku": "HD-1", "name": "加绒卫衣", "price_cents": 12900, "images": [], "stock": [
            {"attributes": {"size": "L", "colour": "灰色"}, "qty": 4}, {"attributes": {"size": "L", "colour": "黑色"}, "qty": 2}]}]))
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut ws, _) = app.widget(None, None).await;

    let asked = bot_frames(&mut ws, "加绒卫衣有货吗").await;
    assert_eq!(asked[0]["message"]["content"], "请问您要什么尺码？（S/M/L/XL）");
    assert_eq!(asked[0]["quick_replies"], json!(["S", "M", "L", "XL"]), "{asked:?}");
    // A bare "L" (what a quick-reply button sends) fills the size: the colour is asked next.
    let next = bot_frames(&mut ws, "L").await;
    assert_eq!(next[0]["message"]["content"], "请问您要什么颜色？", "{next:?}");
    assert_eq!(next[0]["quick_replies"], json!(["黑色", "灰色"]));
    // "2" picks the second option; the answer has no quick replies.
    let done = bot_frames(&mut ws, "2").await;
    assert_eq!(done[0]["message"]["content"], "加绒卫衣灰色L当前剩余4件", "{done:?}");
    assert!(done[0].get("quick_replies").is_none(), "{done:?}");
    // An FAQ answer carries none either.
    let faq = bot_frames(&mut ws, "多久发货").await;
    assert_eq!(faq[0]["message"]["content"], "付款后48小时内发货");
    assert!(faq[0].get("quick_replies").is_none());
}

#[tokio::test]
async fn the_boss_or_a_person_named_in_passing_does_not_hand_over() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    put_kb(&owner, kb()).await;
    for text in ["你们老板叫什么名字", "老板，什么时候发货", "刚才人工客服说可以退", "不用转人工，多久发货"] {
        let (_, said, frame) = handoff_for(&app, &mut agent_ws, text).await;
        assert!(frame.is_none(), "{text} handed over: {frame:?}");
        assert!(!said.contains(&"正在为您转接人工客服，请稍候。".to_string()), "{text}: {said:?}");
    }
    let (_, said, frame) = handoff_for(&app, &mut agent_ws, "叫你们老板出来跟我说").await;
    assert_eq!(said, vec!["正在为您转接人工客服，请稍候。"]);
    assert_eq!(frame.expect("handoff frame")["card"]["reason"], "asked_for_human");
}

#[tokio::test]
async fn product_questions_are_answered_from_the_pushed_attributes() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    put_kb(&owner, kb()).await;
    let (status, body) = owner
        .post_put("/api/v1/products", json!([{"sku": "MASK-1", "name": "玻尿酸补水面膜", "price_cents": 9900, "images": [],
            "attributes": {"suitable_for": "所有肤质，敏感肌可用", "origin": "浙江杭州", "shelf_life": "3年"}}]))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["products"][0]["attributes"]["origin"], "浙江杭州");
    let (_, listed) = owner.get("/api/v1/products?sku=MASK-1").await;
    let mask = listed["products"].as_array().and_then(|p| p.iter().find(|p| p["sku"] == "MASK-1")).cloned().unwrap_or_default();
    assert_eq!(mask["attributes"]["suitable_for"], "所有肤质，敏感肌可用", "stored: {listed}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut ws, _) = app.widget(None, None).await;

    let said = |f: &[Value]| f[0]["message"]["content"].as_str().unwrap_or_default().to_string();
    assert_eq!(said(&bot_frames(&mut ws, "玻尿酸补水面膜适合敏感肌吗").await), "玻尿酸补水面膜的适用人群：所有肤质，敏感肌可用");
    // The product stays the topic: "这款" needs no name.
    assert_eq!(said(&bot_frames(&mut ws, "这款产地是哪里").await), "玻尿酸补水面膜的产地：浙江杭州");
    assert_eq!(said(&bot_frames(&mut ws, "面料是什么材质").await), "抱歉，暂时没有查到玻尿酸补水面膜的材质信息。需要的话回复“人工”，为您转接客服。");

    // Too many attributes are refused with the product's index.
    let many: serde_json::Map<String, Value> = (0..31).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (status, body) = owner.post_put("/api/v1/products", json!([{"sku": "X", "name": "x", "price_cents": 1, "attributes": many}])).await;
    assert_eq!(status, 400, "{body}");
}
