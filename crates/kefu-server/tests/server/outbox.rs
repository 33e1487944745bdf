//! The outbox through a real callback server on an ephemeral port: replies to platform
//! conversations arrive signed, once each and in order per conversation through failures;
//! the dead-letter limit and replay; outgoing webhook subscriptions.

use crate::channels::{bearer, channel, dm, post_event, token};
use crate::harness::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the callback server has seen.
#[derive(Default)]
pub struct Seen {
    /// Secret to verify signatures with (set once known).
    pub secret: String,
    /// Answer 500 to this many requests first.
    pub fail_first: usize,
    /// Answer 500 to everything.
    pub fail_always: bool,
    /// Check signatures against the sender's own timestamp (senders on a moved test clock).
    pub any_time: bool,
    /// Requests so far.
    pub calls: usize,
    /// Requests with a bad signature.
    pub bad_signatures: usize,
    /// Bodies answered 200, in arrival order.
    pub accepted: Vec<Value>,
}

pub type Shared = Arc<Mutex<Seen>>;

async fn receive(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut s = seen.lock().expect("lock");
    s.calls += 1;
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let mut now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    if s.any_time {
        now = h("x-kefu-timestamp").and_then(|t| t.parse::<i64>().ok()).map_or(now, |t| t * 1000);
    }
    if kefu_core::channels::signature::verify(s.secret.as_bytes(), h("x-kefu-timestamp"), h("x-kefu-signature"), &body, now).is_err() {
        s.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    if s.fail_always || s.calls <= s.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    v["_delivery_header"] = json!(h("x-kefu-delivery"));
    s.accepted.push(v);
    StatusCode::OK
}

/// Start a callback server; returns its URL and what it sees.
pub async fn callback_server() -> (String, Shared) {
    callback_server_on("127.0.0.1:0", Arc::default()).await
}

/// Start a callback server on a given address, recording into `seen`.
pub async fn callback_server_on(addr: &str, seen: Shared) -> (String, Shared) {
    let app = axum::Router::new().route("/callback", axum::routing::post(receive)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/callback"), seen)
}

async fn spawn_with_retries(max_attempts: u32) -> TestApp {
    TestApp::spawn_with(|a| {
        a.outbox_retry_base_ms = Some(5);
        a.outbox_retry_cap_ms = Some(40);
        a.outbox_max_attempts = Some(max_attempts);
    })
    .await
}

/// Wait until `pred` holds for what the callback saw (10 s at most).
pub async fn until(seen: &Shared, what: &str, pred: impl Fn(&Seen) -> bool) {
    for _ in 0..1000 {
        if pred(&seen.lock().expect("lock")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let s = seen.lock().expect("lock");
    panic!("timed out waiting for {what}: {} calls, {} accepted, {} bad signatures", s.calls, s.accepted.len(), s.bad_signatures);
}

#[tokio::test]
async fn replies_reach_the_callback_once_and_in_order_through_failures() {
    let app = spawn_with_retries(8).await;
    let (url, seen) = callback_server().await;
    let (ch, secret) = channel(&app, &url).await;
    {
        let mut s = seen.lock().expect("lock");
        s.secret = secret.clone();
        s.fail_first = 3;
    }
    let owner = app.login("owner@demo.kefu").await;
    let mut conversations = Vec::new();
    for user in ["dy-a", "dy-b"] {
        let (status, res) = post_event(&app, &ch, &secret, &dm(&format!("hello-{user}"), user, "在吗？")).await;
        assert_eq!(status, 200, "{res}");
        conversations.push(res["conversation_id"].as_str().expect("conversation").to_string());
    }
    for n in 1..=3 {
        for c in &conversations {
            let (status, res) = owner.post(&format!("/api/v1/conversations/{c}/messages"), json!({"content": format!("回复{n}"), "client_id": format!("r{n}-{c}")})).await;
            assert_eq!(status, 201, "{res}");
        }
    }
    until(&seen, "six replies", |s| s.accepted.len() >= 6).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let s = seen.lock().expect("lock");
    assert_eq!(s.bad_signatures, 0);
    assert!(s.calls >= 9, "three failures then six successes: {} calls", s.calls);
    assert_eq!(s.accepted.len(), 6, "each reply exactly once: {:?}", s.accepted);
    let ids: std::collections::HashSet<&str> = s.accepted.iter().filter_map(|v| v["message"]["id"].as_str()).collect();
    assert_eq!(ids.len(), 6);
    for (c, user) in conversations.iter().zip(["dy-a", "dy-b"]) {
        let mine: Vec<&Value> = s.accepted.iter().filter(|v| v["message"]["conversation_id"] == c.as_str()).collect();
        let texts: Vec<&str> = mine.iter().filter_map(|v| v["message"]["content"].as_str()).collect();
        assert_eq!(texts, vec!["回复1", "回复2", "回复3"], "in order per conversation");
        assert!(mine.iter().all(|v| v["recipient"]["user_id"] == user && v["channel_id"] == ch.as_str() && v["delivery_id"] == v["_delivery_header"]));
    }
    drop(s);
    let (_, dead) = owner.get("/api/v1/outbox?state=dead").await;
    assert_eq!(dead["deliveries"], json!([]));
    let (_, done) = owner.get("/api/v1/outbox?state=delivered").await;
    assert_eq!(done["deliveries"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn deliveries_are_dead_lettered_after_the_limit_and_replay_sends_them() {
    let app = spawn_with_retries(2).await;
    let (url, seen) = callback_server().await;
    let (ch, secret) = channel(&app, &url).await;
    {
        let mut s = seen.lock().expect("lock");
        s.secret = secret.clone();
        s.fail_always = true;
    }
    let owner = app.login("owner@demo.kefu").await;
    let (_, res) = post_event(&app, &ch, &secret, &dm("e-1", "dy-c", "退款什么时候到？")).await;
    let conv = res["conversation_id"].as_str().expect("conversation").to_string();
    let (status, _) = owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "已经在处理了"})).await;
    assert_eq!(status, 201);

    let mut dead = Value::Null;
    for _ in 0..500 {
        dead = owner.get("/api/v1/outbox?state=dead").await.1;
        if dead["deliveries"].as_array().is_some_and(|d| !d.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let d = &dead["deliveries"][0];
    assert_eq!((d["attempts"].as_u64(), d["last_error"].as_str(), d["event"].as_str()), (Some(2), Some("HTTP 500"), Some("reply")), "{dead}");
    assert!(d.get("payload").is_none(), "payloads stay out of listings");
    assert_eq!(seen.lock().expect("lock").calls, 2);

    seen.lock().expect("lock").fail_always = false;
    let id = d["id"].as_str().expect("id");
    let (status, replayed) = owner.post(&format!("/api/v1/outbox/{id}/replay"), json!({})).await;
    assert_eq!((status, replayed["state"].as_str()), (200, Some("pending")), "{replayed}");
    until(&seen, "the replayed reply", |s| s.accepted.len() == 1).await;
    assert_eq!(seen.lock().expect("lock").accepted[0]["message"]["content"], "已经在处理了");
    // The channels page lists the channel's reply attempts: the two failures and the success.
    let mut sends = Value::Null;
    for _ in 0..100 {
        sends = owner.get(&format!("/api/v1/channels/{ch}/events")).await.1["sends"].clone();
        if sends.as_array().is_some_and(|s| s.len() == 3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let outcomes: Vec<(bool, Option<&str>)> = sends.as_array().expect("sends").iter().map(|s| (s["ok"] == true, s["error"].as_str())).collect();
    assert_eq!(outcomes, vec![(true, None), (false, Some("HTTP 500")), (false, Some("HTTP 500"))], "{sends}");
    let (status, again) = owner.post(&format!("/api/v1/outbox/{id}/replay"), json!({})).await;
    assert_eq!(status, 409, "only dead deliveries replay: {again}");
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.get("/api/v1/outbox?state=dead").await.0, 403);
}

#[tokio::test]
async fn webhook_subscribers_receive_signed_events_with_pii_masked() {
    let app = spawn_with_retries(5).await;
    let (url, seen) = callback_server().await;
    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/webhooks", json!({"url": url, "events": ["conversation.created", "message.created"]})).await;
    assert_eq!(status, 201, "{created}");
    seen.lock().expect("lock").secret = created["secret"].as_str().expect("secret").to_string();
    let (status, bad) = owner.post("/api/v1/webhooks", json!({"url": url, "events": ["order.paid"]})).await;
    assert_eq!(status, 400, "{bad}");

    let t = token(&app, &["inbound:write"]).await;
    let (status, res) = bearer(&app, &t, reqwest::Method::POST, "/api/v1/inbound/messages", Some(json!({"external_id": "crm-1", "content": "电话13812345678，帮我改地址"}))).await;
    assert_eq!(status, 201, "{res}");
    until(&seen, "two events", |s| s.accepted.len() >= 2).await;
    let s = seen.lock().expect("lock");
    let events: Vec<&str> = s.accepted.iter().filter_map(|v| v["event"].as_str()).collect();
    assert_eq!(events, vec!["conversation.created", "message.created"], "in commit order");
    let text = s.accepted[1]["message"]["content"].as_str().unwrap_or("");
    assert!(!text.contains("13812345678") && text.contains("帮我改地址"), "{text}");
    assert_eq!(s.accepted[0]["conversation_id"], res["conversation"]["id"]);
    drop(s);

    let id = created["webhook"]["id"].as_str().expect("id");
    let (_, list) = owner.get("/api/v1/webhooks").await;
    assert_eq!(list["webhooks"][0]["id"], id);
    assert!(list["webhooks"][0].get("secret").is_none());
    let res = app.http.delete(format!("{}/api/v1/webhooks/{id}", app.base)).header("cookie", &owner.cookie).header("x-csrf-token", &owner.csrf).send().await.expect("delete");
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(owner.get("/api/v1/webhooks").await.1["webhooks"], json!([]));
}
