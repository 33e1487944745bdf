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
        language: None,
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

/// Shop B's objects, made through the API by its owner (and a widget customer).
struct ShopObjects {
    shop: String,
    owner: String,
    customer: String,
    conversation: String,
    message: String,
    ticket: String,
    token: String,
    phrase: String,
    invitation: String,
    channel: String,
    channel_secret: String,
    webhook: String,
}

async fn populate(app: &TestApp, owner: &Agent, made: &serde_json::Value, secret_words: &str) -> ShopObjects {
    use crate::onboarding::widget_of;
    let key = made["shop"]["widget_key"].as_str().unwrap();
    let (mut customer, _) = widget_of(app, key, None).await;
    send(&mut customer, json!({"type": "send", "content": secret_words, "client_id": "c1"})).await;
    let ack = next_of(&mut customer, "ack").await;
    let id = |v: &serde_json::Value, p: &str| v.pointer(p).and_then(|x| x.as_str()).unwrap_or_else(|| panic!("{p} in {v}")).to_string();
    let (_, t) = owner.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": secret_words})).await;
    let (_, tok) = owner.post("/api/v1/tokens", json!({"name": "b", "scopes": ["conversations:read"]})).await;
    let (_, p) = owner.post("/api/v1/quick-phrases", json!({"title": "B店", "text": secret_words, "shop_wide": true})).await;
    let (_, inv) = owner.post("/api/v1/invitations", json!({"email": format!("agent-{}@b.cn", uuid::Uuid::now_v7().simple()), "role": "agent"})).await;
    let (_, ch) = owner.post("/api/v1/channels", json!({"name": "B抖音", "platform": "douyin", "callback_url": "http://127.0.0.1:9/cb"})).await;
    let (_, wh) = owner.post("/api/v1/webhooks", json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.*"]})).await;
    ShopObjects {
        shop: id(made, "/shop/id"),
        owner: owner.id.clone(),
        customer: id(&ack, "/message/customer_id"),
        conversation: id(&ack, "/message/conversation_id"),
        message: id(&ack, "/message/id"),
        ticket: id(&t, "/id"),
        token: id(&tok, "/token/id"),
        phrase: id(&p, "/id"),
        invitation: id(&inv, "/invitation/id"),
        channel: id(&ch, "/channel/id"),
        channel_secret: id(&ch, "/secret"),
        webhook: id(&wh, "/webhook/id"),
    }
}

/// The id of B to put in a path parameter, by the path's resource.
fn b_id_for(path: &str, b: &ShopObjects) -> String {
    let resource = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or("");
    match resource {
        "conversations" => b.conversation.clone(),
        "customers" => b.customer.clone(),
        "messages" => b.message.clone(),
        "tickets" => b.ticket.clone(),
        "tokens" => b.token.clone(),
        "quick-phrases" => b.phrase.clone(),
        "invitations" => b.invitation.clone(),
        "channels" => b.channel.clone(),
        "webhooks" => b.webhook.clone(),
        "agents" | "people" => b.owner.clone(),
        "platform" => b.shop.clone(),
        // Ids of rows B has none of (attachments, outbox) or per-shop keys (departments,
        // ticket types, FAQ ids, questions): a fresh id / B-looking key.
        _ => uuid::Uuid::now_v7().to_string(),
    }
}

/// A plausible body per operation, so a refusal is about the id, not the body.
fn body_for(method: &str, path: &str, b: &ShopObjects, a_owner: &str) -> serde_json::Value {
    let last = path.rsplit('/').next().unwrap_or("");
    match (method, last) {
        ("POST", "messages") => json!({"content": "越权"}),
        ("POST", "notes") => json!({"text": "越权"}),
        ("POST", "transfer") => json!({"agent_id": a_owner}),
        ("PUT", "tags") => json!({"tags": ["越权"]}),
        ("POST", "merge") => json!({"from": b.customer}),
        ("PUT", "role") => json!({"role": "agent"}),
        ("POST", "reveal") => json!({"index": 0}),
        ("POST", "transition") => json!({"to": "closed"}),
        ("POST", "comments") => json!({"body": "越权"}),
        ("PUT", "priority") => json!({"priority": "high"}),
        ("POST", "attachments") => json!({"name": "a.png", "url": "https://oss.example/a.png", "size": 1}),
        ("PUT", _) if path.contains("/quick-phrases/") => json!({"title": "越权", "text": "越权"}),
        ("PUT", _) if path.contains("/people/") => json!({"display_name": "越权"}),
        _ => json!({}),
    }
}

#[tokio::test]
async fn two_platform_made_shops_pass_a_sweep_of_every_operation() {
    use crate::onboarding::{accept, fresh, platform_token};
    use crate::role_sweep::{call, Caller};
    let app = fresh().await;
    let platform = platform_token(&app).await;
    let mut owners = Vec::new();
    let mut made = Vec::new();
    for (name, email) in [("甲店", "owner@a.cn"), ("乙店", "owner@b.cn")] {
        let res = app.http.post(format!("{}/api/v1/platform/shops", app.base)).bearer_auth(&platform).json(&json!({"name": name, "owner_email": email})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let m: serde_json::Value = res.json().await.unwrap();
        owners.push(accept(&app, m["owner_invitation"].as_str().unwrap(), name).await);
        made.push(m);
    }
    let (a_owner, b_owner) = (&owners[0], &owners[1]);
    let secret_words = "乙店顾客的私密话：地址在幸福路";
    let b = populate(&app, b_owner, &made[1], secret_words).await;
    let a = populate(&app, a_owner, &made[0], "甲店顾客的话").await;
    let (_, a_tok) = a_owner.post("/api/v1/tokens", json!({"name": "all", "scopes": ["conversations:read", "conversations:write", "settings:manage", "people:manage", "tokens:manage", "audit:read", "analytics:read", "inbound:write", "pii:reveal"]})).await;
    let a_token = a_tok["secret"].as_str().expect("A's token").to_string();
    let (_, b_before) = b_owner.get(&format!("/api/v1/conversations/{}/messages", b.conversation)).await;

    let (mut a_ws, hello) = a_owner.socket().await;
    assert!(!hello.to_string().contains(&b.conversation));
    let spec: serde_json::Value = app.http.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let b_ids = [&b.shop, &b.owner, &b.customer, &b.conversation, &b.message, &b.ticket, &b.token, &b.phrase, &b.invitation, &b.channel, &b.webhook];
    let mut failures = Vec::new();
    let mut swept = 0;
    for (template, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete"] {
            // Logging out would turn every later call into a trivial 401.
            if item.get(method).is_none() || template.ends_with("/auth/logout") {
                continue;
            }
            let id = b_id_for(template, &b);
            let path = template.split('/').map(|seg| if seg.starts_with('{') { id.as_str() } else { seg }).collect::<Vec<_>>().join("/");
            let names_b = b_ids.iter().any(|x| path.contains(x.as_str()));
            let body = if method == "get" { serde_json::Value::Null } else { body_for(&method.to_uppercase(), &path, &b, &a_owner.id) };
            for caller in [Caller::Session(a_owner), Caller::Token(&a_token)] {
                let (status, res) = call(&app, &caller, &method.to_uppercase(), &path, &body).await;
                swept += 1;
                // 401 only where a session or shop token is not the credential at all:
                // the platform API and the endpoints signed by a channel's secret.
                let other_credential = template.contains("/platform/") || template.ends_with("/webhook") || template.ends_with("/email");
                let refused = [403, 404].contains(&status) || (other_credential && status == 401);
                if names_b && !refused {
                    failures.push(format!("{method} {path}: {status} {res}"));
                }
                let text = res.to_string();
                if text.contains(secret_words) || b_ids.iter().any(|x| *x != &b.owner && text.contains(x.as_str())) && !names_b {
                    failures.push(format!("{method} {path} leaked shop B: {text}"));
                }
            }
        }
    }
    assert!(swept > 200, "the sweep covered the whole document ({swept} calls)");
    assert!(failures.is_empty(), "cross-shop reach:\n{}", failures.join("\n"));

    // B is untouched: same messages, its token still works, its invitation still pending.
    let (_, b_after) = b_owner.get(&format!("/api/v1/conversations/{}/messages", b.conversation)).await;
    assert_eq!(b_before, b_after);
    let (_, people) = b_owner.get("/api/v1/people").await;
    assert_eq!(people["invitations"][0]["id"].as_str(), Some(b.invitation.as_str()));
    assert!(people["people"].as_array().unwrap().iter().all(|p| p["state"] == "active" && p["display_name"] != "越权"));
    let (_, ticket) = b_owner.get(&format!("/api/v1/tickets/{}", b.ticket)).await;
    assert_eq!((ticket["priority"].as_str(), ticket["comments"].as_array().map(|c| c.len())), (Some("normal"), Some(0)), "{ticket}");

    // Webhook and email endpoints: B's channel refuses A's signature.
    let body = br#"{"event_id":"x","type":"message","external_id":"u","content":"hi"}"#;
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let sig = kefu_core::channels::signature::sign(a.channel_secret.as_bytes(), ts, body);
    for endpoint in ["webhook", "email"] {
        let res = app
            .http
            .post(format!("{}/api/v1/channels/{}/{endpoint}", app.base, b.channel))
            .header(kefu_core::channels::signature::TIMESTAMP_HEADER, ts.to_string())
            .header(kefu_core::channels::signature::SIGNATURE_HEADER, sig.clone())
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert!([401, 404].contains(&res.status().as_u16()), "{endpoint}: {}", res.status());
    }
    // Both sockets: A's workspace hears nothing of B; A's widget does not resume B's visitor.
    let (mut b_customer, _) = crate::onboarding::widget_of(&app, made[1]["shop"]["widget_key"].as_str().unwrap(), None).await;
    send(&mut b_customer, json!({"type": "send", "content": secret_words, "client_id": "c2"})).await;
    next_of(&mut b_customer, "ack").await;
    let (mut a_customer, _) = crate::onboarding::widget_of(&app, made[0]["shop"]["widget_key"].as_str().unwrap(), None).await;
    send(&mut a_customer, json!({"type": "send", "content": "甲店第二位顾客", "client_id": "c3"})).await;
    let seen = next_where(&mut a_ws, |f| f.to_string().contains("甲店第二位顾客") || f.to_string().contains(secret_words)).await;
    assert!(!seen.to_string().contains(secret_words), "{seen}");
}
