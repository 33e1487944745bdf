//! Kill the server process mid-stream (SIGKILL) and restart it on the same data directory:
//! every acknowledged message is there, exactly once, in order.

use crate::harness::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// Start `kefu serve` as a separate process; returns it and its base URL.
async fn start_process(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("KEFU_LOG", "warn")
        // This test is about durability under a burst from one visitor, not flood control.
        .env("KEFU_RATE_LIMIT_PER_CUSTOMER", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn kefu");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("kefu is running at ") {
                return url.trim().to_string();
            }
        }
        panic!("kefu exited before it was ready");
    })
    .await
    .expect("kefu did not start in time");
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

#[tokio::test]
async fn every_acknowledged_message_survives_a_kill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, base) = start_process(dir.path()).await;
    let ws_base = base.replace("http://", "ws://");
    let (mut ws, hello) = widget_at(&ws_base, None, None).await;
    let token = hello["visitor_token"].as_str().expect("token").to_string();

    // Fire many sends without waiting, and kill the server while acks are still arriving.
    const SENT: usize = 400;
    for i in 0..SENT {
        ws.send(Message::Text(json!({"type": "send", "content": format!("消息 {i}"), "client_id": format!("m{i}")}).to_string().into()))
            .await
            .expect("send");
    }
    let mut acked: Vec<(String, i64)> = Vec::new();
    let mut customer = Value::Null;
    let mut killed = false;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
        match next {
            Ok(Some(Ok(Message::Text(t)))) => {
                let f: Value = serde_json::from_str(&t).expect("frame");
                if f["type"] == "ack" {
                    customer = f["message"]["customer_id"].clone();
                    acked.push((f["message"]["id"].as_str().unwrap_or("").to_string(), f["message"]["seq"].as_i64().unwrap_or(0)));
                    if acked.len() == 120 && !killed {
                        child.start_kill().expect("kill -9");
                        killed = true;
                    }
                }
            }
            Ok(Some(Ok(_))) => continue,
            _ => break,
        }
    }
    assert!(killed, "the server answered everything before the kill: only {} acks", acked.len());
    let _ = child.wait().await;
    assert!(acked.len() >= 120 && acked.len() < SENT, "acked {}", acked.len());

    let (mut child2, base2) = start_process(dir.path()).await;
    let (_ws2, hello2) = widget_at(&base2.replace("http://", "ws://"), Some(&token), Some(0)).await;
    assert!(hello["customer_id"].is_null() && customer.is_string(), "the customer came with the first message: {hello}");
    assert_eq!(hello2["customer_id"], customer, "the visitor token survived");
    // The widget returns 50 at a time; page through with after_seq.
    let mut stored: Vec<(String, i64)> = Vec::new();
    let mut after = 0;
    loop {
        let (_w, h) = widget_at(&base2.replace("http://", "ws://"), Some(&token), Some(after)).await;
        let page = h["messages"].as_array().expect("messages").clone();
        if page.is_empty() {
            break;
        }
        for m in &page {
            stored.push((m["id"].as_str().unwrap_or("").to_string(), m["seq"].as_i64().unwrap_or(0)));
        }
        after = stored.last().map(|s| s.1).unwrap_or(after);
    }
    let ids: HashSet<&str> = stored.iter().map(|s| s.0.as_str()).collect();
    for (id, seq) in &acked {
        assert!(ids.contains(id.as_str()), "acknowledged message {id} (seq {seq}) was lost");
    }
    let seqs: Vec<i64> = stored.iter().map(|s| s.1).collect();
    assert_eq!(seqs, (1..=stored.len() as i64).collect::<Vec<_>>(), "sequence numbers have gaps or duplicates");
    let _ = child2.start_kill();
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&[&str], &[(&str, &str)], &str); 5] = [
        (&["serve", "--listen", "localhost"], &[], "invalid listen address \"localhost\""),
        (&["serve"], &[("KEFU_DATABASE_URL", "mysql://db/kefu")], "unsupported database URL"),
        (&["serve"], &[("KEFU_SESSION_TTL_HOURS", "0")], "session TTL"),
        (&["serve"], &[("KEFU_KEYS", "k1:sm4-gcm")], "expected id:cipher:hexkey"),
        (&["serve", "--cipher", "des"], &[], "unknown cipher \"des\""),
    ];
    for (args, env, expected) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .envs(env.iter().copied())
            .output()
            .await
            .expect("run kefu");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line, not: {stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
