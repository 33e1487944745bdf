//! Issue 20 items 4 and 5 over HTTP and the widget socket: the transfer note is an internal
//! note of the conversation, each agent's first reply is introduced to the customer once, a
//! customer asking for a person while waiting hears their place, and a ticket attaches the
//! chosen messages and tells the customer only when asked.

use crate::harness::*;
use serde_json::{json, Value};

async fn messages(agent: &Agent, conv: &str) -> Vec<Value> {
    let (s, page) = agent.get(&format!("/api/v1/conversations/{conv}/messages?limit=200")).await;
    assert_eq!(s, 200, "{page}");
    page["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn hand_over_is_told_to_the_customer_and_kept_for_colleagues() {
    let app = TestApp::spawn().await;
    let (mut widget, _) = app.widget(None, None).await;
    // Nobody is online: the customer waits; asking again for a person tells them their place.
    send(&mut widget, json!({"type": "send", "content": "你好，台灯没发货", "client_id": "h-1"})).await;
    let conv = next_of(&mut widget, "ack").await["message"]["conversation_id"].as_str().expect("conversation").to_string();
    send(&mut widget, json!({"type": "send", "content": "转人工！", "client_id": "h-2"})).await;
    let place = next_where(&mut widget, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert_eq!(place["message"]["content"], "已在为您转接人工客服，您是下一位，预计等待约 1 分钟，请稍候。", "{place}");
    // An ordinary message while waiting gets no such answer.
    send(&mut widget, json!({"type": "send", "content": "好的我等等", "client_id": "h-3"})).await;
    next_where(&mut widget, |f| f["type"] == "ack" && f["client_id"] == "h-3").await;

    let agent1 = app.login("agent1@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    assert_eq!(agent1.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "您好，我来查"})).await.0, 201);
    assert_eq!(agent1.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "今天发出"})).await.0, 201);
    let joined = next_where(&mut widget, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert_eq!(joined["message"]["content"], "客服小美为您服务");
    let reply = next_where(&mut widget, |f| f["type"] == "message" && f["message"]["sender_kind"] == "agent").await;
    assert_eq!(reply["message"]["content"], "您好，我来查");
    assert!(joined["message"]["seq"].as_i64() < reply["message"]["seq"].as_i64());

    // A transfer with a note: an internal note in the dialogue, in order.
    let (s, moved) = agent1.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"agent_id": agent2.id, "note": "订单 88123 请跟进"})).await;
    assert_eq!(s, 200, "{moved}");
    let all = messages(&agent2, &conv).await;
    let note = all.iter().find(|m| m["sender_kind"] == "note").expect("the transfer note is in the dialogue");
    assert_eq!(note["content"], "转接说明：订单 88123 请跟进");
    assert_eq!(note["direction"], "internal");
    assert_eq!(note["sender_id"], agent1.id.as_str());
    // 小美 may no longer reply (the page replaces her composer); 小帅 is introduced once.
    assert_eq!(agent1.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "还在吗"})).await.0, 403);
    for text in ["您好，我接手了", "物流已催"] {
        assert_eq!(agent2.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": text})).await.0, 201);
    }
    let all = messages(&agent2, &conv).await;
    let lines: Vec<&str> = all.iter().filter(|m| m["sender_kind"] == "system").filter_map(|m| m["content"].as_str()).collect();
    assert_eq!(lines.iter().filter(|l| **l == "客服小美为您服务").count(), 1, "{lines:?}");
    assert_eq!(lines.iter().filter(|l| **l == "客服小帅为您服务").count(), 1, "{lines:?}");

    // The customer's own history has the lines and never the note.
    let (_, hello) = app.widget(None, None).await;
    assert!(hello["messages"].as_array().is_some_and(|m| m.is_empty()), "a new visitor sees nothing");
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(std::time::Duration::from_millis(300), futures_util::StreamExt::next(&mut widget)).await {
        assert!(!frame.to_string().contains("88123"), "the note reached the customer: {frame}");
    }
}

#[tokio::test]
async fn the_joined_line_follows_the_shops_wording() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, mut shop) = owner.get("/api/v1/shop").await;
    assert_eq!(shop["agent_joined"], "客服{name}为您服务");
    shop["agent_joined"] = json!("  ");
    let (s, refused) = owner.post_put("/api/v1/shop", shop.clone()).await;
    assert_eq!(s, 422, "{refused}");
    assert_eq!(refused["error"]["details"][0]["path"], "agent_joined");
    shop["agent_joined"] = json!("您好，{name}在线为您解答");
    assert_eq!(owner.post_put("/api/v1/shop", shop).await.0, 200);

    let (mut widget, _) = app.widget(None, None).await;
    send(&mut widget, json!({"type": "send", "content": "在吗", "client_id": "w-1"})).await;
    let conv = next_of(&mut widget, "ack").await["message"]["conversation_id"].as_str().expect("conversation").to_string();
    let agent1 = app.login("agent1@demo.kefu").await;
    assert_eq!(agent1.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "在的"})).await.0, 201);
    let joined = next_where(&mut widget, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert_eq!(joined["message"]["content"], "您好，小美在线为您解答");
}

#[tokio::test]
async fn a_ticket_attaches_the_chosen_messages_and_tells_the_customer_only_when_asked() {
    let app = TestApp::spawn().await;
    let (mut widget, _) = app.widget(None, None).await;
    send(&mut widget, json!({"type": "send", "content": "衣服起球了", "client_id": "t-1"})).await;
    let conv = next_of(&mut widget, "ack").await["message"]["conversation_id"].as_str().expect("conversation").to_string();
    let agent = app.login("agent1@demo.kefu").await;
    agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "帮您登记"})).await;
    agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "上周也反映过"})).await;
    let all = messages(&agent, &conv).await;
    let id_of = |text: &str| all.iter().find(|m| m["content"] == text).and_then(|m| m["id"].as_str()).expect(text).to_string();

    let (s, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "起球", "conversation_id": conv, "message_ids": [id_of("衣服起球了")], "notify_customer": false})).await;
    assert_eq!(s, 201, "{t}");
    let d = t["description"].as_str().unwrap_or_default();
    assert!(d.contains("衣服起球了") && !d.contains("帮您登记") && !d.contains("上周也反映过"), "{d}");

    let (s, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "起球复发", "conversation_id": conv, "message_ids": [id_of("上周也反映过")], "notify_customer": true})).await;
    assert_eq!(s, 201, "{t}");
    assert!(t["description"].as_str().is_some_and(|d| d.contains("[note] 上周也反映过")), "{t}");
    let told = next_where(&mut widget, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system" && f["message"]["content"].as_str().is_some_and(|c| c.contains("工单"))).await;
    assert!(told["message"]["content"].as_str().is_some_and(|c| c.contains(&format!("#{}", t["number"]))), "only the second ticket is told: {told}");

    // A message of another conversation cannot be attached.
    let (s, refused) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "x", "conversation_id": conv, "message_ids": ["00000000-0000-7000-8000-000000000000"]})).await;
    assert_eq!(s, 400, "{refused}");
}
