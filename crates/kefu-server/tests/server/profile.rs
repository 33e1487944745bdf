//! Issue 20, the customer profile: name, channels, tier, conversations, tickets and notes in
//! words; name and tags edited (audited); a customer merged away (also automatically) is
//! reachable from the profile and the merge is undone from there.

use crate::harness::*;
use crate::history::customer_wrote;
use kefu_core::ids::ShopId;
use serde_json::json;

#[tokio::test]
async fn the_profile_tells_who_the_customer_is_and_takes_name_and_tag_edits() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, me) = agent.get("/api/v1/me").await;
    let shop: ShopId = me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop");
    let (customer, conversation) = customer_wrote(&app, shop, "prof-1", &["我的电话是13812345678，衣服起球了"]).await;
    let (s, _) = agent.post(&format!("/api/v1/conversations/{conversation}/notes"), json!({ "text": "老顾客，上次也反映过质量问题" })).await;
    assert_eq!(s, 201);

    let (s, p) = agent.get(&format!("/api/v1/customers/{customer}/profile")).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["tier_label"], "新客");
    assert_eq!(p["channels"][0]["label"], "API");
    assert_eq!(p["conversations"][0]["conversation_id"], conversation.to_string());
    assert_eq!(p["conversations"][0]["status_label"], "排队中");
    assert!(!p.to_string().contains("13812345678"), "PII masked: {p}");
    assert!(p["notes"][0]["content"].as_str().expect("note").contains("老顾客"), "{p}");

    let patch = |body| {
        let agent = &agent;
        async move {
            let res = agent
                .http
                .patch(format!("{}/api/v1/customers/{customer}", agent.base))
                .header("cookie", &agent.cookie)
                .header("x-csrf-token", &agent.csrf)
                .json(&body)
                .send()
                .await
                .expect("PATCH");
            let s = res.status().as_u16();
            (s, res.json::<serde_json::Value>().await.expect("body"))
        }
    };
    let (s, p) = patch(json!({ "name": "王小姐", "tags": ["老客户", "爱买大衣"] })).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!((p["name"].as_str(), p["tags"].clone()), (Some("王小姐"), json!(["老客户", "爱买大衣"])));
    let (_, again) = agent.get(&format!("/api/v1/customers/{customer}/profile")).await;
    assert_eq!(again["name"], "王小姐");
    let (s, e) = patch(json!({ "name": "  " })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_request")));

    let owner = app.login("owner@demo.kefu").await;
    let (_, audit) = owner.get("/api/v1/audit").await;
    let updates: Vec<_> = audit["entries"].as_array().expect("entries").iter().filter(|e| e["action"] == "customer_updated").collect();
    assert_eq!(updates.len(), 1, "{audit}");
    assert!(!updates[0].to_string().contains("王小姐"), "the audit names fields, not the name");
}

#[tokio::test]
async fn a_merged_away_customer_is_reachable_from_the_profile_and_unmerged_there() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, me) = agent.get("/api/v1/me").await;
    let shop: ShopId = me["shop"]["id"].as_str().and_then(|s| s.parse().ok()).expect("shop");
    let (keep, _) = customer_wrote(&app, shop, "merge-keep", &["第一次来"]).await;
    let (away, _) = customer_wrote(&app, shop, "merge-away", &["换了个账号"]).await;
    let (s, _) = agent.post(&format!("/api/v1/customers/{keep}/merge"), json!({ "from": away })).await;
    assert_eq!(s, 200);

    let (_, p) = agent.get(&format!("/api/v1/customers/{keep}/profile")).await;
    assert_eq!(p["merged_from"][0]["id"], away.to_string(), "{p}");
    assert_eq!(p["conversations"].as_array().expect("conversations").len(), 2, "both customers' conversations: {p}");
    let (s, gone) = agent.get(&format!("/api/v1/customers/{away}/profile")).await;
    assert_eq!(s, 200);
    assert_eq!(gone["merged_into"]["id"], keep.to_string());

    let (s, _) = agent.post(&format!("/api/v1/customers/{away}/unmerge"), json!({})).await;
    assert_eq!(s, 200);
    let (_, p) = agent.get(&format!("/api/v1/customers/{keep}/profile")).await;
    assert_eq!(p["merged_from"], json!([]));
    let (_, back) = agent.get(&format!("/api/v1/customers/{away}/profile")).await;
    assert!(back["merged_into"].is_null(), "{back}");
}
