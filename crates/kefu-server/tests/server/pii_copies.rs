//! Issue 17's privacy findings: copies of customer text outside message views (tickets, a
//! customer's identities) are masked for agents and revealed one value at a time, audited;
//! email addresses never reach the database file in clear; a widget socket that never sends
//! anything leaves no customer behind.

use crate::email::{email_channel, post_email, plain};
use crate::harness::*;
use serde_json::{json, Value};

const PHONE: &str = "13812345678";
const ID_CARD: &str = "11010519491231002X";
const BANK_CARD: &str = "6222021234567890128";

/// Every byte SQLite keeps: the file and its WAL.
fn raw_database(app: &TestApp) -> Vec<u8> {
    let path = app._dir.path().join("kefu.db");
    let mut bytes = std::fs::read(&path).expect("read kefu.db");
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn customers_in_database(app: &TestApp) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", app._dir.path().join("kefu.db").display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("open kefu.db");
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM customer").fetch_one(&mut conn).await.expect("count").try_get("n").expect("n");
    conn.close().await.expect("close");
    n
}

async fn pii_reveals(owner: &Agent) -> Vec<Value> {
    let (_, audit) = owner.get("/api/v1/audit").await;
    audit["entries"].as_array().expect("entries").iter().filter(|e| e["action"] == "pii_revealed").cloned().collect()
}

fn shows_none_of(v: &Value, values: &[&str]) -> bool {
    let text = v.to_string();
    values.iter().all(|x| !text.contains(x))
}

#[tokio::test]
async fn tickets_show_pii_masked_copy_notes_only_when_asked_and_reveals_are_audited() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    let (mut c, _) = app.widget(None, None).await;
    let text = format!("电话{PHONE}，身份证{ID_CARD}，退款到卡{BANK_CARD}");
    send(&mut c, json!({"type": "send", "content": text, "client_id": "c1"})).await;
    let conv = next_of(&mut c, "ack").await["message"]["conversation_id"].as_str().expect("conversation").to_string();
    let (s, _) = agent.post(&format!("/api/v1/conversations/{conv}/notes"), json!({"text": "内部：这位客户上周也投诉过"})).await;
    assert_eq!(s, 201);
    let clear = [PHONE, ID_CARD, BANK_CARD];

    // From the conversation: the transcript is copied, masked in every view, notes left out.
    let (s, ticket) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "conversation_id": conv})).await;
    assert_eq!(s, 201, "{ticket}");
    let id = ticket["id"].as_str().expect("id").to_string();
    let description = ticket["description"].as_str().expect("description");
    assert!(description.contains("138****5678") && description.contains("退款到卡"), "{description}");
    assert!(shows_none_of(&ticket, &clear), "{ticket}");
    assert!(!description.contains("上周也投诉过"), "notes are not copied unless asked: {description}");
    assert_eq!(ticket["pii_masked"], 3);
    let frame = next_where(&mut agent_ws, |f| f["type"] == "ticket" && f["ticket"]["id"] == id.as_str()).await;
    assert!(frame["ticket"]["description"].as_str().is_some_and(|d| d.contains("138****5678")) && shows_none_of(&frame, &clear), "{frame}");
    let (_, list) = agent.get("/api/v1/tickets").await;
    assert!(list["tickets"].as_array().is_some_and(|t| !t.is_empty()) && shows_none_of(&list, &clear), "{list}");
    // A comment quoting the customer is masked the same way.
    let (s, commented) = agent.post(&format!("/api/v1/tickets/{id}/comments"), json!({"body": format!("已联系 {PHONE}"), "public": false})).await;
    assert_eq!(s, 200);
    assert!(shows_none_of(&commented, &clear) && commented["pii_masked"] == 4, "{commented}");

    // Asked for: the notes come along.
    let (s, with_notes) = agent.post("/api/v1/tickets", json!({"ticket_type": "complaint", "conversation_id": conv, "include_notes": true})).await;
    assert_eq!(s, 201, "{with_notes}");
    assert!(with_notes["description"].as_str().is_some_and(|d| d.contains("[note] 内部：这位客户上周也投诉过")), "{with_notes}");

    // Agents cannot reveal; the owner reveals one value, and the audit names the ticket,
    // never the value.
    let (s, _) = agent.post(&format!("/api/v1/tickets/{id}/reveal"), json!({"index": 0})).await;
    assert_eq!(s, 403);
    let owner = app.login("owner@demo.kefu").await;
    assert!(pii_reveals(&owner).await.is_empty());
    let (s, revealed) = owner.post(&format!("/api/v1/tickets/{id}/reveal"), json!({"index": 2})).await;
    assert_eq!((s, revealed["kind"].as_str(), revealed["value"].as_str()), (200, Some("bank_card"), Some(BANK_CARD)), "{revealed}");
    let (s, _) = owner.post(&format!("/api/v1/tickets/{id}/reveal"), json!({"index": 4})).await;
    assert_eq!(s, 404, "only four values are masked");
    let reveals = pii_reveals(&owner).await;
    assert_eq!(reveals.len(), 1);
    assert_eq!((reveals[0]["target"].as_str(), reveals[0]["detail"]["kind"].as_str()), (Some(format!("ticket:{id}").as_str()), Some("bank_card")), "{reveals:?}");
    assert!(shows_none_of(&json!(reveals), &clear));
}

#[tokio::test]
async fn email_addresses_are_sealed_on_disk_masked_for_agents_and_revealed_with_an_audit_entry() {
    let app = TestApp::spawn().await;
    let (ch, secret) = email_channel(&app).await;
    let address = "planted.buyer@example.org";
    let raw = plain("Planted.Buyer@Example.org", "p1@example.org", "发票", None, &[], "请开发票");
    let (status, res) = post_email(&app, &ch, &secret, &raw).await;
    assert_eq!(status, 201, "{res}");
    let customer = res["customer_id"].as_str().expect("customer").to_string();
    // The same sender again is the same customer: the lookup works on the sealed address.
    let again = plain("planted.buyer@example.org", "p2@example.org", "发票", None, &[], "还有一个问题");
    let (_, res2) = post_email(&app, &ch, &secret, &again).await;
    assert_eq!(res2["customer_id"], customer.as_str());

    let agent = app.login("agent1@demo.kefu").await;
    let (s, view) = agent.get(&format!("/api/v1/customers/{customer}")).await;
    assert_eq!(s, 200);
    let shown = view["identities"][0]["external_id"].as_str().expect("external id");
    assert_eq!(view["identities"][0]["channel"], "email");
    assert!(!shown.contains("planted.buyer") && shown.contains('@'), "masked: {shown}");
    assert!(!view.to_string().contains("planted.buyer"), "{view}");
    assert_eq!(view["pii_masked"], 1);
    let (_, convs) = agent.get("/api/v1/conversations").await;
    assert!(!convs.to_string().contains("planted.buyer"), "{convs}");

    let (s, _) = agent.post(&format!("/api/v1/customers/{customer}/reveal"), json!({"index": 0})).await;
    assert_eq!(s, 403);
    let owner = app.login("owner@demo.kefu").await;
    let (s, revealed) = owner.post(&format!("/api/v1/customers/{customer}/reveal"), json!({"index": 0})).await;
    assert_eq!((s, revealed["kind"].as_str(), revealed["value"].as_str()), (200, Some("email"), Some(address)), "{revealed}");
    let reveals = pii_reveals(&owner).await;
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0]["target"], format!("customer:{customer}"));
    assert!(!json!(reveals).to_string().contains("planted.buyer"));

    let bytes = raw_database(&app);
    assert!(bytes.len() > 10_000, "read the database");
    for needle in [address, "planted.buyer", "Planted.Buyer"] {
        assert!(!contains(&bytes, needle), "{needle:?} is in the raw database file");
    }
}

#[tokio::test]
async fn bare_widget_sockets_create_no_customer_and_the_token_resumes_after_the_first_message() {
    let app = TestApp::spawn().await;
    let before = customers_in_database(&app).await;
    let mut tokens = Vec::new();
    for _ in 0..25 {
        let (ws, hello) = app.widget(None, None).await;
        assert!(hello["customer_id"].is_null(), "{hello}");
        tokens.push(hello["visitor_token"].as_str().expect("token").to_string());
        drop(ws);
    }
    // Reconnecting with a token nobody wrote with keeps that token, still without a customer.
    let (ws, hello) = app.widget(Some(&tokens[0]), None).await;
    assert_eq!((hello["visitor_token"].as_str(), hello["customer_id"].as_str()), (Some(tokens[0].as_str()), None));
    drop(ws);
    assert_eq!(customers_in_database(&app).await, before, "25 bare sockets, no customers");

    // Typing, rating or thumbs before writing create nothing either.
    let (mut ws, _) = app.widget(Some(&tokens[1]), None).await;
    send(&mut ws, json!({"type": "typing"})).await;
    send(&mut ws, json!({"type": "rate", "stars": 5, "client_id": "r1"})).await;
    let refused = next_where(&mut ws, |f| f["type"] == "error" && f["client_id"] == "r1").await;
    assert_eq!(refused["code"], "conflict", "{refused}");
    assert_eq!(customers_in_database(&app).await, before);

    // The first message creates the customer; the same token resumes them.
    send(&mut ws, json!({"type": "send", "content": "你好", "client_id": "m1"})).await;
    let customer = next_of(&mut ws, "ack").await["message"]["customer_id"].as_str().expect("customer").to_string();
    assert_eq!(customers_in_database(&app).await, before + 1);
    send(&mut ws, json!({"type": "send", "content": "在吗", "client_id": "m2"})).await;
    assert_eq!(next_of(&mut ws, "ack").await["message"]["customer_id"], customer.as_str(), "one customer per visitor");
    drop(ws);
    let (_ws, hello) = app.widget(Some(&tokens[1]), None).await;
    assert_eq!(hello["customer_id"], customer.as_str());
    let mine = hello["messages"].as_array().expect("messages").iter().filter(|m| m["sender_kind"] == "customer").count();
    assert_eq!(mine, 2, "{hello}");
    assert_eq!(customers_in_database(&app).await, before + 1);
}
