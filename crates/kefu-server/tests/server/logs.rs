//! Logs never carry message bodies, PII or secrets, even at debug level: run the real binary,
//! push planted text through every path that handles it, and search everything it printed.

use crate::harness::*;
use serde_json::json;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;

fn collect(stream: impl AsyncRead + Unpin + Send + 'static, into: Arc<Mutex<String>>, ready: Option<tokio::sync::oneshot::Sender<String>>) {
    tokio::spawn(async move {
        let mut ready = ready;
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("kefu is running at ") {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(url.trim().to_string());
                }
            }
            into.lock().unwrap().push_str(&line);
            into.lock().unwrap().push('\n');
        }
    });
}

#[tokio::test]
async fn debug_logs_hold_no_message_text_pii_or_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("KEFU_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn kefu");
    let output = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = tokio::sync::oneshot::channel();
    collect(child.stdout.take().unwrap(), output.clone(), Some(tx));
    collect(child.stderr.take().unwrap(), output.clone(), None);
    let base = tokio::time::timeout(Duration::from_secs(60), rx).await.expect("started in time").expect("ready line");
    let http = reqwest::Client::new();

    let planted = ["望京SOHO塔3-1708", "13812345678", "110101199003071234", "6222021234567890128", "zhang.san@example.com", "欧阳娜娜"];
    let (mut ws, hello) = widget_at(&base.replace("http://", "ws://"), None, None).await;
    let visitor_token = hello["visitor_token"].as_str().unwrap().to_string();
    send(&mut ws, json!({"type": "send", "content": format!("地址{} 电话{} 身份证{}", planted[0], planted[1], planted[2]), "client_id": "p1"})).await;
    next_of(&mut ws, "ack").await;
    // Reconnect with the token in the query string, as the widget does.
    let _ = widget_at(&base.replace("http://", "ws://"), Some(&visitor_token), Some(0)).await;

    let res = http.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": "owner@demo.kefu", "password": PASSWORD})).send().await.unwrap();
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()?.split(';').next().map(String::from)).collect();
    let csrf = cookies.iter().find_map(|c| c.strip_prefix("kefu_csrf=")).unwrap().to_string();
    let cookie = cookies.join("; ");
    let (_, token) = {
        let r = http.post(format!("{base}/api/v1/tokens")).header("cookie", &cookie).header("x-csrf-token", &csrf)
            .json(&json!({"name": "i", "scopes": ["inbound:write"]})).send().await.unwrap();
        ((), r.json::<serde_json::Value>().await.unwrap())
    };
    let secret = token["secret"].as_str().unwrap().to_string();
    let r = http.post(format!("{base}/api/v1/inbound/messages")).bearer_auth(&secret)
        .json(&json!({"external_id": "p2", "display_name": planted[5], "content": format!("卡号{} 邮箱{}", planted[3], planted[4])})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let conv = r.json::<serde_json::Value>().await.unwrap()["conversation"]["id"].as_str().unwrap().to_string();
    let r = http.post(format!("{base}/api/v1/conversations/{conv}/messages")).header("cookie", &cookie).header("x-csrf-token", &csrf)
        .json(&json!({"content": format!("已记录您的电话{}", planted[1])})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    // An oversized body and a bad login are logged as failures, without their content.
    let _ = http.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": "owner@demo.kefu", "password": "wrong-13812345678"})).send().await;

    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    let text = output.lock().unwrap().clone();
    assert!(text.contains("DEBUG") || text.contains("debug"), "debug logging was on: {}", &text[..text.len().min(500)]);
    // (The demo password is printed at start on purpose: it is the demo's printed login.)
    for secret_text in planted.iter().copied().chain([visitor_token.as_str(), secret.as_str(), "wrong-13812345678"]) {
        assert!(!text.contains(secret_text), "the log contains {secret_text:?}");
    }
    for part in cookie.split("; ") {
        let value = part.split_once('=').map(|(_, v)| v).unwrap_or("");
        assert!(value.is_empty() || !text.contains(value), "the log contains a cookie value");
    }
}
