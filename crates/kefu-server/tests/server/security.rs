//! Abuse defences and their audit trail: CSRF, login throttling, rate limits per IP and per
//! customer, cookie flags, the password policy, and the audit chain checked by the CLI after
//! a direct SQL edit.

use crate::harness::*;
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

async fn login_raw(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.http.post(format!("{}/api/v1/auth/login", app.base)).json(&json!({"email": email, "password": password})).send().await.expect("login")
}

#[tokio::test]
async fn cookies_are_flagged_and_state_changes_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let res = login_raw(&app, "agent1@demo.kefu", PASSWORD).await;
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("kefu_session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    let csrf = cookies.iter().find(|c| c.starts_with("kefu_csrf=")).expect("csrf cookie");
    assert!(!csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"), "{csrf}");

    let agent = app.login("agent1@demo.kefu").await;
    let put = |token: Option<&str>| {
        let mut req = app.http.put(format!("{}/api/v1/me/password", app.base)).header("cookie", &agent.cookie).json(&json!({"current": "x", "new": "y"}));
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    for bad in [None, Some("forged")] {
        let res = put(bad).await.unwrap();
        assert_eq!(res.status(), 403);
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("CSRF"), "{body}");
    }
    assert_eq!(put(Some(&agent.csrf)).await.unwrap().status(), 400, "past the CSRF check, the password policy answers");
    // Reads need no token, and bearer tokens are exempt (a browser never sends them by itself).
    assert_eq!(app.http.get(format!("{}/api/v1/me", app.base)).header("cookie", &agent.cookie).send().await.unwrap().status(), 200);
    let owner = app.login("owner@demo.kefu").await;
    let (_, t) = owner.post("/api/v1/tokens", json!({"name": "i", "scopes": ["inbound:write"]})).await;
    let res = app.http.post(format!("{}/api/v1/inbound/messages", app.base)).bearer_auth(t["secret"].as_str().unwrap())
        .json(&json!({"external_id": "c1", "content": "你好"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn password_guessing_is_throttled_and_audited() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(login_raw(&app, "agent1@demo.kefu", "guess-123456").await.status(), 401);
    }
    // Locked now, even with the right password, with a hint when to retry.
    let res = login_raw(&app, "agent1@demo.kefu", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 60, "the first lock is a minute: retry after {retry}");
    let body = res.json::<Value>().await.unwrap();
    assert_eq!(body["error"]["code"], "login_locked");
    assert_eq!(body["error"]["message"], "登录失败次数过多，请 1 分钟后再试");
    // Other accounts are unaffected.
    let owner = app.login("owner@demo.kefu").await;
    let (_, audit) = owner.get("/api/v1/audit").await;
    let failed = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "login_failed").count();
    assert_eq!(failed, 5);
    assert!(!audit.to_string().contains("guess-123456"), "passwords never reach the audit log");
}

#[tokio::test]
async fn a_flooding_customer_is_throttled_once_per_episode_and_an_ip_over_its_limit_gets_429() {
    let app = TestApp::spawn_with(|a| {
        a.rate_limit_per_customer = Some(6);
        a.rate_limit_per_ip = Some(60);
    })
    .await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, t) = owner.post("/api/v1/tokens", json!({"name": "i", "scopes": ["inbound:write"]})).await;
    let secret = t["secret"].as_str().unwrap().to_string();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let res = app.http.post(format!("{}/api/v1/inbound/messages", app.base)).bearer_auth(&secret)
            .json(&json!({"external_id": "flood", "content": format!("第{i}条")})).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    // A burst of a third of the per-minute allowance passes, the rest is refused.
    assert_eq!(statuses, vec![201, 201, 429, 429, 429, 429]);
    // Another customer of the same integration is not affected.
    let res = app.http.post(format!("{}/api/v1/inbound/messages", app.base)).bearer_auth(&secret)
        .json(&json!({"external_id": "calm", "content": "你好"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    // Over the widget the refusal is an error frame, the socket stays open.
    let (mut ws, _) = app.widget(None, None).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        send(&mut ws, json!({"type": "send", "content": format!("刷屏{i}"), "client_id": format!("w{i}")})).await;
        let f = next_where(&mut ws, |f| f["type"] == "ack" || f["type"] == "error").await;
        codes.push(f["code"].as_str().unwrap_or("ack").to_string());
    }
    assert_eq!(codes, ["ack", "ack", "rate_limited", "rate_limited"]);
    let (_, audit) = owner.get("/api/v1/audit").await;
    let throttled = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "customer_throttled").count();
    assert_eq!(throttled, 2, "one entry per flooding customer, not per refused message");
    let metrics = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("kefu_customers_throttled_total 2"), "{metrics}");

    let mut last = None;
    for _ in 0..80 {
        let res = app.http.get(format!("{}/api/v1/me", app.base)).send().await.unwrap();
        if res.status() == 429 {
            last = Some(res);
            break;
        }
    }
    let refused = last.expect("per-IP limit of 60/min reached");
    assert_eq!(refused.headers().get("connection").map(|v| v.to_str().unwrap()), Some("close"), "a 429 does not keep the connection");
    // Health checks and static files are not counted against the IP.
    for path in ["/healthz", "/widget.js", "/assets/app.css"] {
        let status = app.http.get(format!("{}{path}", app.base)).send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn password_change_follows_the_policy_and_is_audited() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (s, b) = agent.post_put("/api/v1/me/password", json!({"current": PASSWORD, "new": "short"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_request")));
    let (s, b) = agent.post_put("/api/v1/me/password", json!({"current": "wrong-password", "new": "Kefu-secure-2026"})).await;
    assert_eq!((s, b["error"]["message"].as_str()), (400, Some("当前密码不正确")), "the demo shop answers in its default, Chinese");
    let (s, _) = agent.post_put("/api/v1/me/password", json!({"current": PASSWORD, "new": "Kefu-secure-2026"})).await;
    assert_eq!(s, 204);
    assert_eq!(login_raw(&app, "agent1@demo.kefu", PASSWORD).await.status(), 401);
    assert_eq!(login_raw(&app, "agent1@demo.kefu", "Kefu-secure-2026").await.status(), 200);
    let owner = app.login("owner@demo.kefu").await;
    let (_, audit) = owner.get("/api/v1/audit").await;
    assert!(audit["entries"].as_array().unwrap().iter().any(|e| e["action"] == "password_changed"));
}

/// Run the `kefu` binary on a data directory.
fn kefu(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("KEFU_LOG", "warn")
        .output()
        .expect("run kefu");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn the_cli_verifies_the_audit_chain_and_rotates_keys_online() {
    let mut app = TestApp::spawn().await;
    let dir = app._dir.path().to_path_buf();
    let owner = app.login("owner@demo.kefu").await;
    app.login("agent1@demo.kefu").await;
    let (mut ws, _) = app.widget(None, None).await;
    for i in 0..5 {
        send(&mut ws, json!({"type": "send", "content": format!("轮换前 {i}"), "client_id": format!("r{i}")})).await;
        next_of(&mut ws, "ack").await;
    }
    let (ok, out) = kefu(&dir, &["audit", "verify"]);
    assert!(ok && out.contains("audit chain intact: 2 entries"), "{out}");

    // Rotation while the server runs: add a key, rotate, and everything reads back.
    let (ok, out) = kefu(&dir, &["keys", "add", "--cipher", "aes-256-gcm"]);
    assert!(ok, "{out}");
    let (ok, out) = kefu(&dir, &["keys", "rotate", "--batch", "2"]);
    assert!(ok && out.contains("100.0%") && out.contains("done:"), "{out}");
    let (ok, status) = kefu(&dir, &["keys", "status"]);
    assert!(ok && status.contains("rows to re-seal: 0"), "{status}");
    app.shutdown().await;
    let (ok, out) = kefu(&dir, &["audit", "verify"]);
    assert!(ok && out.contains("3 entries"), "the rotation is audited too: {out}");

    // A direct edit of the table is found, at the right entry.
    let url = format!("sqlite://{}", dir.join("kefu.db").display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    conn.execute("UPDATE audit SET detail = '{\"ip\":\"10.9.9.9\"}' WHERE pos = 2").await.unwrap();
    conn.close().await.unwrap();
    let (ok, out) = kefu(&dir, &["audit", "verify"]);
    assert!(!ok && out.contains("BROKEN at entry #2"), "{out}");
    drop(owner);
}
