//! Channels and integrations: orders and products pushed through the API; platform webhooks
//! (signed, idempotent, danmaku absorbed without starving DMs); the outbox delivering replies
//! and webhooks with retries, in order, dead letters and replay.

use crate::harness::*;
use serde_json::{json, Value};

/// An API token of the demo shop's owner with these scopes.
pub async fn token(app: &TestApp, scopes: &[&str]) -> String {
    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/tokens", json!({"name": "integration", "scopes": scopes})).await;
    assert_eq!(status, 201, "{created}");
    created["secret"].as_str().expect("secret").to_string()
}

pub async fn bearer(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.http.request(method, format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn order(ext: &str, buyer: &str, status: &str, created_at: i64) -> Value {
    json!({
        "external_id": ext,
        "buyer": {"channel": "dm", "external_id": buyer, "display_name": "小王"},
        "status": status,
        "amount_cents": 25_800,
        "items": [{"sku": "TS-M-RED", "name": "纯棉T恤 红 M", "qty": 2, "price_cents": 12_900}],
        "created_at": created_at,
    })
}

#[tokio::test]
async fn orders_pushed_through_the_api_show_on_the_customer() {
    let app = TestApp::spawn().await;
    let t = token(&app, &["inbound:write", "conversations:read"]).await;
    let put = reqwest::Method::PUT;

    let (status, res) = bearer(&app, &t, put.clone(), "/api/v1/orders", Some(json!([order("DY-1001", "buyer-1", "paid", 1_000), order("DY-1002", "buyer-1", "created", 2_000)]))).await;
    assert_eq!(status, 200, "{res}");
    let customer = res["orders"][0]["customer_id"].as_str().expect("customer").to_string();
    assert_eq!(res["orders"][1]["customer_id"], customer.as_str(), "one buyer, one customer");

    // An update of one order (shipped, with a waybill) keeps its id and adds no row.
    let mut shipped = order("DY-1001", "buyer-1", "shipped", 1_000);
    shipped["logistics_company"] = json!("顺丰速运");
    shipped["tracking_number"] = json!("SF1234567890");
    let (status, again) = bearer(&app, &t, put.clone(), "/api/v1/orders", Some(json!([shipped]))).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["orders"][0]["id"], res["orders"][0]["id"]);

    let (status, list) = bearer(&app, &t, reqwest::Method::GET, &format!("/api/v1/customers/{customer}/orders"), None).await;
    assert_eq!(status, 200, "{list}");
    let orders = list["orders"].as_array().expect("orders");
    assert_eq!(orders.iter().map(|o| o["external_id"].as_str().unwrap_or("")).collect::<Vec<_>>(), vec!["DY-1002", "DY-1001"]);
    assert_eq!(orders[1]["status"], "shipped");
    assert_eq!(orders[1]["tracking_number"], "SF1234567890");
    assert_eq!(orders[1]["items"][0]["qty"], 2);
    assert_eq!(orders[1]["currency"], "CNY");

    // The buyer is a customer like any other, reachable by its channel identity.
    let (_, c) = bearer(&app, &t, reqwest::Method::GET, &format!("/api/v1/customers/{customer}"), None).await;
    assert_eq!(c["identities"][0]["channel"], "dm");
    assert_eq!(c["identities"][0]["external_id"], "buyer-1");

    // One bad order refuses the whole request, naming it; nothing of it is stored.
    let mut bad = order("DY-2001", "buyer-2", "paid", 3_000);
    bad["currency"] = json!("rmb");
    let (status, err) = bearer(&app, &t, put.clone(), "/api/v1/orders", Some(json!([order("DY-2000", "buyer-2", "paid", 3_000), bad]))).await;
    assert_eq!((status, err["error"]["code"].as_str()), (400, Some("invalid_request")), "{err}");
    assert!(err["error"]["message"].as_str().unwrap_or("").starts_with("[1]"), "{err}");
    let (status, err) = bearer(&app, &t, put.clone(), "/api/v1/orders", Some(json!([{"external_id": "x"}]))).await;
    assert_eq!(status, 400, "{err}");
    let too_many: Vec<Value> = (0..1001).map(|i| json!({"sku": format!("S{i}"), "name": "n", "price_cents": 1})).collect();
    let (status, err) = bearer(&app, &t, put.clone(), "/api/v1/products", Some(Value::Array(too_many))).await;
    assert_eq!(status, 400, "{err}");

    // A full batch of 1000 fits (the bulk routes take bodies beyond the API's 64 KiB).
    let batch: Vec<Value> = (0..1000).map(|i| order(&format!("BULK-{i}"), &format!("bulk-buyer-{}", i % 250), "paid", 10_000 + i)).collect();
    let (status, res) = bearer(&app, &t, put.clone(), "/api/v1/orders", Some(Value::Array(batch))).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["orders"].as_array().map(Vec::len), Some(1000));

    // Products by sku.
    let product = json!([{"sku": "TS", "name": "纯棉T恤", "price_cents": 12_900, "images": ["https://img.example/ts.jpg"],
        "stock": [{"attributes": {"size": "M", "colour": "红"}, "qty": 12}, {"attributes": {"size": "L", "colour": "红"}, "qty": 0}]}]);
    let (status, res) = bearer(&app, &t, put.clone(), "/api/v1/products", Some(product)).await;
    assert_eq!(status, 200, "{res}");
    let (status, found) = bearer(&app, &t, reqwest::Method::GET, "/api/v1/products?sku=TS", None).await;
    assert_eq!(status, 200);
    assert_eq!(found["products"][0]["stock"][0]["attributes"]["colour"], "红");
    assert_eq!(found["products"][0]["stock"][0]["qty"], 12);
    let (_, none) = bearer(&app, &t, reqwest::Method::GET, "/api/v1/products?sku=NOPE", None).await;
    assert_eq!(none["products"], json!([]));

    // Agents read orders but cannot push them.
    let agent = app.login("agent1@demo.kefu").await;
    let (status, _) = agent.get(&format!("/api/v1/customers/{customer}/orders")).await;
    assert_eq!(status, 200);
    let (status, _) = agent.post_put("/api/v1/orders", json!([order("DY-3", "b", "paid", 1)])).await;
    assert_eq!(status, 403);
}

/// A platform channel of the demo shop: (id, secret).
pub async fn channel(app: &TestApp, callback_url: &str) -> (String, String) {
    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/channels", json!({"name": "抖音旗舰店", "platform": "douyin", "callback_url": callback_url})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["channel"]["id"].as_str().expect("id").to_string();
    assert_eq!(created["webhook_path"], format!("/api/v1/channels/{id}/webhook"));
    (id, created["secret"].as_str().expect("secret").to_string())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Post raw bytes to a channel's webhook with the given timestamp and signature.
pub async fn post_raw(app: &TestApp, channel: &str, body: Vec<u8>, ts: i64, sig: &str) -> (u16, Value) {
    let res = app
        .http
        .post(format!("{}/api/v1/channels/{channel}/webhook", app.base))
        .header("content-type", "application/json")
        .header("x-kefu-timestamp", ts.to_string())
        .header("x-kefu-signature", sig)
        .body(body)
        .send()
        .await
        .expect("webhook request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Post an event signed as the platform signs it.
pub async fn post_event(app: &TestApp, channel: &str, secret: &str, event: &Value) -> (u16, Value) {
    let body = event.to_string().into_bytes();
    let ts = now_secs();
    let sig = kefu_core::channels::signature::sign(secret.as_bytes(), ts, &body);
    post_raw(app, channel, body, ts, &sig).await
}

pub fn dm(event_id: &str, user: &str, text: &str) -> Value {
    json!({"type": "message", "event_id": event_id, "user": {"id": user, "name": "抖音用户"}, "text": text})
}

async fn conversation_count(app: &TestApp, owner: &Agent) -> usize {
    let _ = app;
    owner.get("/api/v1/conversations?limit=500").await.1["conversations"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn signed_platform_events_are_stored_once_and_bad_ones_not_at_all() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (ch, secret) = channel(&app, "http://127.0.0.1:9/unused").await;

    let (status, first) = post_event(&app, &ch, &secret, &dm("evt-1", "dy-user-1", "你好，这件有M码吗？")).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["duplicate"], false);
    // The same event delivered five more times, some at once: one message.
    let repeat = dm("evt-1", "dy-user-1", "你好，这件有M码吗？");
    let again = futures_util::future::join_all((0..5).map(|_| post_event(&app, &ch, &secret, &repeat))).await;
    for (status, res) in &again {
        assert_eq!(*status, 200, "{res}");
        assert_eq!(res["message_id"], first["message_id"]);
        assert_eq!(res["duplicate"], true);
    }
    let conv = first["conversation_id"].as_str().expect("conversation");
    let (_, msgs) = owner.get(&format!("/api/v1/conversations/{conv}/messages")).await;
    let msgs = msgs["messages"].as_array().expect("messages").clone();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!((msgs[0]["channel"].as_str(), msgs[0]["content"].as_str()), (Some("dm"), Some("你好，这件有M码吗？")));
    assert_eq!(conversation_count(&app, &owner).await, 1);

    // Refused requests, each from a new user: nothing is stored for any of them.
    let body = dm("evt-bad", "dy-intruder", "spam").to_string().into_bytes();
    let ts = now_secs();
    let good_sig = kefu_core::channels::signature::sign(secret.as_bytes(), ts, &body);
    let (status, res) = post_raw(&app, &ch, body.clone(), ts, &kefu_core::channels::signature::sign(b"wrong secret", ts, &body)).await;
    assert_eq!((status, res["error"]["code"].as_str()), (401, Some("invalid_signature")), "{res}");
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let (status, _) = post_raw(&app, &ch, tampered, ts, &good_sig).await;
    assert_eq!(status, 401);
    let stale = ts - 301;
    let (status, res) = post_raw(&app, &ch, body.clone(), stale, &kefu_core::channels::signature::sign(secret.as_bytes(), stale, &body)).await;
    assert_eq!((status, res["error"]["code"].as_str()), (401, Some("stale_timestamp")), "{res}");
    let malformed = b"{\"type\": \"message\", \"event_id\": ".to_vec();
    let (status, res) = post_raw(&app, &ch, malformed.clone(), ts, &kefu_core::channels::signature::sign(secret.as_bytes(), ts, &malformed)).await;
    assert_eq!((status, res["error"]["code"].as_str()), (400, Some("invalid_request")), "{res}");
    let (status, res) = post_raw(&app, &uuid::Uuid::now_v7().to_string(), body.clone(), ts, &good_sig).await;
    assert_eq!((status, res["error"]["code"].as_str()), (404, Some("not_found")), "{res}");
    let huge = dm("evt-huge", "dy-huge", &"长".repeat(30_000)).to_string().into_bytes();
    let (status, res) = post_raw(&app, &ch, huge.clone(), ts, &kefu_core::channels::signature::sign(secret.as_bytes(), ts, &huge)).await;
    assert_eq!((status, res["error"]["code"].as_str()), (413, Some("payload_too_large")), "{res}");
    assert_eq!(conversation_count(&app, &owner).await, 1, "a refused event stored something");

    // A public comment: stored on the comment channel, its sentiment in the event log.
    let comment = json!({"type": "comment", "event_id": "evt-c1", "user": {"id": "dy-user-2"}, "text": "质量太差了，非常失望", "thread_id": "video-42"});
    let (status, c) = post_event(&app, &ch, &secret, &comment).await;
    assert_eq!(status, 200, "{c}");
    use kefu_core::store::Store;
    let store = app.state().inbox.store();
    let shop = store.shop_by_widget_key("demo").await.unwrap().unwrap();
    let events = store.events(shop.id, 0, 1000).await.unwrap();
    let sentiment = events.iter().find_map(|(_, e)| match &e.kind {
        kefu_core::event::EventKind::CommentSentiment { message_id, polarity, .. } => Some((message_id.to_string(), polarity.clone())),
        _ => None,
    });
    assert_eq!(sentiment, Some((c["message_id"].as_str().unwrap_or("").to_string(), "negative".to_string())));

    // An order message: the order is updated and the buyer told once, however often it comes.
    let shipped = json!({"type": "order_message", "event_id": "evt-o1", "user": {"id": "dy-user-1"},
        "order": {"external_id": "DY-9001", "status": "shipped", "amount_cents": 12_900, "logistics_company": "顺丰速运", "tracking_number": "SF1234567890"}});
    for _ in 0..3 {
        let (status, res) = post_event(&app, &ch, &secret, &shipped).await;
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["order"]["status"], "shipped");
    }
    let customer = first["customer_id"].as_str().expect("customer");
    let (_, orders) = owner.get(&format!("/api/v1/customers/{customer}/orders")).await;
    assert_eq!(orders["orders"][0]["tracking_number"], "SF1234567890");
    let (_, msgs) = owner.get(&format!("/api/v1/conversations/{conv}/messages")).await;
    let notices: Vec<&Value> = msgs["messages"].as_array().expect("messages").iter().filter(|m| m["sender_kind"] == "system").collect();
    assert_eq!(notices.len(), 1, "{msgs}");
    assert!(notices[0]["content"].as_str().unwrap_or("").contains("已发货") && notices[0]["channel"] == "order_message", "{}", notices[0]);
}

#[tokio::test]
async fn a_danmaku_burst_is_absorbed_while_a_dm_goes_straight_through() {
    use futures_util::StreamExt;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    const BURST: usize = 10_000;
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (ch, secret) = channel(&app, "http://127.0.0.1:9/unused").await;
    let chatter = ["666", "主播好美", "哈哈哈哈", "来了来了", "好看", "买了买了"];
    let asked = ["多少钱？", "有M码吗", "什么时候发货", "包邮吗"];
    let danmaku = move |i: usize| {
        // Mostly chatter and repeated questions; every 500th a question nobody asked before.
        let text = if i % 500 == 0 { format!("{}号链接还有货吗？", i / 500) } else if i % 10 == 0 { asked[i / 10 % asked.len()].to_string() } else { chatter[i % chatter.len()].to_string() };
        json!({"type": "live_comment", "event_id": format!("live-{i}"), "user": {"id": format!("viewer-{i}")}, "live_id": "live-2026-11-11", "text": text})
    };
    let acked = Arc::new(AtomicUsize::new(0));
    let burst_done = Arc::new(AtomicBool::new(false));
    let burst = {
        let (app_base, http, ch, secret, acked, burst_done) = (app.base.clone(), app.http.clone(), ch.clone(), secret.clone(), acked.clone(), burst_done.clone());
        tokio::spawn(async move {
            let statuses: Vec<u16> = futures_util::stream::iter(0..BURST)
                .map(|i| {
                    let (app_base, http, ch, secret, acked) = (app_base.clone(), http.clone(), ch.clone(), secret.clone(), acked.clone());
                    let body = danmaku(i).to_string().into_bytes();
                    async move {
                        let ts = now_secs();
                        let sig = kefu_core::channels::signature::sign(secret.as_bytes(), ts, &body);
                        let res = http.post(format!("{app_base}/api/v1/channels/{ch}/webhook")).header("content-type", "application/json")
                            .header("x-kefu-timestamp", ts.to_string()).header("x-kefu-signature", sig).body(body).send().await;
                        acked.fetch_add(1, Ordering::SeqCst);
                        res.map(|r| r.status().as_u16()).unwrap_or(0)
                    }
                })
                .buffer_unordered(16)
                .collect()
                .await;
            burst_done.store(true, Ordering::SeqCst);
            statuses
        })
    };
    // A DM in the middle of the burst is stored and answered while the burst still runs.
    while acked.load(Ordering::SeqCst) < 2_000 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, res) = post_event(&app, &ch, &secret, &dm("dm-during-burst", "dy-vip", "我的订单怎么还没发货？")).await;
    let answered_before_burst_end = !burst_done.load(Ordering::SeqCst);
    assert_eq!(status, 200, "{res}");
    assert!(answered_before_burst_end, "the DM waited for the whole burst ({} of {BURST} danmaku acknowledged first)", acked.load(Ordering::SeqCst));
    let (_, msgs) = owner.get(&format!("/api/v1/conversations/{}/messages", res["conversation_id"].as_str().unwrap_or(""))).await;
    assert_eq!(msgs["messages"][0]["content"], "我的订单怎么还没发货？");

    let statuses = burst.await.expect("burst task");
    assert!(statuses.iter().all(|s| *s == 202), "every danmaku accepted: {:?}", statuses.iter().filter(|s| **s != 202).take(5).collect::<Vec<_>>());
    // Every danmaku is judged: the four common questions and the twenty new ones become
    // messages once each; the rest are counted.
    let mut stats = Value::Null;
    for _ in 0..600 {
        stats = owner.get("/api/v1/live/stats").await.1;
        let judged = ["questions", "repeats", "chatter", "failed"].iter().map(|k| stats[k].as_u64().unwrap_or(0)).sum::<u64>();
        if judged == BURST as u64 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stats["received"], BURST as u64, "{stats}");
    assert_eq!((stats["questions"].as_u64(), stats["failed"].as_u64(), stats["shed"].as_u64()), (Some(24), Some(0), Some(0)), "{stats}");
    let (_, list) = owner.get("/api/v1/conversations?limit=500").await;
    let live = list["conversations"].as_array().expect("list").iter().filter(|c| c["channel"] == "live").count();
    assert_eq!(live, 24, "one conversation per asking viewer");
}
