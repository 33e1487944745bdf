//! Analytics through the real API: a known event history (appended through the store, as
//! the bot's events will be) read back as dashboard figures, hotspot counts per period and
//! source, TOP-N, drill-down ids and CSV; a live conversation counted; six alert rules each
//! firing once (event, webhook delivery, supervisor frame) and resolving.

use crate::harness::*;
use kefu_core::analytics::fixtures::{history, T0};
use kefu_core::clock::ManualClock;
use kefu_core::customer::Channel;
use kefu_core::event::{Event, EventKind as K};
use kefu_core::ids::*;
use kefu_core::message::SenderKind;
use kefu_core::store::{ChangeSet, Store};
use serde_json::{json, Value};
use std::sync::Arc;

const HOUR: i64 = 3_600_000;

async fn append(app: &TestApp, events: Vec<Event>) {
    app.state().inbox.store().apply(ChangeSet { changes: vec![], events }).await.expect("append events");
}

async fn shop_of(a: &Agent) -> ShopId {
    let (_, me) = a.get("/api/v1/me").await;
    me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop id")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[tokio::test]
async fn dashboard_hotspots_drill_down_and_export_from_a_known_history() {
    // Now: 12:00 in China on 2026-11-21; the history ran at 10:00, and again a day before.
    let clock = Arc::new(ManualClock::new(T0 + 2 * HOUR));
    let mut app = TestApp::spawn_with_clock(clock.clone()).await;
    let sup = app.login("supervisor@demo.kefu").await;
    let shop = shop_of(&sup).await;
    let (x, y) = (UserId::new(), UserId::new());
    let (today, ids) = history(shop, x, y, T0);
    append(&app, today).await;
    append(&app, history(shop, x, y, T0 - 24 * HOUR).0).await;

    let (status, d) = sup.get("/api/v1/analytics/dashboard?period=today&dim=agent").await;
    assert_eq!(status, 200, "{d}");
    let t = &d["total"];
    assert_eq!((t["conversations"].as_i64(), t["responded"].as_i64()), (Some(4), Some(3)));
    assert_eq!((f(&t["response_rate"]), f(&t["first_response_secs"]), f(&t["reply_secs"])), (0.75, 45.0, 65.0));
    assert_eq!((f(&t["handle_secs"]), f(&t["active_handle_secs"])), (350.0, 182.5));
    assert_eq!((f(&t["csat"]), f(&t["csat_4_5"]), f(&t["rating_response_rate"]), f(&t["bad_review_rate"])), (0.5, 0.5, 1.0, 0.5));
    assert_eq!((f(&t["bot_resolution_rate"]), f(&t["transfer_rate"]), f(&t["ticket_closure_rate"])), (0.5, 0.5, 0.5));
    assert_eq!(t["transfer_reasons"], json!({ "asked_for_human": 1 }));
    // Compared with yesterday up to the same time: the same history, so no change.
    assert_eq!(d["total_previous"]["conversations"], 4);
    assert_eq!((f(&d["change"]["conversations"]), f(&d["change"]["csat"])), (0.0, 0.0));
    // Agents: x served A, y served C; each resolved one in the 12 hours of today: 2 a day.
    let row = |k: &UserId| d["rows"].as_array().unwrap().iter().find(|r| r["key"] == k.to_string()).cloned().expect("agent row");
    assert_eq!((f(&row(&x)["figures"]["first_response_secs"]), f(&row(&x)["figures"]["csat"])), (30.0, 1.0));
    assert_eq!((f(&row(&y)["figures"]["first_response_secs"]), f(&row(&y)["figures"]["transfer_rate"])), (60.0, 1.0));
    assert_eq!(f(&d["per_agent_per_day"]), 2.0);
    let hours: Vec<i64> = d["by_hour"].as_array().unwrap().iter().map(|h| h["count"].as_i64().unwrap()).collect();
    assert_eq!(hours.iter().sum::<i64>(), 4);
    assert_eq!(hours[10], 4, "all four at 10:00 local: {hours:?}");

    // Yesterday as a whole period, by channel.
    let (_, y_d) = sup.get("/api/v1/analytics/dashboard?period=yesterday&dim=channel").await;
    assert_eq!(y_d["total"]["conversations"], 4);
    let chans: Vec<(String, i64)> = y_d["rows"].as_array().unwrap().iter().map(|r| (r["key"].as_str().unwrap().to_string(), r["figures"]["conversations"].as_i64().unwrap())).collect();
    assert_eq!(chans, vec![("dm".to_string(), 2), ("widget".to_string(), 2)]);

    // Hotspots today: by l1, top l2, tags; per source.
    let (status, h) = sup.get("/api/v1/analytics/hotspots?period=today&top=20").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!((h["total"].as_i64(), h["total_previous"].as_i64()), (Some(3), Some(3)));
    let pairs = |v: &Value| -> Vec<(String, i64)> {
        v.as_array().unwrap().iter().map(|r| (format!("{}{}", r["l1"].as_str().unwrap(), r["l2"].as_str().map(|s| format!("/{s}")).unwrap_or_default()), r["count"].as_i64().unwrap())).collect()
    };
    assert_eq!(pairs(&h["l1"]), vec![("售后问题".into(), 2), ("物流问题".into(), 1)]);
    assert_eq!(pairs(&h["l2"]), vec![("售后问题/退货退款".into(), 2), ("物流问题/物流查询".into(), 1)]);
    assert_eq!(pairs(&h["tags"]), vec![("顺丰".into(), 2), ("破损".into(), 1)]);
    assert_eq!(f(&h["l2"][0]["share"]), 2.0 / 3.0);
    assert_eq!(h["l2"][0]["previous"], 2);
    for (source, want) in [("bot_only", vec![("物流问题/物流查询".to_string(), 1)]), ("bot_to_human", vec![("售后问题/退货退款".into(), 1)]), ("human_only", vec![("售后问题/退货退款".into(), 1)])] {
        let (_, h) = sup.get(&format!("/api/v1/analytics/hotspots?period=today&source={source}")).await;
        assert_eq!(pairs(&h["l2"]), want, "{source}");
    }
    let (_, within) = sup.get("/api/v1/analytics/hotspots?period=today&l1=%E7%89%A9%E6%B5%81%E9%97%AE%E9%A2%98").await;
    assert_eq!(pairs(&within["l2"]), vec![("物流问题/物流查询".into(), 1)]);
    // Last 7 whole days before today hold only yesterday's run.
    let (_, week) = sup.get("/api/v1/analytics/hotspots?period=last7&source=all").await;
    assert_eq!(week["total"], 3);
    let (_, month) = sup.get("/api/v1/analytics/hotspots?period=month:2026-11").await;
    assert_eq!(month["total"], 6);
    assert_eq!(sup.get("/api/v1/analytics/hotspots?top=30").await.0, 400);
    assert_eq!(sup.get("/api/v1/analytics/hotspots?source=robots").await.0, 400);

    // Drill-down: 顺丰 is B and C (newest first); bot-only: B alone.
    let (_, dd) = sup.get("/api/v1/analytics/hotspots/conversations?period=today&tag=%E9%A1%BA%E4%B8%B0").await;
    let got: Vec<&str> = dd["conversations"].as_array().unwrap().iter().map(|c| c["conversation_id"].as_str().unwrap()).collect();
    assert_eq!(got, vec![ids[2].to_string(), ids[1].to_string()]);
    let (_, dd) = sup.get("/api/v1/analytics/hotspots/conversations?period=today&tag=%E9%A1%BA%E4%B8%B0&source=bot_only").await;
    assert_eq!(dd["conversations"].as_array().unwrap().len(), 1);
    let (_, dd) = sup.get("/api/v1/analytics/hotspots/conversations?period=today&l1=%E5%94%AE%E5%90%8E%E9%97%AE%E9%A2%98").await;
    let got: Vec<&str> = dd["conversations"].as_array().unwrap().iter().map(|c| c["conversation_id"].as_str().unwrap()).collect();
    assert_eq!(got, vec![ids[3].to_string(), ids[2].to_string()]);

    // A promotion window covering yesterday's run only.
    let owner = app.login("owner@demo.kefu").await;
    let (status, _) = owner.post_put("/api/v1/analytics/promotions", json!([{ "name": "1120", "from": T0 - 25 * HOUR, "to": T0 - 20 * HOUR }])).await;
    assert_eq!(status, 200);
    let (_, promo) = sup.get("/api/v1/analytics/dashboard?period=promo:1120&dim=shop").await;
    assert_eq!(promo["total"]["conversations"], 4);
    assert_eq!(sup.get("/api/v1/analytics/dashboard?period=promo:618").await.0, 404);

    // CSV: a header, the total and one row per agent.
    let res = sup.http.get(format!("{}/api/v1/analytics/export.csv?period=today&dim=agent", sup.base)).header("cookie", &sup.cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("key,name,conversations"), "{csv}");
    assert!(lines[1].starts_with("\"*\",\"total\",4,3,0.7500,45.0000,65.0000,350.0000,182.5000"), "{csv}");
    assert_eq!(lines.len(), 2 + 2);

    // Agents do not see analytics.
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.get("/api/v1/analytics/dashboard").await.0, 403);
    app.shutdown().await;
}

#[tokio::test]
async fn a_live_conversation_is_counted() {
    let app = TestApp::spawn().await;
    let sup = app.login("supervisor@demo.kefu").await;
    let (_, before) = sup.get("/api/v1/analytics/dashboard?period=today&dim=channel").await;
    let n = before["total"]["conversations"].as_i64().unwrap_or(0);
    let (mut ws, _) = app.widget(None, None).await;
    send(&mut ws, json!({ "type": "send", "content": "你好，什么时候发货？", "client_id": "c1" })).await;
    let ack = next_of(&mut ws, "ack").await;
    let conv = ack["message"]["conversation_id"].as_str().unwrap().to_string();
    let (status, _) = sup.post(&format!("/api/v1/conversations/{conv}/messages"), json!({ "content": "亲，今天下午发货" })).await;
    assert!(status == 201 || status == 200, "{status}");
    let (_, after) = sup.get("/api/v1/analytics/dashboard?period=today&dim=channel").await;
    assert_eq!(after["total"]["conversations"].as_i64(), Some(n + 1), "{after}");
    assert!(after["total"]["responded"].as_i64().unwrap_or(0) >= 1);
    let widget = after["rows"].as_array().unwrap().iter().find(|r| r["key"] == "widget").cloned().expect("widget row");
    assert!(widget["figures"]["first_response_secs"].as_f64().is_some(), "{widget}");
}

/// Events that break all six default rules at `at`: three slow replies, a 1★ among five
/// ratings, two negative among ten comments, a customer with three complaint signals, and
/// ten bot conversations in one category of which five needed a person.
fn breaches(shop: ShopId, at: i64) -> (Vec<Event>, CustomerId) {
    let mut v = Vec::new();
    let angry = CustomerId::new();
    for i in 0..5 {
        let (c, cu) = (ConversationId::new(), if i == 0 { angry } else { CustomerId::new() });
        let e = |t: i64, kind: K| Event::conversation(shop, c, cu, t, kind);
        v.push(e(at, K::ConversationCreated { channel: Channel::Widget }));
        v.push(e(at, K::MessageReceived { message_id: MessageId::new() }));
        if i < 3 {
            v.push(e(at + 90_000, K::MessageSent { message_id: MessageId::new(), sender_kind: SenderKind::Agent }));
        }
        v.push(e(at + 100_000, K::ConversationRated { stars: if i == 0 { 1 } else { 5 }, scale: 5, comment_id: None, agent_id: None }));
    }
    for i in 0..10 {
        let cu = if i < 2 { angry } else { CustomerId::new() };
        let polarity = if i < 2 { "negative" } else { "positive" };
        v.push(Event { id: EventId::new(), shop_id: shop, conversation_id: None, customer_id: Some(cu), at, kind: K::CommentSentiment { message_id: MessageId::new(), polarity: polarity.into(), score: 0.0 } });
    }
    for i in 0..10 {
        let (c, cu) = (ConversationId::new(), CustomerId::new());
        let e = |t: i64, kind: K| Event::conversation(shop, c, cu, t, kind);
        v.push(e(at, K::ConversationCreated { channel: Channel::Dm }));
        v.push(e(at, K::ConversationCategorised { l1: "物流问题".into(), l2: "物流查询".into(), tags: vec![] }));
        v.push(e(at + 1_000, K::MessageSent { message_id: MessageId::new(), sender_kind: SenderKind::Bot }));
        v.push(if i < 5 { e(at + 60_000, K::ConversationClosed { by: None, reason: "inactivity".into() }) } else { e(at + 5_000, K::HandedOff { reason: "asked_for_human".into() }) });
    }
    (v, angry)
}

#[tokio::test]
async fn every_alert_fires_once_and_resolves() {
    let clock = Arc::new(ManualClock::new(T0 + 2 * HOUR));
    let mut app = TestApp::spawn_with_clock(clock.clone()).await;
    let owner = app.login("owner@demo.kefu").await;
    let shop = shop_of(&owner).await;
    let (status, hook) = owner.post("/api/v1/webhooks", json!({ "url": "http://127.0.0.1:9/alerts", "events": ["alert.*"] })).await;
    assert_eq!(status, 201, "{hook}");
    let sup = app.login("supervisor@demo.kefu").await;
    let (mut ws, _) = sup.socket().await;
    let (events, angry) = breaches(shop, T0 + 2 * HOUR - 5 * 60_000);
    append(&app, events).await;

    let analytics = app.state().analytics.clone();
    analytics.evaluate().await.expect("evaluate");
    analytics.evaluate().await.expect("evaluate again");
    let (_, a) = sup.get("/api/v1/analytics/alerts").await;
    let mut open: Vec<(String, String)> = a["alerts"].as_array().unwrap().iter().filter(|s| s["resolved_at"].is_null()).map(|s| (s["rule"].as_str().unwrap().to_string(), s["subject"].as_str().unwrap().to_string())).collect();
    open.sort();
    let cat = "物流问题/物流查询".to_string();
    let want = vec![
        ("bad_reviews".to_string(), String::new()),
        ("bot_resolution".into(), cat.clone()),
        ("category_surge".into(), cat.clone()),
        ("customer_complaints".into(), angry.to_string()),
        ("negative_comments".into(), String::new()),
        ("slow_replies".into(), String::new()),
    ];
    assert_eq!(open, want);
    let value = |rule: &str| a["alerts"].as_array().unwrap().iter().find(|s| s["rule"] == rule).map(|s| f(&s["value"])).unwrap();
    assert_eq!((value("slow_replies"), value("bad_reviews"), value("negative_comments"), value("bot_resolution"), value("customer_complaints")), (90.0, 0.2, 0.2, 0.5, 3.0));

    // The supervisor's workspace hears each one; the bot-resolution alert carries a KB task.
    let mut frames = Vec::new();
    while frames.len() < 6 {
        let fr = next_frame(&mut ws).await;
        if fr["type"] == "alert" {
            frames.push(fr);
        }
    }
    let kb = frames.iter().find(|f| f["rule"] == "bot_resolution").expect("bot resolution frame");
    assert_eq!(kb["task"]["href"], "/kb?draft=%E7%89%A9%E6%B5%81%E6%9F%A5%E8%AF%A2");

    // A day later every window is empty: each resolves, once.
    clock.advance(25 * HOUR);
    analytics.evaluate().await.expect("evaluate later");
    analytics.evaluate().await.expect("evaluate later again");
    let log = app.state().inbox.store().events(shop, 0, 10_000).await.unwrap();
    let count = |name: &str| log.iter().filter(|(_, e)| e.kind.name() == name).count();
    assert_eq!((count("alert_raised"), count("alert_resolved")), (6, 6));
    // Sessions last 12 hours: log in again a day later.
    let (sup, owner) = (app.login("supervisor@demo.kefu").await, app.login("owner@demo.kefu").await);
    let (_, a) = sup.get("/api/v1/analytics/alerts").await;
    assert!(a["alerts"].as_array().unwrap().iter().all(|s| !s["resolved_at"].is_null()), "{a}");

    // Each firing and resolving went to the outgoing webhook.
    let mut hooked = 0;
    for state in ["pending", "delivered", "dead"] {
        let (_, o) = owner.get(&format!("/api/v1/outbox?state={state}")).await;
        hooked += o["deliveries"].as_array().unwrap().iter().filter(|d| d["event"].as_str().is_some_and(|e| e.starts_with("alert."))).count();
    }
    assert_eq!(hooked, 12);

    // Rules are a validated document.
    let (status, body) = owner.post_put("/api/v1/analytics/alert-rules", json!({ "rules": [{ "id": "x", "kind": "bad_review_share", "window_mins": 0, "threshold": 15 }] })).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = owner.post_put("/api/v1/analytics/alert-rules", json!({ "rules": [{ "id": "slow", "kind": "response_time", "window_mins": 5, "threshold": 30 }] })).await;
    assert_eq!(status, 200);
    let (_, a) = sup.get("/api/v1/analytics/alerts").await;
    assert_eq!(a["rules"]["rules"][0]["id"], "slow");
    assert_eq!(sup.post_put("/api/v1/analytics/alert-rules", json!({ "rules": [] })).await.0, 403);
    app.shutdown().await;
}

/// Read bot replies (non-customer messages) until 300 ms pass without one.
async fn replies(ws: &mut Ws) -> usize {
    let mut n = 0;
    loop {
        let wait = if n == 0 { 5_000 } else { 300 };
        let Ok(Some(Ok(msg))) = tokio::time::timeout(std::time::Duration::from_millis(wait), futures_util::StreamExt::next(ws)).await else { return n };
        let tokio_tungstenite::tungstenite::Message::Text(t) = msg else { continue };
        let f: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
        if f["type"] == "message" && f["message"]["sender_kind"] != "customer" {
            n += 1;
        }
    }
}

#[tokio::test]
async fn the_real_bot_feeds_bot_resolution_transfers_and_hotspot_sources() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let kb = json!({ "faqs": [{"id": "shipping", "question": "什么时候发货", "similar": ["多久发货", "啥时候发货"], "answer": "付款后48小时内发货"}], "flows": [], "handoff": { "unknown_streak": 3 } });
    crate::bot::put_kb(&owner, kb).await;
    let sup = app.login("supervisor@demo.kefu").await;
    let (_, before) = sup.get("/api/v1/analytics/dashboard?period=today&dim=source").await;
    let get = |v: &Value, k: &str| v["total"][k].as_i64().unwrap_or(0);
    // One customer the demo bot answers, one who asks for a person.
    let (mut a, _) = app.widget(None, None).await;
    send(&mut a, json!({ "type": "send", "content": "亲，什么时候发货", "client_id": "a1" })).await;
    assert!(replies(&mut a).await >= 1, "the bot answers");
    let (mut b, _) = app.widget(None, None).await;
    send(&mut b, json!({ "type": "send", "content": "转人工", "client_id": "b1" })).await;
    let _ = replies(&mut b).await;
    let (_, after) = sup.get("/api/v1/analytics/dashboard?period=today&dim=source").await;
    assert_eq!(get(&after, "conversations"), get(&before, "conversations") + 2, "{after}");
    assert_eq!(get(&after, "bot_received"), get(&before, "bot_received") + 2, "{after}");
    assert_eq!(get(&after, "transferred"), get(&before, "transferred") + 1, "{after}");
    assert!(after["total"]["transfer_reasons"]["asked_for_human"].as_i64().unwrap_or(0) >= 1, "{after}");
    let sources: Vec<String> = after["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap_or_default().to_string()).collect();
    assert!(sources.contains(&"bot_only".to_string()) && sources.contains(&"bot_to_human".to_string()), "{sources:?}");
    // Both were categorised from their first question: the hotspot sources split them.
    let (_, bot_only) = sup.get("/api/v1/analytics/hotspots?period=today&source=bot_only").await;
    let (_, to_human) = sup.get("/api/v1/analytics/hotspots?period=today&source=bot_to_human").await;
    assert!(bot_only["total"].as_i64().unwrap_or(0) >= 1 && to_human["total"].as_i64().unwrap_or(0) >= 1, "{bot_only} {to_human}");
}
