//! The outbox across a restart (replies pending while the callback is down survive a stop
//! and start on the same data directory and arrive exactly once, in order), the SSRF guard
//! on callback and webhook URLs, and pruning of delivered rows by age.

use crate::channels::{bearer, channel, dm, post_event, token};
use crate::harness::*;
use crate::outbox::{callback_server_on, until, Seen, Shared};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn pending_replies_survive_a_restart_and_arrive_once_in_order() {
    let mut app = TestApp::spawn_with(|a| {
        a.outbox_retry_base_ms = Some(30);
        a.outbox_retry_cap_ms = Some(150);
        a.outbox_max_attempts = Some(100);
    })
    .await;
    // The callback's port is reserved and closed: the platform is down (connection refused).
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = format!("http://127.0.0.1:{port}/callback");
    let (ch, secret) = channel(&app, &url).await;
    let (status, res) = post_event(&app, &ch, &secret, &dm("restart-1", "dy-restart", "在吗？")).await;
    assert_eq!(status, 200, "{res}");
    let conv = res["conversation_id"].as_str().expect("conversation").to_string();
    let owner = app.login("owner@demo.kefu").await;
    for n in 1..=3 {
        let (status, r) = owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": format!("回复{n}"), "client_id": format!("restart-{n}")})).await;
        assert_eq!(status, 201, "{r}");
    }
    // Wait until the head has failed at least once, so the restart really interrupts retries.
    let mut pending = Value::Null;
    for _ in 0..500 {
        pending = owner.get("/api/v1/outbox?state=pending").await.1;
        if pending["deliveries"].as_array().is_some_and(|d| d.len() == 3 && d.iter().any(|x| x["attempts"].as_u64() >= Some(1))) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(pending["deliveries"].as_array().is_some_and(|d| d.iter().any(|x| x["attempts"].as_u64() >= Some(1))), "{pending}");

    app.restart().await;
    let seen: Shared = Arc::new(Mutex::new(Seen { secret: secret.clone(), ..Default::default() }));
    callback_server_on(&format!("127.0.0.1:{port}"), seen.clone()).await;
    until(&seen, "three replies after the restart", |s| s.accepted.len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    {
        let s = seen.lock().expect("lock");
        let texts: Vec<&str> = s.accepted.iter().filter_map(|v| v["message"]["content"].as_str()).collect();
        assert_eq!(texts, vec!["回复1", "回复2", "回复3"], "each exactly once, in order");
        assert_eq!(s.bad_signatures, 0);
    }
    let owner = app.login("owner@demo.kefu").await;
    let (_, done) = owner.get("/api/v1/outbox?state=delivered").await;
    assert_eq!(done["deliveries"].as_array().map(Vec::len), Some(3), "{done}");
    assert_eq!(owner.get("/api/v1/outbox?state=pending").await.1["deliveries"], json!([]));
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let app = TestApp::spawn_with(|a| a.allow_private_targets = Some(false)).await;
    let owner = app.login("owner@demo.kefu").await;
    for url in ["http://127.0.0.1:9/cb", "http://localhost:9/cb", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/x", "http://10.0.0.7/hook", "http://0.0.0.0:80/"] {
        let (status, err) = owner.post("/api/v1/channels", json!({"name": "内网", "platform": "douyin", "callback_url": url})).await;
        assert_eq!((status, err["error"]["code"].as_str()), (422, Some("private_target")), "{url}: {err}");
        let (status, err) = owner.post("/api/v1/webhooks", json!({"url": url, "events": ["ticket.*"]})).await;
        assert_eq!((status, err["error"]["code"].as_str()), (422, Some("private_target")), "{url}: {err}");
    }
    // A public address is fine (a literal, so the test needs no DNS).
    let (status, created) = owner.post("/api/v1/webhooks", json!({"url": "https://203.0.113.10/hook", "events": ["ticket.*"]})).await;
    assert_eq!(status, 422, "documentation ranges are not public either: {created}");
    let (status, created) = owner.post("/api/v1/webhooks", json!({"url": "https://8.8.8.8/hook", "events": ["ticket.*"]})).await;
    assert_eq!(status, 201, "{created}");
}

#[tokio::test]
async fn delivered_rows_older_than_the_retention_are_pruned() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let (url, seen) = crate::outbox::callback_server().await;
    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/webhooks", json!({"url": url, "events": ["message.created"]})).await;
    assert_eq!(status, 201, "{created}");
    {
        let mut s = seen.lock().expect("lock");
        s.secret = created["secret"].as_str().expect("secret").to_string();
        s.any_time = true;
    }
    // API tokens do not expire with the moved clock (sessions would).
    let t = token(&app, &["inbound:write", "settings:manage"]).await;
    let deliver = |n: usize| {
        let (app, t, seen) = (&app, &t, &seen);
        async move {
            let (status, res) = bearer(app, t, reqwest::Method::POST, "/api/v1/inbound/messages", Some(json!({"external_id": format!("prune-{n}"), "content": "你好"}))).await;
            assert_eq!(status, 201, "{res}");
            until(seen, "the webhook", |s| s.accepted.len() >= n).await;
        }
    };
    let delivered = || async { bearer(&app, &t, reqwest::Method::GET, "/api/v1/outbox?state=delivered", None).await.1["deliveries"].as_array().map_or(0, Vec::len) };
    deliver(1).await;
    for _ in 0..200 {
        if delivered().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    clock.advance(6 * 24 * 3600 * 1000);
    deliver(2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.state().channels.prune_outbox().await.expect("prune");
    assert_eq!(delivered().await, 2, "both younger than 7 days");
    clock.advance(2 * 24 * 3600 * 1000);
    app.state().channels.prune_outbox().await.expect("prune");
    assert_eq!(delivered().await, 1, "the 8-day-old row is gone, the 2-day-old one stays");
}
