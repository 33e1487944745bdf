//! One customer across channels: identities merged by union id or by hand land in one
//! dialogue with the channel per message; a merge can be undone; every merge is an event.

use crate::harness::*;
use serde_json::{json, Value};

async fn inbound(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.http.post(format!("{}/api/v1/inbound/messages", app.base)).bearer_auth(token).json(&body).send().await.expect("inbound");
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert!(status == 201 || status == 200, "{status} {body}");
    body
}

#[tokio::test]
async fn identities_merge_into_one_dialogue_and_apart_again() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, created) = owner.post("/api/v1/tokens", json!({"name": "platform", "scopes": ["inbound:write"]})).await;
    let token = created["secret"].as_str().expect("secret").to_string();

    // The same person writes a DM and a comment; the platform sends the same union id.
    let dm = inbound(&app, &token, json!({"channel": "dm", "external_id": "dy-user-1", "union_id": "u-42", "content": "这件外套有黑色吗"})).await;
    let comment = inbound(&app, &token, json!({"channel": "comment", "external_id": "dy-comment-9", "union_id": "u-42", "content": "黑色什么时候补货"})).await;
    let person = dm["conversation"]["customer_id"].as_str().expect("customer").to_string();
    assert_eq!(comment["conversation"]["id"], dm["conversation"]["id"], "one dialogue");
    assert_eq!(comment["message"]["customer_id"], person.as_str());
    assert_eq!(comment["message"]["channel"], "comment");

    // A widget visitor is the same person too: an agent merges them by hand.
    let (mut ws, hello) = app.widget(None, None).await;
    let token_w = hello["visitor_token"].as_str().expect("token").to_string();
    send(&mut ws, json!({"type": "send", "content": "我刚在评论区问过", "client_id": "w1"})).await;
    let visitor = next_of(&mut ws, "ack").await["message"]["customer_id"].as_str().expect("visitor").to_string();
    let (s, merged) = owner.post(&format!("/api/v1/customers/{person}/merge"), json!({"from": visitor})).await;
    assert_eq!((s, merged["id"].as_str()), (200, Some(person.as_str())), "{merged}");
    // The visitor's next message (same socket) lands in the person's conversation.
    send(&mut ws, json!({"type": "send", "content": "黑色M码", "client_id": "w2"})).await;
    let ack = next_where(&mut ws, |f| f["type"] == "ack" && f["client_id"] == "w2").await;
    assert_eq!(ack["message"]["conversation_id"], dm["conversation"]["id"]);
    assert_eq!(ack["message"]["channel"], "widget");
    // Reconnecting with the visitor's token continues the person's dialogue.
    let (_ws2, hello2) = app.widget(Some(&token_w), None).await;
    assert_eq!(hello2["customer_id"], person.as_str());

    // The agent sees one dialogue across channels, the channel on every message.
    let (s, dialogue) = owner.get(&format!("/api/v1/customers/{person}/dialogue")).await;
    assert_eq!(s, 200);
    let lines: Vec<(String, String)> = dialogue["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| (m["channel"].as_str().unwrap_or("").to_string(), m["content"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected = [("dm", "这件外套有黑色吗"), ("comment", "黑色什么时候补货"), ("widget", "我刚在评论区问过"), ("widget", "黑色M码")];
    assert_eq!(lines, expected.iter().map(|(c, t)| (c.to_string(), t.to_string())).collect::<Vec<_>>());

    // Undo: the visitor writes to their own dialogue again.
    let (s, apart) = owner.post(&format!("/api/v1/customers/{visitor}/unmerge"), json!({})).await;
    assert_eq!((s, apart.get("merged_into")), (200, None), "{apart}");
    let (s, again) = owner.post(&format!("/api/v1/customers/{visitor}/unmerge"), json!({})).await;
    assert_eq!((s, again["error"]["code"].as_str()), (409, Some("conflict")));
    send(&mut ws, json!({"type": "send", "content": "还是我", "client_id": "w3"})).await;
    let ack = next_where(&mut ws, |f| f["type"] == "ack" && f["client_id"] == "w3").await;
    assert_eq!(ack["message"]["customer_id"], visitor.as_str());
    assert_ne!(ack["message"]["conversation_id"], dm["conversation"]["id"]);

    // Every merge is an event.
    use kefu_core::store::Store;
    let shop = app.state().inbox.store().shop_by_widget_key("demo").await.expect("store").expect("shop");
    let events = app.state().inbox.store().events(shop.id, 0, 500).await.expect("events");
    let merges: Vec<(&str, String)> = events
        .iter()
        .filter_map(|(_, e)| match &e.kind {
            kefu_core::event::EventKind::CustomersMerged { reason, .. } => Some(("merged", reason.clone())),
            kefu_core::event::EventKind::CustomerUnmerged { .. } => Some(("unmerged", String::new())),
            _ => None,
        })
        .collect();
    assert_eq!(merges, vec![("merged", "union_id".to_string()), ("merged", "manual".to_string()), ("unmerged", String::new())]);
    // Merging a customer of another shop, or an unknown one, is a 404.
    let (s, _) = owner.post(&format!("/api/v1/customers/{person}/merge"), json!({"from": "01a1fffa-91d1-70f9-9d46-e910d4f9f87c"})).await;
    assert_eq!(s, 404);
}
