//! Sessions, expiry, roles and scoped API tokens.

use crate::harness::*;
use serde_json::json;

#[tokio::test]
async fn wrong_password_unknown_user_and_no_session_are_401() {
    let app = TestApp::spawn().await;
    let http = &app.http;
    let res = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "agent1@demo.kefu", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_credentials");
    let res = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "nobody@x.cn", "password": "kefu-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http.get(format!("{}/api/v1/me", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = http.get(format!("{}/api/v1/me", app.base)).header("cookie", "kefu_session=forged").send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn sessions_expire_and_logout_ends_them() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let a = app.login("agent1@demo.kefu").await;
    assert_eq!(a.get("/api/v1/me").await.0, 200);
    clock.advance(13 * 3600 * 1000);
    let (status, body) = a.get("/api/v1/me").await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")));

    let b = app.login("agent2@demo.kefu").await;
    assert_eq!(b.post("/api/v1/auth/logout", json!({})).await.0, 204);
    assert_eq!(b.get("/api/v1/me").await.0, 401);
}

#[tokio::test]
async fn scoped_tokens_deliver_inbound_messages_and_stop_when_revoked() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (status, _) = agent.post("/api/v1/tokens", json!({"name": "erp", "scopes": ["inbound:write"]})).await;
    assert_eq!(status, 403, "agents cannot create tokens");

    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/tokens", json!({"name": "erp", "scopes": ["inbound:write"]})).await;
    assert_eq!(status, 201);
    let secret = created["secret"].as_str().expect("secret").to_string();
    assert!(created["token"].get("secret_hash").is_none());
    let (status, bad) = owner.post("/api/v1/tokens", json!({"name": "x", "scopes": ["root"]})).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_request")));

    let deliver = |client_id: &'static str| {
        let http = app.http.clone();
        let url = format!("{}/api/v1/inbound/messages", app.base);
        let secret = secret.clone();
        async move {
            http.post(url)
                .bearer_auth(secret)
                .json(&json!({"external_id": "erp-42", "display_name": "老客户", "content": "订单什么时候发？", "client_id": client_id}))
                .send()
                .await
                .unwrap()
        }
    };
    let first = deliver("evt-1").await;
    assert_eq!(first.status(), 201);
    let body: serde_json::Value = first.json().await.unwrap();
    assert_eq!(body["conversation"]["channel"], "api");
    assert_eq!(body["conversation"]["customer_name"], "老客户");
    let again = deliver("evt-1").await;
    assert_eq!(again.status(), 200);
    let conv = body["conversation"]["id"].as_str().expect("id").to_string();
    let (_, msgs) = owner.get(&format!("/api/v1/conversations/{conv}/messages")).await;
    assert_eq!(msgs["messages"].as_array().map(|m| m.len()), Some(1));

    // The token cannot read conversations: it only has inbound:write.
    let res = app.http.get(format!("{}/api/v1/conversations", app.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(res.status(), 403);

    let id = created["token"]["id"].as_str().expect("id");
    let res = app.http.delete(format!("{}/api/v1/tokens/{id}", app.base)).header("cookie", &owner.cookie).header("x-csrf-token", &owner.csrf).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(deliver("evt-2").await.status(), 401);
}

#[tokio::test]
async fn agents_cannot_take_over_or_resolve_a_colleagues_conversation_but_supervisors_can() {
    let app = TestApp::spawn().await;
    let a1 = app.login("agent1@demo.kefu").await;
    let (_ws1, _) = a1.socket().await;
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "hi", "client_id": "1"})).await;
    let conv = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();
    let a2 = app.login("agent2@demo.kefu").await;
    let (status, body) = a2.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "抢单"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(a2.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await.0, 403);
    assert_eq!(a2.post(&format!("/api/v1/conversations/{conv}/assign"), json!({})).await.0, 403);
    let sup = app.login("supervisor@demo.kefu").await;
    let (status, moved) = sup.post(&format!("/api/v1/conversations/{conv}/assign"), json!({"agent_id": a2.id})).await;
    assert_eq!(status, 200);
    assert_eq!(moved["agent_id"], a2.id.as_str());
    assert_eq!(a2.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await.0, 200);
}
