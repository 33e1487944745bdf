//! Bad input gets a clear JSON error or error frame; sockets survive; nothing half-written.

use crate::harness::*;
use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

async fn raw_post(app: &TestApp, agent: &Agent, path: &str, content_type: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = app.http.post(format!("{}{path}", app.base)).header("cookie", &agent.cookie).header("x-csrf-token", &agent.csrf).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn http_bad_input_is_a_json_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_aws, _) = agent.socket().await;
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "hi", "client_id": "1"})).await;
    let conv = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/conversations/{conv}/messages");

    let cases: Vec<(Option<&str>, Vec<u8>, u16, &str)> = vec![
        (Some("application/json"), b"{not json".to_vec(), 400, "invalid_request"),
        (Some("application/json"), br#"{"content": "x", "colour": "red"}"#.to_vec(), 400, "invalid_request"),
        (Some("application/json"), br#"{"content": 5}"#.to_vec(), 400, "invalid_request"),
        (None, br#"{"content": "x"}"#.to_vec(), 400, "invalid_request"),
        (Some("application/json"), json!({"content": "   "}).to_string().into_bytes(), 400, "invalid_request"),
        (Some("application/json"), json!({"content": "好".repeat(3000)}).to_string().into_bytes(), 413, "message_too_large"),
        (Some("application/json"), json!({"content": "x".repeat(100_000)}).to_string().into_bytes(), 413, "payload_too_large"),
        (Some("application/json"), json!({"content": "x", "client_id": "has space"}).to_string().into_bytes(), 400, "invalid_request"),
    ];
    for (ct, body, status, code) in cases {
        let (s, b) = raw_post(&app, &agent, &path, ct, body).await;
        assert_eq!((s, b["error"]["code"].as_str()), (status, Some(code)), "{b}");
        assert!(b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, msgs) = agent.get(&path).await;
    assert_eq!(msgs["messages"].as_array().map(|m| m.len()), Some(1), "a refused request wrote something");

    for p in [
        "/api/v1/conversations/not-an-id".to_string(),
        format!("/api/v1/conversations/{}", uuid::Uuid::now_v7()),
        "/api/v1/nothing/here".to_string(),
    ] {
        let (s, b) = agent.get(&p).await;
        assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")), "{p}");
    }
    let (s, b) = agent.get("/api/v1/conversations?status=sleeping").await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_request")));
    let (s, _) = agent.get("/api/v1/conversations?limit=lots").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_socket_survives() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut aws, _) = agent.socket().await;
    let (mut c, _) = app.widget(None, None).await;

    c.send(Message::Text("{definitely not json".into())).await.unwrap();
    assert_eq!(next_of(&mut c, "error").await["code"], "bad_frame");
    c.send(Message::Binary(vec![1u8, 2, 3].into())).await.unwrap();
    assert_eq!(next_of(&mut c, "error").await["code"], "bad_frame");
    send(&mut c, json!({"type": "dance"})).await;
    assert_eq!(next_of(&mut c, "error").await["code"], "bad_frame");
    send(&mut c, json!({"type": "send", "content": "长".repeat(3000), "client_id": "big"})).await;
    let e = next_of(&mut c, "error").await;
    assert_eq!((e["code"].as_str(), e["client_id"].as_str()), (Some("message_too_large"), Some("big")));
    send(&mut c, json!({"type": "send", "content": "", "client_id": "empty"})).await;
    assert_eq!(next_of(&mut c, "error").await["code"], "invalid_request");
    send(&mut c, json!({"type": "ping"})).await;
    assert_eq!(next_frame(&mut c).await["type"], "pong");

    send(&mut c, json!({"type": "send", "content": "still here", "client_id": "ok"})).await;
    let ack = next_of(&mut c, "ack").await;
    assert_eq!(ack["message"]["seq"], 1, "refused frames must not consume sequence numbers");

    send(&mut aws, json!({"type": "send", "conversation_id": uuid::Uuid::now_v7().to_string(), "content": "x", "client_id": "a"})).await;
    let e = next_of(&mut aws, "error").await;
    assert_eq!((e["code"].as_str(), e["client_id"].as_str()), (Some("not_found"), Some("a")));
    send(&mut aws, json!({"type": "send", "content": "no conversation"})).await;
    assert_eq!(next_of(&mut aws, "error").await["code"], "not_found");
}

#[tokio::test]
async fn sockets_refuse_bad_keys_foreign_origins_and_anonymous_agents() {
    let app = TestApp::spawn().await;
    let err = tokio_tungstenite::connect_async(format!("{}/ws/widget?key=nope", app.ws_base)).await.expect_err("bad key");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => assert_eq!(res.status(), 404),
        other => panic!("expected HTTP 404, got {other}"),
    }
    let err = tokio_tungstenite::connect_async(format!("{}/ws/agent", app.ws_base)).await.expect_err("anonymous");
    assert!(matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 401), "{err}");

    let agent = app.login("agent1@demo.kefu").await;
    let mut req = format!("{}/ws/agent", app.ws_base).into_client_request().unwrap();
    req.headers_mut().insert("cookie", agent.cookie.parse().unwrap());
    req.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(req).await.expect_err("foreign origin");
    assert!(matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 403), "{err}");
}

#[tokio::test]
async fn docs_metrics_health_and_pages_are_served() {
    let app = TestApp::spawn().await;
    let doc: Value = app.http.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    for p in ["/api/v1/auth/login", "/api/v1/conversations/{id}/messages", "/api/v1/inbound/messages", "/api/v1/tickets/{id}/transition", "/api/v1/ticket-types/{type}", "/api/v1/conversations/{id}/notes", "/api/v1/quick-phrases", "/api/v1/quick-phrases/{id}"] {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI lacks {p}");
    }
    assert_eq!(app.http.get(format!("{}/api/docs/", app.base)).send().await.unwrap().status(), 200);
    assert_eq!(app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), 200);
    let metrics = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("kefu_store_commits_total"), "{metrics}");
    let page = app.http.get(format!("{}/workspace", app.base)).send().await.unwrap();
    let csp = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let etag = page.headers().get("etag").cloned().expect("etag");
    let again = app.http.get(format!("{}/workspace", app.base)).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let widget = app.http.get(format!("{}/widget.js", app.base)).send().await.unwrap();
    assert_eq!(widget.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    assert!(widget.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/javascript")));
}

/// Issue 17, finding 6: answers the OpenAPI document did not describe. (The whole document is
/// checked against a running server by `scripts/api-conformance.sh` in CI; this pins the cases
/// that were found.)
#[tokio::test]
async fn the_openapi_document_describes_what_the_server_answers() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let doc: Value = app.http.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();

    // A 422's `details` is an array of problems; the schema must allow one.
    let (status, body) = owner.post_put("/api/v1/routing", json!({"teams": [{"id": "售前", "name": ""}]})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"].is_array(), "{body}");
    let details = &doc["components"]["schemas"]["ErrorDetail"]["properties"]["details"];
    assert!(details.is_object() && details.get("type").is_none(), "details must admit any JSON value: {details}");
    assert!(doc["paths"]["/api/v1/routing"]["put"]["responses"].get("422").is_some());

    // Optional query parameters are optional, and in the query.
    for path in ["/api/v1/analytics/dashboard", "/api/v1/analytics/hotspots", "/api/v1/analytics/export.csv", "/api/v1/tickets", "/api/v1/conversations"] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap_or_else(|| panic!("{path} has parameters"));
        for p in params {
            assert_eq!((p["in"].as_str(), p["required"].as_bool()), (Some("query"), Some(false)), "{path}: {p}");
        }
    }

    // Every operation says how to authenticate and lists the shared refusals.
    let public = [
        "/api/v1/auth/login",
        "/api/v1/auth/demo",
        "/api/v1/channels/{id}/webhook",
        "/api/v1/channels/{id}/email",
        "/api/v1/links/check",
        "/api/v1/setup",
        "/api/v1/invitations/accept",
        "/api/v1/password-resets/redeem",
    ];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            assert!(responses.get("429").is_some(), "{method} {path} lacks 429");
            if public.contains(&path.as_str()) {
                continue;
            }
            assert!(responses.get("401").is_some() && responses.get("403").is_some(), "{method} {path} lacks 401/403");
            let security = op["security"].as_array().unwrap_or_else(|| panic!("{method} {path} has no security"));
            if path.starts_with("/api/v1/platform/") {
                assert_eq!(security, &vec![json!({"platform": []})], "{method} {path}");
                continue;
            }
            assert!(security.contains(&json!({"token": []})), "{method} {path}: {security:?}");
            let session = if method == "get" { json!({"session": []}) } else { json!({"session": [], "csrf": []}) };
            assert!(security.contains(&session), "{method} {path}: {security:?}");
        }
    }
    for scheme in ["token", "session", "csrf"] {
        assert!(doc["components"]["securitySchemes"].get(scheme).is_some(), "{scheme}");
    }

    // JSON has one number type: 480.0 is the integer the schema asks for.
    let (_, mut calendar) = owner.get("/api/v1/calendar").await;
    calendar["utc_offset_minutes"] = json!(480.0);
    let (status, body) = owner.post_put("/api/v1/calendar", calendar).await;
    assert_eq!((status, body["utc_offset_minutes"].as_i64()), (200, Some(480)), "{body}");
    let (status, body) = owner.post_put("/api/v1/calendar", json!({"utc_offset_minutes": 480.5})).await;
    assert_eq!(status, 400, "a fraction is still no integer: {body}");

    // A choice the caller's role refuses (an agent switching 接待 off) is a conflict, and documented.
    let agent = app.login("agent1@demo.kefu").await;
    let (status, body) = agent.post_put("/api/v1/me/status", json!({"takes_chats": false})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("agents_take_chats")), "{body}");
    assert!(doc["paths"]["/api/v1/me/status"]["put"]["responses"].get("409").is_some());
}
