//! What the agent workspace needs from the server: internal notes that never reach the
//! customer, quick phrases (shop-wide and personal), typing indicators both ways, and the
//! waiting times in the workspace hello.

use crate::harness::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

/// Frames that arrive within `wait`, without failing when none do.
async fn drain(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(wait, ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            out.push(serde_json::from_str(&t).expect("JSON frame"));
        }
    }
    out
}

fn is_note(f: &Value) -> bool {
    f.to_string().contains("内部备注") || f["message"]["sender_kind"] == "note"
}

#[tokio::test]
async fn internal_notes_reach_agents_and_never_the_customer() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut aws, _) = agent.socket().await;
    let (mut cws, hello) = app.widget(None, None).await;
    let token = hello["visitor_token"].as_str().expect("token").to_string();
    send(&mut cws, json!({"type": "send", "content": "我要退货", "client_id": "c-1"})).await;
    let conv = next_of(&mut cws, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();

    let (status, note) = agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "内部备注：老客户，优先处理", "client_id": "n-1"})).await;
    assert_eq!(status, 201, "{note}");
    assert_eq!((note["sender_kind"].as_str(), note["direction"].as_str()), (Some("note"), Some("internal")));
    assert_eq!(note["seq"], 2);
    let (status, again) = agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "内部备注：老客户，优先处理", "client_id": "n-1"})).await;
    assert_eq!((status, &again["id"]), (200, &note["id"]), "a resend is stored once");
    let live = next_where(&mut aws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "note").await;
    assert_eq!(live["message"]["content"], "内部备注：老客户，优先处理");
    assert_eq!(live["message"]["sender_id"], agent.id.as_str());

    // The customer's next frames are the line introducing the agent and the reply; the note
    // never came.
    let (status, _) = agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "亲，马上为您处理"})).await;
    assert_eq!(status, 201);
    let mut next = Vec::new();
    for _ in 0..2 {
        next.push(next_where(&mut cws, |f| {
            assert!(!is_note(f), "the widget received a note: {f}");
            f["type"] == "message" && f["message"]["sender_kind"] != "customer"
        })
        .await);
    }
    assert_eq!((next[0]["message"]["sender_kind"].as_str(), next[0]["message"]["seq"].as_i64()), (Some("system"), Some(3)));
    let reply = &next[1];
    assert_eq!((reply["message"]["content"].as_str(), reply["message"]["seq"].as_i64()), (Some("亲，马上为您处理"), Some(4)));
    assert!(drain(&mut cws, Duration::from_millis(300)).await.iter().all(|f| !is_note(f)));

    // Nor in the history of a reload, with or without after_seq.
    for after in [None, Some(1)] {
        let (_ws, h) = app.widget(Some(&token), after).await;
        assert!(!is_note(&h["messages"]), "widget history holds the note: {}", h["messages"]);
        let seqs: Vec<i64> = h["messages"].as_array().expect("messages").iter().filter_map(|m| m["seq"].as_i64()).collect();
        assert_eq!(seqs, if after.is_none() { vec![1, 3, 4] } else { vec![3, 4] });
    }
    // Agents read it in the dialogue, in place; the list preview stays the customer-facing one.
    let (_, msgs) = agent.get(&format!("/api/v1/conversations/{conv}/messages")).await;
    let kinds: Vec<&str> = msgs["messages"].as_array().expect("messages").iter().filter_map(|m| m["sender_kind"].as_str()).collect();
    assert_eq!(kinds, vec!["customer", "note", "system", "agent"]);
    let (_, c) = agent.get(&format!("/api/v1/conversations/{conv}")).await;
    assert_eq!(c["last_message_preview"], "亲，马上为您处理");

    let (status, err) = agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "  "})).await;
    assert_eq!((status, err["error"]["code"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn quick_phrases_are_shop_wide_or_personal() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let colleague = app.login("agent2@demo.kefu").await;
    let owner = app.login("owner@demo.kefu").await;
    let titles = |v: &Value| -> Vec<String> { v["quick_phrases"].as_array().expect("list").iter().map(|p| p["title"].as_str().unwrap_or("").to_string()).collect() };

    let (status, seeded) = agent.get("/api/v1/quick-phrases").await;
    assert_eq!(status, 200);
    assert!(titles(&seeded).contains(&"催发货".to_string()), "demo phrases: {seeded}");
    assert!(seeded["quick_phrases"].as_array().unwrap().iter().all(|p| p["shop_wide"] == true && p["editable"] == false));

    let (status, mine) = agent.post("/api/v1/quick-phrases", json!({"title": "我的开场", "text": "您好，我是小美"})).await;
    assert_eq!(status, 201, "{mine}");
    assert_eq!((mine["shop_wide"].as_bool(), mine["editable"].as_bool()), (Some(false), Some(true)));
    let id = mine["id"].as_str().expect("id").to_string();
    assert_eq!(titles(&agent.get("/api/v1/quick-phrases").await.1)[0], "我的开场", "personal phrases come first");
    assert!(!titles(&colleague.get("/api/v1/quick-phrases").await.1).contains(&"我的开场".to_string()));
    let (_, found) = agent.get("/api/v1/quick-phrases?q=%E5%82%AC%E4%BF%83").await; // 催促
    assert_eq!(titles(&found), vec!["催发货"]);

    let (status, _) = agent.post("/api/v1/quick-phrases", json!({"title": "全店", "text": "x", "shop_wide": true})).await;
    assert_eq!(status, 403, "agents do not write shop-wide phrases");
    let (status, wide) = owner.post("/api/v1/quick-phrases", json!({"title": "全店通知", "text": "双十一期间发货略有延迟", "shop_wide": true})).await;
    assert_eq!((status, wide["shop_wide"].as_bool()), (201, Some(true)));
    let wide_id = wide["id"].as_str().expect("id");
    let (status, _) = agent.post_put(&format!("/api/v1/quick-phrases/{wide_id}"), json!({"title": "改", "text": "改"})).await;
    assert_eq!(status, 403);
    let (status, edited) = agent.post_put(&format!("/api/v1/quick-phrases/{id}"), json!({"title": "开场白", "text": "您好，我是小美，为您服务"})).await;
    assert_eq!((status, edited["title"].as_str()), (200, Some("开场白")));
    let (status, _) = colleague.post_put(&format!("/api/v1/quick-phrases/{id}"), json!({"title": "x", "text": "x"})).await;
    assert_eq!(status, 404, "a colleague's phrase is not theirs to see");
    let (status, err) = agent.post("/api/v1/quick-phrases", json!({"title": " ", "text": "x"})).await;
    assert_eq!((status, err["error"]["code"].as_str()), (400, Some("invalid_request")));

    let del = agent.http.delete(format!("{}/api/v1/quick-phrases/{id}", agent.base)).header("cookie", &agent.cookie).header("x-csrf-token", &agent.csrf).send().await.expect("delete");
    assert_eq!(del.status(), 204);
    assert!(!titles(&agent.get("/api/v1/quick-phrases").await.1).contains(&"开场白".to_string()));
}

#[tokio::test]
async fn typing_is_relayed_both_ways_at_most_every_few_seconds() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut aws, _) = agent.socket().await;
    let (mut cws, _) = app.widget(None, None).await;
    send(&mut cws, json!({"type": "send", "content": "在吗", "client_id": "c-1"})).await;
    let ack = next_of(&mut cws, "ack").await;
    let (customer, conv) = (ack["message"]["customer_id"].as_str().expect("customer").to_string(), ack["message"]["conversation_id"].as_str().expect("id").to_string());
    next_of(&mut aws, "message").await;

    send(&mut cws, json!({"type": "typing"})).await;
    let typing = next_of(&mut aws, "typing").await;
    assert_eq!((typing["from"].as_str(), typing["customer_id"].as_str()), (Some("customer"), Some(customer.as_str())));
    // A second frame at once is dropped, not relayed.
    send(&mut cws, json!({"type": "typing"})).await;
    assert!(drain(&mut aws, Duration::from_millis(400)).await.iter().all(|f| f["type"] != "typing"));

    send(&mut aws, json!({"type": "typing", "conversation_id": conv})).await;
    let typing = next_of(&mut cws, "typing").await;
    assert_eq!(typing, json!({"type": "typing", "from": "agent"}));
    // Typing frames get no answer of their own: the next frame on the socket is the pong.
    send(&mut aws, json!({"type": "ping"})).await;
    assert_eq!(next_frame(&mut aws).await["type"], "pong");
}

#[tokio::test]
async fn the_workspace_hello_says_since_when_customers_wait() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_aws, _) = agent.socket().await;
    let (mut cws, _) = app.widget(None, None).await;
    send(&mut cws, json!({"type": "send", "content": "在吗", "client_id": "c-1"})).await;
    let first = next_of(&mut cws, "ack").await["message"].clone();
    send(&mut cws, json!({"type": "send", "content": "有人吗", "client_id": "c-2"})).await;
    next_of(&mut cws, "ack").await;
    let conv = first["conversation_id"].as_str().expect("id").to_string();

    let (_ws2, hello) = agent.socket().await;
    assert_eq!(hello["waiting_since"][&conv], first["created_at"], "from the first unanswered message");
    agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "稍后回复"})).await;
    let (_ws3, hello) = agent.socket().await;
    assert_eq!(hello["waiting_since"][&conv], first["created_at"], "a note answers nothing");
    agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "在的"})).await;
    let (_ws4, hello) = agent.socket().await;
    assert!(hello["waiting_since"].get(&conv).is_none(), "{}", hello["waiting_since"]);
}
