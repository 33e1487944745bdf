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
