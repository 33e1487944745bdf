//! Routing through the real server: agents and customers over WebSocket, the routing
//! configuration through the API, time moved by a manual clock where offers and overflow
//! depend on it.

use crate::harness::*;
use serde_json::{json, Value};
use std::time::Duration;

/// A widget customer: the socket and their customer id.
struct Customer {
    ws: Ws,
    id: String,
    token: String,
}

/// A new visitor: no customer until their first message (`says` learns the id).
async fn customer(app: &TestApp) -> Customer {
    let (ws, hello) = app.widget(None, None).await;
    let token = hello["visitor_token"].as_str().expect("token").to_string();
    assert!(hello["customer_id"].is_null(), "no customer before the first message: {hello}");
    Customer { ws, id: String::new(), token }
}

/// A visitor who wrote on an earlier visit: their customer exists before they write.
async fn known_customer(app: &TestApp) -> Customer {
    let (ws, hello) = app.known_visitor().await;
    let token = hello["visitor_token"].as_str().expect("token").to_string();
    Customer { ws, id: hello["customer_id"].as_str().expect("customer id").to_string(), token }
}

impl Customer {
    /// Write and wait for the ack; returns the conversation id.
    async fn says(&mut self, text: &str) -> String {
        let client_id = format!("c-{}", text.len() + rand_suffix());
        send(&mut self.ws, json!({"type": "send", "content": text, "client_id": client_id})).await;
        let ack = next_where(&mut self.ws, |f| f["type"] == "ack" && f["client_id"] == client_id.as_str()).await;
        self.id = ack["message"]["customer_id"].as_str().expect("customer").to_string();
        ack["message"]["conversation_id"].as_str().expect("conversation").to_string()
    }

    /// The next queue frame: (position, expected wait).
    async fn queue_frame(&mut self) -> (u64, u64) {
        let f = next_of(&mut self.ws, "queue").await;
        (f["position"].as_u64().unwrap_or(0), f["expected_wait_secs"].as_u64().unwrap_or(0))
    }
}

fn rand_suffix() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn ids(owner: &Agent) -> (String, String, String, String) {
    let agents = owner.get("/api/v1/agents").await.1;
    let id_of = |email: &str| {
        agents["agents"].as_array().expect("agents").iter().find(|u| u["email"] == email).expect("user")["id"].as_str().expect("id").to_string()
    };
    (id_of("owner@demo.kefu"), id_of("supervisor@demo.kefu"), id_of("agent1@demo.kefu"), id_of("agent2@demo.kefu"))
}

async fn put_routing(owner: &Agent, config: Value) {
    let (status, body) = owner.post_put("/api/v1/routing", config).await;
    assert_eq!(status, 200, "routing accepted: {body}");
}

async fn conversation(agent: &Agent, id: &str) -> Value {
    agent.get(&format!("/api/v1/conversations/{id}")).await.1
}

async fn queue(agent: &Agent) -> Value {
    agent.get("/api/v1/queue").await.1
}

fn load_of(queue: &Value, agent: &str) -> u64 {
    queue["agents"].as_array().expect("agents").iter().find(|a| a["id"] == agent).expect("seat")["load"].as_u64().unwrap_or(99)
}

#[tokio::test]
async fn capacity_vip_priority_and_queue_positions() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, _, agent1_id, _) = ids(&owner).await;
    put_routing(&owner, json!({"agents": {agent1_id.clone(): {"capacity": 1}}})).await;
    let agent1 = app.login("agent1@demo.kefu").await;
    let (_ws1, _) = agent1.socket().await;

    let mut a = customer(&app).await;
    let conv_a = a.says("你好，在吗").await;
    assert_eq!(conversation(&agent1, &conv_a).await["agent_id"], agent1_id.as_str());
    let mut b = customer(&app).await;
    let conv_b = b.says("有货吗").await;
    assert_eq!(b.queue_frame().await.0, 1);
    let mut c = customer(&app).await;
    c.says("发什么快递").await;
    assert_eq!(c.queue_frame().await.0, 2);
    // A VIP (by tag) jumps the queue: B and C move down.
    let mut vip = known_customer(&app).await;
    let (s, tagged) = agent1.post_put(&format!("/api/v1/customers/{}/tags", vip.id), json!({"tags": ["VIP", " VIP "]})).await;
    assert_eq!((s, tagged["tags"].clone()), (200, json!(["VIP"])));
    let conv_vip = vip.says("我买的东西什么时候到").await;
    assert_eq!(vip.queue_frame().await.0, 1);
    assert_eq!(b.queue_frame().await.0, 2);
    assert_eq!(c.queue_frame().await.0, 3);
    let v = conversation(&agent1, &conv_vip).await;
    assert_eq!((v["status"].as_str(), v["priority"].as_i64()), (Some("queued"), Some(10)));
    // Capacity 1: still one conversation.
    assert_eq!(load_of(&queue(&owner).await, &agent1_id), 1);
    let q = queue(&owner).await;
    let order: Vec<&str> = q["waiting"].as_array().expect("waiting").iter().filter_map(|w| w["conversation_id"].as_str()).collect();
    assert_eq!(order[0], conv_vip);
    assert_eq!(order[1], conv_b);

    // A is resolved: the VIP is served next, B and C move up.
    let (s, _) = agent1.post(&format!("/api/v1/conversations/{conv_a}/resolve"), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(conversation(&agent1, &conv_vip).await["agent_id"], agent1_id.as_str());
    assert_eq!(b.queue_frame().await.0, 1);
    assert_eq!(c.queue_frame().await.0, 2);
    assert_eq!(load_of(&queue(&owner).await, &agent1_id), 1);
    // A reconnecting customer is told their place in the hello; a new visitor does not wait.
    let (_ws, hello) = app.widget(Some(&c.token), None).await;
    assert_eq!(hello["queue"]["position"], 2, "{hello}");
    let (_ws, hello) = app.widget(None, None).await;
    assert!(hello.get("queue").is_none());
}

#[tokio::test]
async fn least_load_then_longest_idle_and_the_offer_timeout() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, _, agent1_id, agent2_id) = ids(&owner).await;
    put_routing(&owner, json!({"timings": {"offer_timeout_secs": 15}})).await;
    let agent1 = app.login("agent1@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    let (mut ws1, _) = agent1.socket().await;
    clock.advance(1_000);
    let (mut ws2, _) = agent2.socket().await;

    // Both hold nothing: agent1 has been idle longer and gets the offer.
    let mut cu = customer(&app).await;
    let conv = cu.says("请问这个有优惠吗").await;
    let offer = next_of(&mut ws1, "offer").await;
    assert_eq!(offer["conversation_id"], conv.as_str());
    assert_eq!(conversation(&owner, &conv).await["status"], "queued", "an offer is not an assignment");
    // Not accepted within 15 s: withdrawn and offered to agent2.
    clock.advance(15_001);
    let withdrawn = next_of(&mut ws1, "offer_withdrawn").await;
    assert_eq!(withdrawn["conversation_id"], conv.as_str());
    let offer2 = next_of(&mut ws2, "offer").await;
    assert_eq!(offer2["conversation_id"], conv.as_str());
    // agent1 can no longer accept it; agent2 can.
    let (s, _) = agent1.post(&format!("/api/v1/conversations/{conv}/accept"), json!({})).await;
    assert_eq!(s, 409);
    send(&mut ws2, json!({"type": "accept", "conversation_id": conv})).await;
    let taken = next_where(&mut ws2, |f| f["type"] == "conversation" && f["conversation"]["status"] == "assigned").await;
    assert_eq!(taken["conversation"]["agent_id"], agent2_id.as_str());

    // agent2 holds one, agent1 none: agent1 is offered the next.
    let mut cu2 = customer(&app).await;
    let conv2 = cu2.says("在吗").await;
    let offer = next_of(&mut ws1, "offer").await;
    assert_eq!(offer["conversation_id"], conv2.as_str());
    let (s, _) = agent1.post(&format!("/api/v1/conversations/{conv2}/decline"), json!({})).await;
    assert_eq!(s, 204);
    // Declined: it goes to agent2 even though agent2 is busier.
    let offer = next_of(&mut ws2, "offer").await;
    assert_eq!(offer["conversation_id"], conv2.as_str());
    let (s, c) = agent2.post(&format!("/api/v1/conversations/{conv2}/accept"), json!({})).await;
    assert_eq!((s, c["agent_id"].as_str()), (200, Some(agent2_id.as_str())));
    let q = queue(&owner).await;
    assert_eq!((load_of(&q, &agent1_id), load_of(&q, &agent2_id)), (0, 2));
}

#[tokio::test]
async fn overflow_to_the_backup_pool_after_the_threshold() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, supervisor_id, agent1_id, _) = ids(&owner).await;
    put_routing(
        &owner,
        json!({
            "teams": [{"id": "presale", "name": "售前", "members": [agent1_id], "backup": [supervisor_id]}],
            "default_team": "presale",
            "timings": {"overflow_after_secs": 60}
        }),
    )
    .await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    // A supervisor takes chats only with 接待 on (see seats.rs).
    let (s, _) = supervisor.post_put("/api/v1/me/status", json!({"takes_chats": true})).await;
    assert_eq!(s, 200);
    let (_ws, _) = supervisor.socket().await; // online, but only a backup; agent1 is offline
    let mut cu = customer(&app).await;
    let conv = cu.says("这款有红色吗").await;
    assert_eq!(cu.queue_frame().await.0, 1);
    clock.advance(30_000);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let c = conversation(&owner, &conv).await;
    assert_eq!((c["status"].as_str(), c["team_id"].as_str()), (Some("queued"), Some("presale")), "not before the threshold");
    clock.advance(31_000);
    let mut assigned = Value::Null;
    for _ in 0..30 {
        assigned = conversation(&owner, &conv).await;
        if assigned["status"] == "assigned" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(assigned["agent_id"], supervisor_id.as_str(), "{assigned}");
}

#[tokio::test]
async fn rules_send_conversations_to_teams() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, _, agent1_id, agent2_id) = ids(&owner).await;
    put_routing(
        &owner,
        json!({
            "teams": [
                {"id": "presale", "name": "售前", "members": [agent1_id]},
                {"id": "aftersale", "name": "售后", "members": [agent2_id]}
            ],
            "rules": [{"name": "退款找售后", "when": {"keywords": ["退款", "退货"]}, "team": "aftersale", "priority": 5}],
            "default_team": "presale"
        }),
    )
    .await;
    let agent1 = app.login("agent1@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    let (_w1, _) = agent1.socket().await;
    let (_w2, _) = agent2.socket().await;
    let mut refund = customer(&app).await;
    let conv = refund.says("我要退款，东西坏了").await;
    let c = conversation(&owner, &conv).await;
    assert_eq!((c["team_id"].as_str(), c["agent_id"].as_str(), c["priority"].as_i64()), (Some("aftersale"), Some(agent2_id.as_str()), Some(5)));
    let mut ask = customer(&app).await;
    let conv = ask.says("这个有优惠吗").await;
    let c = conversation(&owner, &conv).await;
    assert_eq!((c["team_id"].as_str(), c["agent_id"].as_str()), (Some("presale"), Some(agent1_id.as_str())));
    let routing = agent1.get("/api/v1/routing").await.1;
    assert_eq!(routing["rules"][0]["name"], "退款找售后");
}

#[tokio::test]
async fn a_bad_routing_configuration_is_refused_whole() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (status, body) = owner
        .post_put(
            "/api/v1/routing",
            json!({"teams": [{"id": "售前", "name": ""}], "rules": [{"name": "x", "team": "nowhere", "priority": 500}]}),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_document")), "{body}");
    let paths: Vec<&str> = body["error"]["details"].as_array().expect("problems").iter().filter_map(|p| p["path"].as_str()).collect();
    assert_eq!(paths, vec!["teams[0].id", "teams[0].name", "rules[0].team", "rules[0].priority"]);
    let (status, body) = owner.post_put("/api/v1/routing", json!({"teams": [], "surprise": 1})).await;
    assert_eq!(status, 400, "unknown fields are refused: {body}");
    assert_eq!(owner.get("/api/v1/routing").await.1["teams"], json!([]), "nothing was stored");
    let agent = app.login("agent1@demo.kefu").await;
    let (status, _) = agent.post_put("/api/v1/routing", json!({})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn concurrent_arrivals_never_double_assign() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, _, agent1_id, agent2_id) = ids(&owner).await;
    put_routing(&owner, json!({"agents": {agent1_id.clone(): {"capacity": 3}, agent2_id.clone(): {"capacity": 3}}})).await;
    let agent1 = app.login("agent1@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    let (_w1, _) = agent1.socket().await;
    let (_w2, _) = agent2.socket().await;
    let mut customers = Vec::new();
    for _ in 0..20 {
        customers.push(customer(&app).await);
    }
    let convs = futures_util::future::join_all(customers.iter_mut().enumerate().map(|(i, c)| async move { c.says(&format!("第{i}位顾客：在吗")).await })).await;
    let list = owner.get("/api/v1/conversations?limit=100").await.1;
    let all = list["conversations"].as_array().expect("list");
    let of = |agent: &str| all.iter().filter(|c| c["status"] == "assigned" && c["agent_id"] == agent).count();
    assert_eq!((of(&agent1_id), of(&agent2_id)), (3, 3));
    assert_eq!(all.iter().filter(|c| c["status"] == "queued").count(), 14);
    assert_eq!(convs.iter().collect::<std::collections::HashSet<_>>().len(), 20);
    let q = queue(&owner).await;
    assert_eq!((load_of(&q, &agent1_id), load_of(&q, &agent2_id)), (3, 3));
    let positions: Vec<u64> = q["waiting"].as_array().expect("waiting").iter().filter_map(|w| w["position"].as_u64()).collect();
    assert_eq!(positions, (1..=14).collect::<Vec<u64>>());
}

#[tokio::test]
async fn transfer_with_a_note_end_rate_and_start() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, _, agent1_id, agent2_id) = ids(&owner).await;
    put_routing(&owner, json!({"teams": [{"id": "aftersale", "name": "售后", "members": [agent2_id]}]})).await;
    let agent1 = app.login("agent1@demo.kefu").await;
    let agent2 = app.login("agent2@demo.kefu").await;
    let (_w1, _) = agent1.socket().await;
    let mut cu = customer(&app).await;
    let conv = cu.says("我想换个尺码").await;
    assert_eq!(conversation(&owner, &conv).await["agent_id"], agent1_id.as_str());
    let (mut w2, _) = agent2.socket().await;

    // agent2 may not move agent1's conversation; agent1 may, with a note for agent2.
    let (s, _) = agent2.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"agent_id": agent2_id})).await;
    assert_eq!(s, 403);
    let (s, body) = agent1.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"agent_id": agent2_id, "team_id": "aftersale"})).await;
    assert_eq!(s, 400, "{body}");
    let (s, moved) = agent1.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"agent_id": agent2_id, "note": "客户要换L码，已核实库存"})).await;
    assert_eq!((s, moved["agent_id"].as_str()), (200, Some(agent2_id.as_str())));
    let note = next_of(&mut w2, "transferred").await;
    assert_eq!((note["note"].as_str(), note["to_agent"].as_str()), (Some("客户要换L码，已核实库存"), Some(agent2_id.as_str())));
    let q = queue(&owner).await;
    assert_eq!((load_of(&q, &agent1_id), load_of(&q, &agent2_id)), (0, 1));
    // To a team: back in that team's queue, then to its free member (agent2 again).
    let (s, moved) = agent2.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"team_id": "nowhere"})).await;
    assert_eq!((s, moved["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, moved) = agent2.post(&format!("/api/v1/conversations/{conv}/transfer"), json!({"team_id": "aftersale"})).await;
    assert_eq!((s, moved["team_id"].as_str()), (200, Some("aftersale")));

    // Resolve: the customer is invited to rate; "5" is the rating, not a new question.
    let (s, _) = owner.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await;
    assert_eq!(s, 200);
    let invite = next_where(&mut cu.ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert!(invite["message"]["content"].as_str().unwrap_or("").contains("1-5"), "{invite}");
    cu.says("5").await;
    assert_eq!(conversation(&owner, &conv).await["status"], "resolved", "a rating does not reopen");
    send(&mut cu.ws, json!({"type": "rate", "stars": 4, "comment": "物流有点慢", "client_id": "r1"})).await;
    let ack = next_where(&mut cu.ws, |f| f["type"] == "ack" && f["client_id"] == "r1").await;
    assert_eq!(ack["message"]["content"], "4 分：物流有点慢");
    send(&mut cu.ws, json!({"type": "rate", "stars": 9, "client_id": "r2"})).await;
    let refused = next_where(&mut cu.ws, |f| f["type"] == "error" && f["client_id"] == "r2").await;
    assert_eq!(refused["code"], "invalid_request");

    // End it for good; the agent then writes first (proactive), in a new conversation.
    let (s, closed) = owner.post(&format!("/api/v1/conversations/{conv}/close"), json!({})).await;
    assert_eq!((s, closed["status"].as_str()), (200, Some("closed")));
    let (s, started) = agent1.post("/api/v1/conversations", json!({"customer_id": cu.id, "content": "亲，您换的L码已经发出啦"})).await;
    assert_eq!(s, 201, "{started}");
    assert_ne!(started["conversation"]["id"], conv.as_str());
    assert_eq!(started["conversation"]["agent_id"], agent1_id.as_str());
    let m = next_where(&mut cu.ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "agent").await;
    assert_eq!(m["message"]["content"], "亲，您换的L码已经发出啦");
}

#[tokio::test]
async fn a_customer_who_spent_over_500_yuan_in_30_days_is_vip_by_rfm() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, created) = owner.post("/api/v1/tokens", json!({"name": "platform", "scopes": ["inbound:write"]})).await;
    let token = created["secret"].as_str().expect("secret").to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    let day = 86_400_000;
    let order = |no: &str, buyer: &str, yuan: i64, days_ago: i64, status: &str| {
        json!({"external_id": no, "buyer": {"channel": "dm", "external_id": buyer}, "status": status,
               "amount_cents": yuan * 100, "created_at": now - days_ago * day, "paid_at": now - days_ago * day})
    };
    let orders = json!([
        order("DY-1", "big-spender", 320, 3, "delivered"),
        order("DY-2", "big-spender", 260, 12, "completed"),
        order("DY-3", "small-spender", 320, 3, "delivered"),
        order("DY-4", "small-spender", 900, 45, "completed"),
        order("DY-5", "small-spender", 400, 1, "refunded"),
    ]);
    let res = app.http.put(format!("{}/api/v1/orders", app.base)).bearer_auth(&token).json(&orders).send().await.expect("orders");
    assert_eq!(res.status().as_u16(), 200, "{:?}", res.text().await);
    let mut priorities = Vec::new();
    for buyer in ["big-spender", "small-spender"] {
        let res = app
            .http
            .post(format!("{}/api/v1/inbound/messages", app.base))
            .bearer_auth(&token)
            .json(&json!({"channel": "dm", "external_id": buyer, "content": "我的快递到哪了"}))
            .send()
            .await
            .expect("inbound");
        let body: Value = res.json().await.expect("json");
        priorities.push(body["conversation"]["priority"].as_i64());
        let customer = body["conversation"]["customer_id"].as_str().expect("customer").to_string();
        let card = owner.get(&format!("/api/v1/customers/{customer}")).await.1;
        assert_eq!(card["rfm"]["tier"], if buyer == "big-spender" { "vip" } else { "regular" }, "{card}");
    }
    assert_eq!(priorities, vec![Some(10), Some(0)], "¥580 in 30 days is VIP; ¥320 (the rest old or refunded) is not");
}
