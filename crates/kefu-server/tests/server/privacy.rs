//! PII masked for agents and revealed one value at a time (audited); sensitive words flagged
//! inbound and blocked or held for confirmation outbound, over HTTP and the sockets.

use crate::harness::*;
use serde_json::{json, Value};

const PHONE: &str = "13812345678";
const ID_CARD: &str = "11010519491231002X";

async fn customer_writes(app: &TestApp, text: &str) -> (Ws, Value) {
    let (mut ws, _) = app.widget(None, None).await;
    send(&mut ws, json!({"type": "send", "content": text, "client_id": "c1"})).await;
    let ack = next_of(&mut ws, "ack").await;
    (ws, ack)
}

#[tokio::test]
async fn agents_see_pii_masked_and_a_supervisor_reveals_one_value_with_an_audit_entry() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    let text = format!("我的电话{PHONE}，身份证{ID_CARD}，麻烦尽快发货");
    let (_ws, ack) = customer_writes(&app, &text).await;
    assert_eq!(ack["message"]["content"], text.as_str(), "the customer sees their own words");
    let conv = ack["message"]["conversation_id"].as_str().unwrap().to_string();
    let msg_id = ack["message"]["id"].as_str().unwrap().to_string();

    let live = next_where(&mut agent_ws, |f| f["type"] == "message").await;
    let shown = live["message"]["content"].as_str().unwrap();
    assert!(!shown.contains(PHONE) && !shown.contains(ID_CARD), "{shown}");
    assert!(shown.contains("138****5678"), "{shown}");
    assert_eq!(live["message"]["pii_masked"], 2);

    let (_, list) = agent.get(&format!("/api/v1/conversations/{conv}/messages")).await;
    assert_eq!(list["messages"][0]["content"], shown);
    let (_, convs) = agent.get("/api/v1/conversations").await;
    assert!(!convs.to_string().contains(PHONE), "previews are masked too");

    let (s, _) = agent.post(&format!("/api/v1/messages/{msg_id}/reveal"), json!({"index": 0})).await;
    assert_eq!(s, 403, "agents may not reveal");
    let supervisor = app.login("supervisor@demo.kefu").await;
    let (s, revealed) = supervisor.post(&format!("/api/v1/messages/{msg_id}/reveal"), json!({"index": 1})).await;
    assert_eq!((s, revealed["kind"].as_str(), revealed["value"].as_str()), (200, Some("id_card"), Some(ID_CARD)));
    let (s, _) = supervisor.post(&format!("/api/v1/messages/{msg_id}/reveal"), json!({"index": 2})).await;
    assert_eq!(s, 404);
    let owner = app.login("owner@demo.kefu").await;
    let (_, audit) = owner.get("/api/v1/audit").await;
    let reveals: Vec<&Value> = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "pii_revealed").collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0]["target"], format!("message:{msg_id}"));
    assert!(!audit.to_string().contains(ID_CARD), "the audit names the value, never holds it");
}

#[tokio::test]
async fn outbound_replies_are_blocked_or_held_and_inbound_words_are_flagged() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    let (_ws, ack) = customer_writes(&app, "你们能不能 加 微 信 聊？").await;
    let conv = ack["message"]["conversation_id"].as_str().unwrap().to_string();
    let live = next_where(&mut agent_ws, |f| f["type"] == "message").await;
    assert_eq!(live["message"]["flags"][0]["category"], "fraud", "{live}");

    let path = format!("/api/v1/conversations/{conv}/messages");
    let (s, b) = agent.post(&path, json!({"content": "可以的，加微信 kefu123 私聊"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("sensitive_blocked")), "{b}");
    assert_eq!(b["error"]["details"][0]["word"], "加微信");
    let (s, _) = agent.post(&path, json!({"content": "可以的，加微信 kefu123 私聊", "confirm": true})).await;
    assert_eq!(s, 422, "blocked words never pass, confirmed or not");
    let (s, b) = agent.post(&path, json!({"content": "这是全网最低价哦", "client_id": "w1"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("sensitive_warning")), "{b}");
    let (s, _) = agent.post(&path, json!({"content": "这是全网最低价哦", "client_id": "w1", "confirm": true})).await;
    assert_eq!(s, 201);
    let (_, check) = agent.post("/api/v1/sensitive-words/check", json!({"text": "亲，微.信联系我"})).await;
    assert_eq!(check["verdict"], "block", "{check}");

    // The same over the workspace socket: an error frame with the hits, then a confirmed send.
    send(&mut agent_ws, json!({"type": "send", "conversation_id": conv, "content": "第一时间为您处理", "client_id": "s1"})).await;
    let err = next_where(&mut agent_ws, |f| f["type"] == "error").await;
    assert_eq!((err["code"].as_str(), err["details"][0]["word"].as_str()), (Some("sensitive_warning"), Some("第一")), "{err}");
    send(&mut agent_ws, json!({"type": "send", "conversation_id": conv, "content": "第一时间为您处理", "client_id": "s1", "confirm": true})).await;
    assert_eq!(next_of(&mut agent_ws, "ack").await["client_id"], "s1");

    // A shop adds its own words (admins only); they apply at once.
    let (s, _) = agent.post_put("/api/v1/sensitive-words", json!({"words": []})).await;
    assert_eq!(s, 403);
    let owner = app.login("owner@demo.kefu").await;
    let (s, _) = owner.post_put("/api/v1/sensitive-words", json!({"words": [{"word": "隔壁旗舰店", "category": "competitor", "action": "warn"}]})).await;
    assert_eq!(s, 200);
    let (s, b) = agent.post(&path, json!({"content": "隔壁旗舰店的质量不行"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("sensitive_warning")));
    assert_eq!(owner.get("/api/v1/sensitive-words").await.1["words"][0]["word"], "隔壁旗舰店");
    let metrics = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("kefu_sensitive_inbound_total 1"), "{metrics}");
    assert!(metrics.contains("kefu_sensitive_outbound_total 5"), "{metrics}");
}

#[tokio::test]
async fn a_customer_who_keeps_sending_blocked_words_is_audited_once() {
    let app = TestApp::spawn().await;
    let (mut ws, _) = app.widget(None, None).await;
    for i in 0..5 {
        send(&mut ws, json!({"type": "send", "content": format!("刷单兼职 加vx {i}"), "client_id": format!("a{i}")})).await;
        next_of(&mut ws, "ack").await;
    }
    let owner = app.login("owner@demo.kefu").await;
    let (_, audit) = owner.get("/api/v1/audit").await;
    let abusive = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "customer_abusive").count();
    assert_eq!(abusive, 1, "{audit}");
}
