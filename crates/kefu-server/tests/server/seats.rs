//! Seats (接待): owners, admins and supervisors are given conversations only when they switch
//! 接待 on; agents as before. The status is chosen without a live workspace, kept, and applied
//! when the workspace connects; routing still gives only to online people with a socket.

use crate::harness::*;
use serde_json::{json, Value};

/// A widget customer writes; returns the conversation id.
async fn customer_writes(app: &TestApp, text: &str) -> (Ws, String) {
    let (mut ws, _) = app.widget(None, None).await;
    send(&mut ws, json!({"type": "send", "content": text, "client_id": "s-1"})).await;
    let ack = next_where(&mut ws, |f| f["type"] == "ack").await;
    (ws, ack["message"]["conversation_id"].as_str().expect("conversation").to_string())
}

async fn conversation(who: &Agent, id: &str) -> Value {
    who.get(&format!("/api/v1/conversations/{id}")).await.1
}

fn seat_of<'a>(queue: &'a Value, id: &str) -> &'a Value {
    queue["agents"].as_array().expect("agents").iter().find(|a| a["id"] == id).expect("seat")
}

#[tokio::test]
async fn supervisors_and_owners_take_chats_only_with_接待_on() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    // Both open the workspace: online, but not seats that routing fills.
    let (_ws_o, hello) = owner.socket().await;
    assert_eq!(hello["user"]["status"], "online", "{hello}");
    let (_ws_s, _) = supervisor.socket().await;
    let (_c1, first) = customer_writes(&app, "你好，我想问下发货时间").await;
    let c = conversation(&owner, &first).await;
    assert_eq!((c["status"].as_str(), c["agent_id"].as_str()), (Some("queued"), None), "{c}");
    let (_c2, second) = customer_writes(&app, "能开发票吗").await;
    assert_eq!(conversation(&owner, &second).await["status"], "queued");
    let (_, q) = owner.get("/api/v1/queue").await;
    assert_eq!(q["waiting"].as_array().map(Vec::len), Some(2), "{q}");
    assert_eq!((seat_of(&q, &supervisor.id)["status"].as_str(), seat_of(&q, &supervisor.id)["takes_chats"].as_bool()), (Some("online"), Some(false)));
    let (_, me) = supervisor.get("/api/v1/me").await;
    assert_eq!(me["seat"], json!({"status": "online", "takes_chats": false}), "{me}");

    // The supervisor switches 接待 on: the waiting conversations are theirs at once.
    let (s, body) = supervisor.post_put("/api/v1/me/status", json!({"takes_chats": true})).await;
    assert_eq!((s, body["seat"]["takes_chats"].as_bool()), (200, Some(true)), "{body}");
    assert_eq!(conversation(&owner, &first).await["agent_id"], supervisor.id.as_str());
    assert_eq!(conversation(&owner, &second).await["agent_id"], supervisor.id.as_str());
    // And off again: nothing new comes to them; the next one waits for someone else.
    let (s, _) = supervisor.post_put("/api/v1/me/status", json!({"takes_chats": false})).await;
    assert_eq!(s, 200);
    let (_, q) = owner.get("/api/v1/queue").await;
    assert_eq!(seat_of(&q, &supervisor.id)["takes_chats"], false);
    let (_c3, third) = customer_writes(&app, "退货地址是哪里").await;
    assert_eq!(conversation(&owner, &third).await["status"], "queued");

    // The owner switches 接待 on without a workspace open: kept, applied when it opens.
    drop(_ws_o);
    until_offline(&owner, &owner.id).await;
    let (s, body) = owner.post_put("/api/v1/me/status", json!({"takes_chats": true})).await;
    assert_eq!((s, body["user"]["status"].as_str(), body["seat"]["takes_chats"].as_bool()), (200, Some("offline"), Some(true)), "{body}");
    assert_eq!(conversation(&owner, &third).await["status"], "queued", "no socket, no chats");
    let (_ws_o, _) = owner.socket().await;
    assert_eq!(conversation(&owner, &third).await["agent_id"], owner.id.as_str());
    // The choice outlives the session.
    let owner_again = app.login("owner@demo.kefu").await;
    assert_eq!(owner_again.get("/api/v1/me").await.1["seat"]["takes_chats"], true);
}

#[tokio::test]
async fn agents_take_chats_as_before_and_their_status_is_kept_without_a_socket() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, me) = agent.get("/api/v1/me").await;
    assert_eq!(me["seat"], json!({"status": "online", "takes_chats": true}), "{me}");
    // Agents cannot switch 接待 off: they choose busy or away.
    let (s, body) = agent.post_put("/api/v1/me/status", json!({"takes_chats": false})).await;
    assert_eq!((s, body["error"]["code"].as_str()), (409, Some("agents_take_chats")), "{body}");
    let (s, body) = agent.post_put("/api/v1/me/status", json!({})).await;
    assert_eq!((s, &body["seat"]), (200, &json!({"status": "online", "takes_chats": true})), "nothing to change: {body}");
    let (s, body) = agent.post_put("/api/v1/me/status", json!({"status": "offline"})).await;
    assert_eq!(s, 400, "{body}");

    // 忙碌 chosen on a page without the workspace: kept; live status stays offline.
    let (s, body) = agent.post_put("/api/v1/me/status", json!({"status": "busy"})).await;
    assert_eq!((s, body["user"]["status"].as_str(), body["seat"]["status"].as_str()), (200, Some("offline"), Some("busy")), "{body}");
    let (_ws, hello) = agent.socket().await;
    assert_eq!(hello["user"]["status"], "busy", "applied when the workspace connects: {hello}");
    let (_c, id) = customer_writes(&app, "在吗").await;
    assert_eq!(conversation(&agent, &id).await["status"], "queued", "busy takes nothing new");
    let (s, body) = agent.post_put("/api/v1/me/status", json!({"status": "online"})).await;
    assert_eq!((s, body["user"]["status"].as_str()), (200, Some("online")), "{body}");
    assert_eq!(conversation(&agent, &id).await["agent_id"], agent.id.as_str());
    // A new arrival goes straight to the online agent, as before.
    let (_c2, next) = customer_writes(&app, "有优惠吗").await;
    assert_eq!(conversation(&agent, &next).await["agent_id"], agent.id.as_str());

    // Promoted to supervisor while at work: no 接待 chosen, so nothing new comes to them.
    let owner = app.login("owner@demo.kefu").await;
    let (s, _) = owner.post_put(&format!("/api/v1/agents/{}/role", agent.id), json!({"role": "supervisor"})).await;
    assert_eq!(s, 200);
    let (_c3, third) = customer_writes(&app, "包邮吗").await;
    assert_eq!(conversation(&owner, &third).await["status"], "queued");
    // Back to agent: a seat again at once, and the waiting one is theirs.
    let (s, _) = owner.post_put(&format!("/api/v1/agents/{}/role", agent.id), json!({"role": "agent"})).await;
    assert_eq!(s, 200);
    assert_eq!(conversation(&owner, &third).await["agent_id"], agent.id.as_str());
}

/// Wait until the desk has noticed a closed workspace.
async fn until_offline(viewer: &Agent, id: &str) {
    for _ in 0..100 {
        let (_, q) = viewer.get("/api/v1/queue").await;
        if seat_of(&q, id)["status"] == "offline" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{id} never went offline");
}

#[tokio::test]
async fn after_the_bots_hand_off_the_customer_still_waits_for_a_person() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let kb = json!({"kb": {"faqs": [{"id": "shipping", "question": "什么时候发货", "similar": ["多久发货"], "answer": "付款后48小时内发货"}], "flows": [], "handoff": {"unknown_streak": 3}}});
    crate::bot::put_kb(&owner, kb["kb"].clone()).await;
    let (mut ws, _) = app.widget(None, None).await;
    send(&mut ws, json!({"type": "send", "content": "什么时候发货", "client_id": "h-1"})).await;
    next_where(&mut ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "bot").await;
    send(&mut ws, json!({"type": "send", "content": "转人工", "client_id": "h-2"})).await;
    let asked = next_where(&mut ws, |f| f["type"] == "ack" && f["client_id"] == "h-2").await;
    let id = asked["message"]["conversation_id"].as_str().expect("conversation").to_string();
    // The bot's 转人工 notice follows; nobody takes chats, so the conversation waits.
    next_where(&mut ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "bot").await;
    assert_eq!(conversation(&owner, &id).await["status"], "queued");
    // The workspace's timers start where the customer asked for a person, not at "—".
    let (_ws, hello) = owner.socket().await;
    assert_eq!(hello["waiting_since"][&id], asked["message"]["created_at"], "{}", hello["waiting_since"]);
}
