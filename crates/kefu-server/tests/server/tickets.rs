//! Tickets through the API: every default workflow end to end with rejections and loops, the
//! customer confirming in the widget, SLA due times across a weekend and a holiday with a
//! pause, escalation once on an injected clock, and bad input.

use crate::harness::*;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

/// Unix ms of a Beijing local time.
fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    let local = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    (local - Duration::hours(8)).and_utc().timestamp_millis()
}

/// A widget customer who wrote once; returns the socket and the conversation id.
async fn customer(app: &TestApp, text: &str) -> (Ws, String) {
    let (mut c, _) = app.widget(None, None).await;
    send(&mut c, json!({"type": "send", "content": text, "client_id": "first"})).await;
    let conv = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("id").to_string();
    (c, conv)
}

async fn system_text(c: &mut Ws, contains: &str) -> String {
    let f = next_where(c, |f| {
        f["type"] == "message" && f["message"]["sender_kind"] == "system" && f["message"]["content"].as_str().is_some_and(|t| t.contains(contains))
    })
    .await;
    f["message"]["content"].as_str().unwrap_or_default().to_string()
}

async fn move_to(a: &Agent, id: &str, to: &str) -> (u16, Value) {
    a.post(&format!("/api/v1/tickets/{id}/transition"), json!({"to": to})).await
}

/// Poll until the ticket reaches `state` (customer answers are applied by a bus consumer).
async fn wait_state(a: &Agent, id: &str, state: &str) -> Value {
    for _ in 0..100 {
        let (_, t) = a.get(&format!("/api/v1/tickets/{id}")).await;
        if t["state"] == state {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("ticket {id} never reached {state}");
}

#[tokio::test]
async fn complaint_walks_through_legal_with_a_loop_and_the_customer_confirms_in_the_widget() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_aws, _) = agent.socket().await;
    let legal = app.login("supervisor@demo.kefu").await;
    let (mut c, conv) = customer(&app, "收到的杯子是裂的，我要投诉！").await;

    let (status, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "conversation_id": conv, "title": "杯子破损投诉"})).await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().expect("id").to_string();
    assert_eq!((t["number"].as_i64(), t["state"].as_str(), t["department"].as_str()), (Some(1), Some("record"), Some("service")));
    assert!(t["description"].as_str().is_some_and(|d| d.contains("杯子是裂的")), "transcript copied");
    assert!(system_text(&mut c, "#1").await.contains("杯子破损投诉"), "customer told the number");

    assert_eq!(move_to(&agent, &id, "closed").await.0, 409, "no shortcut to closed");
    assert_eq!(move_to(&agent, &id, "legal_review").await.0, 200);
    let (status, body) = move_to(&agent, &id, "solution_feedback").await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "only legal decides");
    let (_, back) = legal.post(&format!("/api/v1/tickets/{id}/transition"), json!({"to": "record", "note": "请补充开箱视频"})).await;
    assert_eq!(back["state"], "record");
    assert_eq!(move_to(&agent, &id, "legal_review").await.0, 200);
    assert_eq!(move_to(&legal, &id, "solution_feedback").await.0, 200);
    let (_, waiting) = move_to(&agent, &id, "customer_confirmation").await;
    assert_eq!(waiting["sla_status"], "paused");
    assert!(system_text(&mut c, "请回复「1」").await.contains("#1"));

    // The customer says no: back to legal review, and told so.
    send(&mut c, json!({"type": "send", "content": "2", "client_id": "no"})).await;
    wait_state(&agent, &id, "legal_review").await;
    system_text(&mut c, "重新处理").await;
    assert_eq!(move_to(&legal, &id, "solution_feedback").await.0, 200);
    assert_eq!(move_to(&agent, &id, "customer_confirmation").await.0, 200);
    system_text(&mut c, "请回复「1」").await;
    send(&mut c, json!({"type": "send", "content": "1", "client_id": "yes"})).await;
    let done = wait_state(&agent, &id, "closed").await;
    assert!(done["closed_at"].as_i64().is_some());
    assert_eq!(done["sla_status"], "done");
    system_text(&mut c, "已关闭").await;

    let moves: Vec<(String, String)> = done["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["change"]["kind"] == "moved")
        .map(|h| (h["change"]["from"].as_str().unwrap_or("").into(), h["change"]["to"].as_str().unwrap_or("").into()))
        .collect();
    let expected: Vec<(String, String)> = [
        ("record", "legal_review"),
        ("legal_review", "record"),
        ("record", "legal_review"),
        ("legal_review", "solution_feedback"),
        ("solution_feedback", "customer_confirmation"),
        ("customer_confirmation", "legal_review"),
        ("legal_review", "solution_feedback"),
        ("solution_feedback", "customer_confirmation"),
        ("customer_confirmation", "closed"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(moves, expected);
    let by_customer = done["history"].as_array().expect("history").iter().filter(|h| h["by"]["kind"] == "customer" && h["change"]["kind"] == "moved").count();
    assert_eq!(by_customer, 2);
    assert_eq!(move_to(&agent, &id, "record").await.0, 409, "closed is final");
}

#[tokio::test]
async fn technical_fault_goes_to_tech_and_back_when_not_fixed() {
    let app = TestApp::spawn().await;
    let service = app.login("agent1@demo.kefu").await;
    let tech = app.login("agent2@demo.kefu").await;
    let (mut c, conv) = customer(&app, "App 一直闪退").await;
    let (_, t) = service.post("/api/v1/tickets", json!({"ticket_type": "technical_fault", "conversation_id": conv})).await;
    let id = t["id"].as_str().expect("id").to_string();
    assert_eq!(t["title"], "网页访客 的问题");
    assert_eq!(move_to(&service, &id, "investigation").await.0, 200);
    assert_eq!(move_to(&service, &id, "fix_notice").await.0, 403, "service cannot declare a fix");
    assert_eq!(move_to(&tech, &id, "accepted").await.0, 200, "tech asks for more information");
    assert_eq!(move_to(&service, &id, "investigation").await.0, 200);
    assert_eq!(move_to(&tech, &id, "fix_notice").await.0, 200);
    assert_eq!(move_to(&service, &id, "follow_up").await.0, 200);
    send(&mut c, json!({"type": "send", "content": "还是闪退", "client_id": "x"})).await;
    send(&mut c, json!({"type": "send", "content": "2", "client_id": "no"})).await;
    wait_state(&service, &id, "investigation").await;
    assert_eq!(move_to(&tech, &id, "fix_notice").await.0, 200);
    assert_eq!(move_to(&service, &id, "follow_up").await.0, 200);
    send(&mut c, json!({"type": "send", "content": "已解决！", "client_id": "yes"})).await;
    wait_state(&service, &id, "closed").await;
}

#[tokio::test]
async fn emergencies_take_the_fast_lane_to_supervisors() {
    let app = TestApp::spawn().await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    let (mut sws, _) = supervisor.socket().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (status, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "emergency", "title": "直播间大量用户反映付款失败", "priority": "urgent"})).await;
    assert_eq!(status, 201);
    let id = t["id"].as_str().expect("id").to_string();
    let frame = next_of(&mut sws, "ticket").await;
    assert_eq!(frame["ticket"]["id"], id.as_str());
    assert!(frame["notify"].as_array().expect("notify").contains(&json!("supervisors")), "{frame}");
    assert_eq!(move_to(&agent, &id, "contingency").await.0, 403);
    for s in ["contingency", "all_hands", "review", "closed"] {
        let (status, body) = move_to(&supervisor, &id, s).await;
        assert_eq!(status, 200, "{s}: {body}");
    }
}

#[tokio::test]
async fn sla_due_times_skip_the_weekend_and_a_holiday_and_move_with_pauses() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let owner = app.login("owner@demo.kefu").await;
    let mut cal = serde_json::to_value(kefu_core::tickets::sla::Calendar::default()).unwrap();
    cal["holidays"] = json!(["2026-11-23"]);
    let (status, _) = owner.post_put("/api/v1/calendar", cal).await;
    assert_eq!(status, 200);

    // Friday 2026-11-20 17:00 Beijing time.
    let now = kefu_core::clock::Clock::now(&*clock);
    clock.advance(bj(2026, 11, 20, 17, 0) - now);
    let agent = app.login("agent1@demo.kefu").await;
    let (_, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "SLA"})).await;
    let id = t["id"].as_str().expect("id").to_string();
    assert_eq!(t["sla"]["first_response_due"].as_i64(), Some(bj(2026, 11, 20, 18, 0)));
    // 27 business hours: 1 on Friday, Monday is a holiday, 9 Tue, 9 Wed, 8 Thu.
    assert_eq!(t["sla"]["resolution_due"].as_i64(), Some(bj(2026, 11, 26, 17, 0)));

    // Tuesday 10:00: through legal to the customer; the clock stops. (Days pass, so log in
    // again: sessions last 12 hours.)
    clock.advance(bj(2026, 11, 24, 10, 0) - bj(2026, 11, 20, 17, 0));
    let agent = app.login("agent1@demo.kefu").await;
    let legal = app.login("supervisor@demo.kefu").await;
    move_to(&agent, &id, "legal_review").await;
    move_to(&legal, &id, "solution_feedback").await;
    move_to(&agent, &id, "customer_confirmation").await;
    // Wednesday 10:00 the customer is reached by phone and it goes back to legal: 9 business
    // hours paused (Tue 10-18, Wed 9-10) move the due time from Thu 17:00 to Fri 17:00.
    clock.advance(bj(2026, 11, 25, 10, 0) - bj(2026, 11, 24, 10, 0));
    let agent = app.login("agent1@demo.kefu").await;
    let (status, t) = move_to(&agent, &id, "legal_review").await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["sla"]["resolution_due"].as_i64(), Some(bj(2026, 11, 27, 17, 0)));
    assert_eq!(t["sla_status"], "ok");
}

#[tokio::test]
async fn escalation_fires_once_at_the_right_time() {
    let clock = manual_clock();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    // Emergencies count round the clock: first response due in 15 minutes, warning 5 before.
    let (_, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "emergency", "title": "仓库停电"})).await;
    let id = t["id"].as_str().expect("id").to_string();
    let tickets = &app.state().tickets;
    clock.advance(9 * 60_000);
    assert_eq!(tickets.sweep().await.unwrap(), 0, "nothing due at 9 minutes");
    clock.advance(60_000);
    assert_eq!(tickets.sweep().await.unwrap(), 1, "the warning at 10 minutes");
    let (mut sws, _) = supervisor.socket().await;
    clock.advance(5 * 60_000);
    assert_eq!(tickets.sweep().await.unwrap(), 2, "breach and escalation at 15 minutes");
    let frame = next_where(&mut sws, |f| f["type"] == "ticket" && f["ticket"]["id"] == id.as_str()).await;
    assert!(frame["notify"].as_array().expect("notify").contains(&json!("supervisors")));
    clock.advance(60 * 60_000);
    assert_eq!(tickets.sweep().await.unwrap(), 0, "an escalation never fires twice");
    let (_, t) = supervisor.get(&format!("/api/v1/tickets/{id}")).await;
    let kinds: Vec<&str> = t["history"].as_array().expect("history").iter().map(|h| h["change"]["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "escalated").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "sla_breached").count(), 1);
    assert_eq!(t["sla_status"], "breached");
    let (_, breached) = supervisor.get("/api/v1/tickets?sla=breached").await;
    assert_eq!(breached["tickets"].as_array().map(|t| t.len()), Some(1));
}

#[tokio::test]
async fn bad_tickets_and_workflows_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    let (s, b) = agent.post("/api/v1/tickets", json!({"ticket_type": "nope", "title": "x"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, _) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint"})).await;
    assert_eq!(s, 400, "no title and no conversation");
    let (s, _) = agent.get(&format!("/api/v1/tickets/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(s, 404);

    let (_, wfs) = owner.get("/api/v1/ticket-types").await;
    let complaint = wfs["workflows"].as_array().expect("workflows").iter().find(|w| w["ticket_type"] == "complaint").cloned().expect("complaint");
    let mut orphan = complaint.clone();
    orphan["states"].as_array_mut().unwrap().push(json!({"key": "limbo", "name": "无人区"}));
    let (s, b) = owner.post_put("/api/v1/ticket-types/complaint", orphan).await;
    assert_eq!(s, 400);
    assert!(b["error"]["message"].as_str().is_some_and(|m| m.contains("cannot be reached")), "{b}");
    let mut endless = complaint.clone();
    for st in endless["states"].as_array_mut().unwrap() {
        st["terminal"] = json!(false);
    }
    let (s, b) = owner.post_put("/api/v1/ticket-types/complaint", endless).await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = agent.post_put("/api/v1/ticket-types/complaint", complaint.clone()).await;
    assert_eq!(s, 403, "agents do not edit workflows");
    let (_, after) = owner.get("/api/v1/ticket-types").await;
    assert_eq!(after, wfs, "refused edits changed nothing");

    // A ticket waits in legal_review; a workflow without that state is refused.
    let (_, t) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "x"})).await;
    let id = t["id"].as_str().expect("id").to_string();
    move_to(&agent, &id, "legal_review").await;
    let mut shorter = complaint.clone();
    shorter["states"].as_array_mut().unwrap().retain(|s| s["key"] != "legal_review");
    shorter["transitions"].as_array_mut().unwrap().retain(|t| t["from"] != "legal_review" && t["to"] != "legal_review");
    shorter["transitions"].as_array_mut().unwrap().push(json!({"from": "record", "to": "solution_feedback", "name": "直接处理"}));
    let (s, b) = owner.post_put("/api/v1/ticket-types/complaint", shorter).await;
    assert_eq!((s, b["error"]["code"].as_str()), (409, Some("conflict")), "{b}");

    // Tags and attachments are recorded in the history; a bad attachment is refused.
    let (s, tagged) = agent.post_put(&format!("/api/v1/tickets/{id}/tags"), json!({"tags": ["质量", " 质量 ", "加急"]})).await;
    assert_eq!((s, tagged["tags"].clone()), (200, json!(["加急", "质量"])));
    let (s, _) = agent.post(&format!("/api/v1/tickets/{id}/attachments"), json!({"name": "开箱视频.mp4", "url": "javascript:alert(1)", "size": 1})).await;
    assert_eq!(s, 400);
    let (s, with_file) = agent.post(&format!("/api/v1/tickets/{id}/attachments"), json!({"name": "开箱视频.mp4", "url": "https://oss.example/v.mp4", "size": 1048576})).await;
    assert_eq!(s, 200);
    assert_eq!(with_file["attachments"][0]["name"], "开箱视频.mp4");
    assert!(with_file["history"].as_array().expect("history").iter().any(|h| h["change"]["kind"] == "attached"));

    // Bulk: each ticket on its own.
    let (_, t2) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "y"})).await;
    let id2 = t2["id"].as_str().expect("id").to_string();
    let (s, r) = agent.post("/api/v1/tickets/bulk", json!({"ids": [id, id2, "garbage"], "action": {"type": "transition", "to": "legal_review"}})).await;
    assert_eq!(s, 200);
    let oks: Vec<bool> = r["results"].as_array().expect("results").iter().map(|x| x["ok"].as_bool().unwrap_or(false)).collect();
    assert_eq!(oks, vec![false, true, false]);
}
