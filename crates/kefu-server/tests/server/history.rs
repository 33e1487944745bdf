//! Issue 20, history and search: every conversation whatever its status, filtered, with
//! full-text search over sealed message text through the keyed blind index; the database file
//! holds neither the words nor unkeyed hashes of them; pages; another shop finds nothing.

use crate::harness::*;
use crate::isolation::second_shop;
use kefu_core::customer::Channel;
use kefu_core::event::{Event, EventKind};
use kefu_core::ids::{ConversationId, CustomerId, ShopId};
use kefu_core::store::{ChangeSet, Store};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Every byte SQLite keeps: the file and its WAL.
fn raw_database(app: &TestApp) -> Vec<u8> {
    let path = app._dir.path().join("kefu.db");
    let mut bytes = std::fs::read(&path).expect("read kefu.db");
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn shop_of(agent: &Agent) -> ShopId {
    let (_, me) = agent.get("/api/v1/me").await;
    me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop id")
}

/// A customer on the API channel who wrote `texts`; returns (customer, conversation).
pub(crate) async fn customer_wrote(app: &TestApp, shop: ShopId, who: &str, texts: &[&str]) -> (CustomerId, ConversationId) {
    let inbox = &app.state().inbox;
    let (customer, _) = inbox.customer_for(shop, Channel::Api, who, who).await.expect("customer");
    let mut conversation = None;
    for (i, t) in texts.iter().enumerate() {
        let d = inbox.customer_message(shop, customer.id, Channel::Api, t, Some(&format!("{who}-{i}"))).await.expect("message");
        conversation = Some(d.conversation.id);
    }
    (customer.id, conversation.expect("a conversation"))
}

async fn search(agent: &Agent, query: &str) -> Value {
    let (s, page) = agent.get(&format!("/api/v1/conversations/search?{query}")).await;
    assert_eq!(s, 200, "{query}: {page}");
    page
}

fn conversations(page: &Value) -> Vec<String> {
    page["results"].as_array().expect("results").iter().map(|r| r["conversation_id"].as_str().expect("id").to_string()).collect()
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn words_are_found_in_sealed_messages_while_the_file_holds_neither_them_nor_unkeyed_hashes() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let shop = shop_of(&agent).await;
    let (_, nautilus) = customer_wrote(&app, shop, "n-1", &["你好，我买的鹦鹉螺摆件裂了，型号 Zephyrcoat", "什麼時候能補發？"]).await;
    let (_, other) = customer_wrote(&app, shop, "n-2", &["请问发货了吗"]).await;

    let page = search(&agent, &q("鹦鹉螺")).await;
    assert_eq!(conversations(&page), vec![nautilus.to_string()]);
    let hit = &page["results"][0];
    assert!(hit["snippet"].as_str().expect("snippet").contains("鹦鹉螺"), "{hit}");
    assert_eq!(hit["channel_label"], "API");
    assert_eq!(hit["status_label"], "排队中");
    // Case, width and traditional characters do not matter; all words must be in one message.
    assert_eq!(conversations(&search(&agent, &q("ZEPHYRCOAT")).await), vec![nautilus.to_string()]);
    assert_eq!(conversations(&search(&agent, &q("什么时候 补发")).await), vec![nautilus.to_string()]);
    assert_eq!(conversations(&search(&agent, &q("鹦鹉 发货")).await), Vec::<String>::new());
    assert_eq!(conversations(&search(&agent, &q("发货")).await), vec![other.to_string()]);
    // Bigrams that are there but apart are not a match.
    assert_eq!(conversations(&search(&agent, &q("螺型")).await), Vec::<String>::new());

    let raw = raw_database(&app);
    for word in ["鹦鹉螺", "zephyrcoat", "Zephyrcoat"] {
        assert!(!contains(&raw, word.as_bytes()), "{word} in clear in the database");
    }
    for term in ["鹦鹉", "鹦鹉螺", "zephyrcoat", "螺摆"] {
        let digest = Sha256::digest(term.as_bytes());
        assert!(!contains(&raw, &digest), "SHA-256 of {term} in the database");
        assert!(!contains(&raw, &digest[..8]), "truncated SHA-256 of {term} in the database");
        assert!(!contains(&raw, hex::encode(digest).as_bytes()), "hex SHA-256 of {term} in the database");
        let salted = Sha256::digest(format!("{shop}\u{1f}{term}").as_bytes());
        assert!(!contains(&raw, &salted[..8]), "unkeyed shop hash of {term} in the database");
    }
}

#[tokio::test]
async fn filters_narrow_the_history_of_every_status() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let shop = shop_of(&agent).await;
    let (alice, a) = customer_wrote(&app, shop, "f-alice", &["羽绒服掉毛了"]).await;
    let (_, b) = customer_wrote(&app, shop, "f-bob", &["羽绒服什么时候到"]).await;
    assert_eq!(agent.post(&format!("/api/v1/conversations/{a}/assign"), json!({ "agent_id": agent.id })).await.0, 200);
    assert_eq!(agent.post(&format!("/api/v1/conversations/{a}/resolve"), json!({})).await.0, 200);
    let (s, _) = agent.post_put(&format!("/api/v1/customers/{alice}/tags"), json!({ "tags": ["回头客"] })).await;
    assert_eq!(s, 200);
    let rated = Event::conversation(shop, a, alice, 1, EventKind::ConversationRated { stars: 4, scale: 5, comment_id: None, agent_id: None });
    app.state().inbox.store().apply(ChangeSet { changes: vec![], events: vec![rated] }).await.expect("rating");

    let word = q("羽绒服");
    let (a, b) = (a.to_string(), b.to_string());
    assert_eq!(conversations(&search(&agent, &word).await).len(), 2);
    assert_eq!(conversations(&search(&agent, &format!("{word}&status=resolved")).await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, "status=resolved").await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, &format!("{word}&status=queued")).await), vec![b.clone()]);
    assert_eq!(conversations(&search(&agent, &format!("agent_id={}", agent.id)).await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, &format!("customer_id={alice}")).await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, &format!("tag={}", urlencode("回头客"))).await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, "rating=4").await), vec![a.clone()]);
    assert_eq!(conversations(&search(&agent, "rating=5").await), Vec::<String>::new());
    assert_eq!(conversations(&search(&agent, &format!("{word}&channel=email")).await), Vec::<String>::new());
    assert_eq!(conversations(&search(&agent, &format!("{word}&channel=api")).await).len(), 2);
    let future = 4_000_000_000_000i64;
    assert_eq!(conversations(&search(&agent, &format!("{word}&from={future}")).await), Vec::<String>::new());
    assert_eq!(conversations(&search(&agent, &format!("{word}&to=1")).await), Vec::<String>::new());
    let resolved = &search(&agent, &format!("{word}&status=resolved")).await["results"][0];
    assert_eq!(resolved["status_label"], "已解决");
    assert_eq!(resolved["agent_name"].is_string(), true, "{resolved}");
    let (s, e) = agent.get("/api/v1/conversations/search?status=done").await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn pages_follow_each_other_newest_first_without_repeats() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let shop = shop_of(&agent).await;
    for i in 0..25 {
        customer_wrote(&app, shop, &format!("p-{i}"), &[&format!("第{i}号：保温杯漏水")]).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let mut query = format!("{}&limit=10", q("保温杯漏水"));
        if let Some(c) = &cursor {
            query.push_str(&format!("&cursor={}", urlencode(c)));
        }
        let page = search(&agent, &query).await;
        sizes.push(page["results"].as_array().expect("results").len());
        let times: Vec<i64> = page["results"].as_array().expect("results").iter().map(|r| r["matched_at"].as_i64().expect("time")).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
        seen.extend(conversations(&page));
        match page["next"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25, "no conversation twice");
    // The same pages without a query list conversations.
    let listed = search(&agent, "limit=10").await;
    assert_eq!(listed["results"].as_array().expect("results").len(), 10);
    assert!(listed["next"].is_string());
}

#[tokio::test]
async fn another_shop_finds_nothing_of_this_one() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let shop = shop_of(&agent).await;
    customer_wrote(&app, shop, "iso-1", &["这里有个秘密词：琥珀核桃"]).await;
    let (_, _, b_conversation, _) = second_shop(&app).await;
    let other = app.login("agent@other.kefu").await;
    assert_eq!(conversations(&search(&other, &q("琥珀核桃")).await), Vec::<String>::new());
    assert_eq!(conversations(&search(&other, "").await), vec![b_conversation.clone()]);
    assert_eq!(conversations(&search(&other, &q("私密消息")).await), vec![b_conversation.clone()]);
    // And this shop does not find B's message.
    assert_eq!(conversations(&search(&agent, &q("私密消息")).await), Vec::<String>::new());
    assert_eq!(conversations(&search(&agent, &q("琥珀核桃")).await).len(), 1);
}

#[tokio::test]
async fn the_search_is_documented_with_every_filter_optional() {
    let app = TestApp::spawn().await;
    let doc: Value = app.http.get(format!("{}/api/openapi.json", app.base)).send().await.expect("doc").json().await.expect("json");
    let params = doc["paths"]["/api/v1/conversations/search"]["get"]["parameters"].as_array().expect("parameters").clone();
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    for want in ["q", "status", "channel", "agent_id", "team_id", "tag", "category", "from", "to", "rating", "cursor"] {
        assert!(names.contains(&want), "{want} documented: {names:?}");
    }
    assert!(params.iter().all(|p| p["in"] == "query" && p["required"] != true), "all optional: {params:?}");
    for p in ["/api/v1/customers/{id}/profile"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    assert!(doc["paths"]["/api/v1/customers/{id}"]["patch"].is_object());
}
