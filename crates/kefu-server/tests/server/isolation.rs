//! Shop isolation: an agent of shop A reaches nothing of shop B by id, list or socket.

use crate::harness::*;
use kefu_core::customer::Channel;
use kefu_core::ids::{ShopId, UserId};
use kefu_core::shop::{Role, Shop, User, UserCredentials};
use kefu_core::store::{Change, ChangeSet, Store};
use serde_json::json;

/// Shop B with one agent, one customer and one conversation with a message.
pub(crate) async fn second_shop(app: &TestApp) -> (String, String, String, String) {
    let inbox = &app.state().inbox;
    let shop = Shop { id: ShopId::new(), name: "别家店".into(), widget_key: "other".into(), created_at: 1 };
    let user = User {
        id: UserId::new(),
        shop_id: shop.id,
        email: "agent@other.kefu".into(),
        display_name: "别家客服".into(),
        role: Role::Owner,
        capacity: 10,
        created_at: 1,
    };
    let password_hash = kefu_server::auth::hash_password(PASSWORD).expect("hash");
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertShop(shop.clone())).push(Change::InsertUser(UserCredentials { user: user.clone(), password_hash }));
    inbox.store().apply(cs).await.expect("seed shop B");
    let (customer, _) = inbox.customer_for(shop.id, Channel::Api, "b-customer", "B的客户").await.expect("customer");
    let d = inbox.customer_message(shop.id, customer.id, Channel::Api, "B店的私密消息", Some("b1")).await.expect("message");
    (shop.id.to_string(), customer.id.to_string(), d.conversation.id.to_string(), d.message.id.to_string())
}

#[tokio::test]
async fn an_agent_of_one_shop_gets_404_for_every_id_of_another() {
    let app = TestApp::spawn().await;
    let (_shop_b, customer_b, conv_b, _msg_b) = second_shop(&app).await;
    for email in ["agent1@demo.kefu", "owner@demo.kefu"] {
        let a = app.login(email).await;
        for path in [
            format!("/api/v1/conversations/{conv_b}"),
            format!("/api/v1/conversations/{conv_b}/messages"),
            format!("/api/v1/customers/{customer_b}"),
        ] {
            let (status, body) = a.get(&path).await;
            assert_eq!(status, 404, "{email} GET {path}: {body}");
            assert_eq!(body["error"]["code"], "not_found");
        }
        for (path, body) in [
            (format!("/api/v1/conversations/{conv_b}/messages"), json!({"content": "越权"})),
            (format!("/api/v1/conversations/{conv_b}/assign"), json!({})),
            (format!("/api/v1/conversations/{conv_b}/resolve"), json!({})),
        ] {
            let (status, res) = a.post(&path, body).await;
            assert_eq!(status, 404, "{email} POST {path}: {res}");
        }
        let (_, list) = a.get("/api/v1/conversations").await;
        assert!(!list["conversations"].as_array().expect("list").iter().any(|c| c["id"] == conv_b.as_str()));
        let (_, agents) = a.get("/api/v1/agents").await;
        assert!(agents["agents"].as_array().expect("agents").iter().all(|u| u["email"] != "agent@other.kefu"));
    }
    // Assigning to another shop's user is refused the same way.
    let owner = app.login("owner@demo.kefu").await;
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "hi", "client_id": "1"})).await;
    let conv_a = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();
    let b_user = app.login("agent@other.kefu").await;
    let (status, _) = owner.post(&format!("/api/v1/conversations/{conv_a}/assign"), json!({"agent_id": b_user.id})).await;
    assert_eq!(status, 404);
    // And shop B's owner cannot see shop A's conversation.
    let (status, _) = b_user.get(&format!("/api/v1/conversations/{conv_a}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn sockets_only_carry_the_own_shops_traffic() {
    let app = TestApp::spawn().await;
    let agent_a = app.login("agent1@demo.kefu").await;
    let (mut aws, _) = agent_a.socket().await;
    second_shop(&app).await;
    // A message in shop A arrives; nothing of shop B came before it.
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "A店消息", "client_id": "1"})).await;
    next_of(&mut c, "ack").await;
    let first = next_frame(&mut aws).await;
    assert_eq!(first["type"], "conversation");
    assert_eq!(first["conversation"]["customer_name"], "网页访客");
    let msg = next_of(&mut aws, "message").await;
    assert_eq!(msg["message"]["content"], "A店消息");
}

#[tokio::test]
async fn tickets_of_another_shop_are_out_of_reach() {
    let app = TestApp::spawn().await;
    second_shop(&app).await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "A店工单"})).await;
    let id = t["id"].as_str().expect("id").to_string();
    let other = app.login("agent@other.kefu").await;
    assert_eq!(other.get(&format!("/api/v1/tickets/{id}")).await.0, 404);
    for (path, body) in [
        (format!("/api/v1/tickets/{id}/transition"), json!({"to": "legal_review"})),
        (format!("/api/v1/tickets/{id}/comments"), json!({"body": "越权"})),
        (format!("/api/v1/tickets/{id}/assign"), json!({"department": "legal"})),
    ] {
        assert_eq!(other.post(&path, body).await.0, 404, "{path}");
    }
    let (_, list) = other.get("/api/v1/tickets").await;
    assert_eq!(list["tickets"], json!([]));
    let (_, r) = other.post("/api/v1/tickets/bulk", json!({"ids": [id], "action": {"type": "priority", "to": "urgent"}})).await;
    assert_eq!(r["results"][0]["ok"], false);
    // A ticket cannot be opened on another shop's conversation either.
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "hi", "client_id": "1"})).await;
    let conv = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();
    let (s, _) = other.post("/api/v1/tickets", json!({"ticket_type": "complaint", "conversation_id": conv})).await;
    assert_eq!(s, 404);
    let (_, mine) = agent.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!((mine["state"].as_str(), mine["priority"].as_str(), mine["comments"].as_array().map(|c| c.len())), (Some("record"), Some("normal"), Some(0)));
}
