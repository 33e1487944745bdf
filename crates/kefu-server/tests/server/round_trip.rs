//! The user story: a customer writes in the widget, an agent sees it live, replies, the
//! customer sees the reply, the agent resolves; plus queueing, resume, resends, shutdown.

use crate::harness::*;
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn customer_agent_customer_round_trip_then_resolve_and_reopen() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut aws, hello) = agent.socket().await;
    assert_eq!(hello["user"]["status"], "online");
    assert_eq!(hello["conversations"], json!([]));

    let (mut cws, chello) = app.widget(None, None).await;
    assert_eq!(chello["shop"]["name"], "演示店铺");
    assert!(chello["visitor_token"].as_str().is_some_and(|t| t.len() > 20));
    send(&mut cws, json!({"type": "send", "content": "你好，我的快递到哪了？", "client_id": "c-1"})).await;
    let ack = next_of(&mut cws, "ack").await;
    assert_eq!(ack["client_id"], "c-1");
    assert_eq!(ack["message"]["seq"], 1);
    assert_eq!(ack["duplicate"], false);

    let conv = next_of(&mut aws, "conversation").await;
    assert_eq!(conv["conversation"]["status"], "assigned");
    assert_eq!(conv["conversation"]["agent_id"], agent.id.as_str());
    assert_eq!(conv["conversation"]["last_message_preview"], "你好，我的快递到哪了？");
    let live = next_of(&mut aws, "message").await;
    assert_eq!(live["message"]["content"], "你好，我的快递到哪了？");
    let cid = conv["conversation"]["id"].as_str().expect("id").to_string();

    send(&mut aws, json!({"type": "send", "conversation_id": cid, "content": "亲，已经发货啦", "client_id": "a-1"})).await;
    let aack = next_of(&mut aws, "ack").await;
    assert_eq!(aack["message"]["sender_kind"], "agent");
    // The agent's first reply is introduced by the shop's line (seq 2), then comes the reply.
    let joined = next_where(&mut cws, |f| f["type"] == "message" && f["message"]["sender_kind"] != "customer").await;
    assert_eq!((joined["message"]["sender_kind"].as_str(), joined["message"]["content"].as_str(), joined["message"]["seq"].as_i64()), (Some("system"), Some("客服小美为您服务"), Some(2)));
    let reply = next_where(&mut cws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "agent").await;
    assert_eq!(reply["message"]["content"], "亲，已经发货啦");
    assert_eq!(reply["message"]["seq"], 3);

    let (status, resolved) = agent.post(&format!("/api/v1/conversations/{cid}/resolve"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(resolved["status"], "resolved");
    let (status, again) = agent.post(&format!("/api/v1/conversations/{cid}/resolve"), json!({})).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("conflict")));

    send(&mut cws, json!({"type": "send", "content": "还有个问题", "client_id": "c-2"})).await;
    next_of(&mut cws, "ack").await;
    let reopened = next_where(&mut aws, |f| f["type"] == "conversation" && f["conversation"]["status"] == "assigned").await;
    assert_eq!(reopened["conversation"]["id"], cid.as_str());

    let (_, msgs) = agent.get(&format!("/api/v1/conversations/{cid}/messages")).await;
    let seqs: Vec<i64> = msgs["messages"].as_array().expect("messages").iter().map(|m| m["seq"].as_i64().unwrap_or(0)).collect();
    // 2 is the joined line, 4 the rating invitation sent on resolve; "还有个问题" is no
    // rating, so it reopens.
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert_eq!(msgs["messages"][3]["sender_kind"], "system");

    // Every step is in the event log, in order.
    use kefu_core::store::Store;
    let shop = app.state().inbox.store().shop_by_widget_key("demo").await.unwrap().unwrap();
    let kinds: Vec<&str> = app.state().inbox.store().events(shop.id, 0, 100).await.unwrap().iter().map(|(_, e)| e.kind.name()).collect();
    assert_eq!(
        kinds,
        vec![
            "customer_created",
            "conversation_created",
            "conversation_routed",
            "conversation_assigned",
            "conversation_categorised",
            "message_received",
            "message_sent",
            "message_sent",
            "conversation_resolved",
            "message_sent",
            "conversation_reopened",
            "conversation_routed",
            "conversation_assigned",
            "message_received",
        ]
    );
}

#[tokio::test]
async fn conversations_wait_in_the_queue_until_an_agent_comes_online_then_round_robin() {
    let app = TestApp::spawn().await;
    let (mut c1, _) = app.widget(None, None).await;
    send(&mut c1, json!({"type": "send", "content": "有人吗", "client_id": "1"})).await;
    let ack = next_of(&mut c1, "ack").await;
    let first_conv = ack["message"]["conversation_id"].as_str().expect("conversation").to_string();

    let supervisor = app.login("supervisor@demo.kefu").await;
    let (_, list) = supervisor.get("/api/v1/conversations?status=queued").await;
    assert_eq!(list["conversations"][0]["id"], first_conv.as_str());
    assert_eq!(list["conversations"][0]["status"], "queued");

    let a1 = app.login("agent1@demo.kefu").await;
    let (mut ws1, hello) = a1.socket().await;
    // Coming online takes the waiting conversation.
    let taken = hello["conversations"].as_array().expect("list").iter().find(|c| c["id"] == first_conv.as_str()).cloned();
    let taken = match taken {
        Some(c) if c["status"] == "assigned" => c,
        _ => next_where(&mut ws1, |f| f["type"] == "conversation" && f["conversation"]["status"] == "assigned").await["conversation"].clone(),
    };
    assert_eq!(taken["agent_id"], a1.id.as_str());

    let a2 = app.login("agent2@demo.kefu").await;
    let (_ws2, _) = a2.socket().await;
    let mut owners = Vec::new();
    for i in 0..4 {
        let (mut c, _) = app.widget(None, None).await;
        send(&mut c, json!({"type": "send", "content": format!("问题{i}"), "client_id": "x"})).await;
        let ack = next_of(&mut c, "ack").await;
        let id = ack["message"]["conversation_id"].as_str().expect("id").to_string();
        let (_, conv) = supervisor.get(&format!("/api/v1/conversations/{id}")).await;
        owners.push(conv["agent_id"].as_str().unwrap_or("none").to_string());
    }
    let a1n = owners.iter().filter(|o| **o == a1.id).count();
    let a2n = owners.iter().filter(|o| **o == a2.id).count();
    assert_eq!((a1n, a2n), (2, 2), "round-robin over two online agents: {owners:?}");
}

#[tokio::test]
async fn reload_resumes_the_dialogue_by_token_and_after_seq() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_aws, _) = agent.socket().await;
    let (mut c, hello) = app.widget(None, None).await;
    let token = hello["visitor_token"].as_str().expect("token").to_string();
    assert!(hello["customer_id"].is_null(), "no customer before the first message: {hello}");
    let (mut conv, mut customer) = (String::new(), String::new());
    for i in 1..=3 {
        send(&mut c, json!({"type": "send", "content": format!("消息{i}"), "client_id": format!("m{i}")})).await;
        let ack = next_of(&mut c, "ack").await;
        conv = ack["message"]["conversation_id"].as_str().expect("id").to_string();
        customer = ack["message"]["customer_id"].as_str().expect("customer").to_string();
    }
    drop(c);
    for i in 1..=2 {
        let (s, _) = agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": format!("回复{i}")})).await;
        assert_eq!(s, 201);
    }
    // Seq 4 is the line introducing the agent, before their first reply.
    let (_c2, hello2) = app.widget(Some(&token), Some(4)).await;
    assert_eq!(hello2["customer_id"], customer.as_str());
    let resumed: Vec<(i64, String)> = hello2["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| (m["seq"].as_i64().unwrap_or(0), m["content"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(resumed, vec![(5, "回复1".to_string()), (6, "回复2".to_string())]);
    let (_c3, full) = app.widget(Some(&token), None).await;
    assert_eq!(full["messages"].as_array().map(|m| m.len()), Some(6));
    let (_c4, stranger) = app.widget(Some("kv_not-a-real-token"), None).await;
    assert!(stranger["customer_id"].is_null(), "{stranger}");
    assert_ne!(stranger["visitor_token"], token.as_str(), "a malformed token gets a fresh one");
    assert_eq!(stranger["messages"], json!([]));
}

#[tokio::test]
async fn resends_with_the_same_client_id_store_one_message_and_ack_the_same() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_aws, _) = agent.socket().await;
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": "在吗", "client_id": "same"})).await;
    let first = next_of(&mut c, "ack").await;
    send(&mut c, json!({"type": "send", "content": "在吗", "client_id": "same"})).await;
    let second = next_of(&mut c, "ack").await;
    assert_eq!(first["message"]["id"], second["message"]["id"]);
    assert_eq!(second["duplicate"], true);
    let conv = first["message"]["conversation_id"].as_str().expect("id").to_string();

    let path = format!("/api/v1/conversations/{conv}/messages");
    let (s1, m1) = agent.post(&path, json!({"content": "在的", "client_id": "r1"})).await;
    let (s2, m2) = agent.post(&path, json!({"content": "在的", "client_id": "r1"})).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(m1["id"], m2["id"]);
    let (_, msgs) = agent.get(&path).await;
    // The customer's message, the line introducing the agent, the reply once.
    assert_eq!(msgs["messages"].as_array().map(|m| m.len()), Some(3));
}

#[tokio::test]
async fn shutdown_closes_sockets_with_a_reason() {
    let mut app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut aws, _) = agent.socket().await;
    let (mut cws, _) = app.widget(None, None).await;
    app.shutdown().await;
    for ws in [&mut aws, &mut cws] {
        let close = loop {
            match tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await.expect("close in time") {
                Some(Ok(Message::Close(frame))) => break frame,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        let frame = close.expect("close frame with a reason");
        assert_eq!(u16::from(frame.code), 1012);
        assert!(frame.reason.contains("restarting"));
    }
}
