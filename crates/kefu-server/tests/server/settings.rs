//! The settings console over HTTP: the shop document (422 with paths, what the widget
//! greets with), the "test this message" box of routing, and the shop switch that lets
//! supervisors edit the knowledge base.

use crate::harness::*;
use serde_json::json;

#[tokio::test]
async fn the_shop_page_saves_whole_and_reports_each_problem_at_its_path() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (s, mut shop) = owner.get("/api/v1/shop").await;
    assert_eq!(s, 200, "{shop}");
    assert_eq!(shop["widget_key"], "demo");
    assert_eq!(shop["supervisors_edit_kb"], true);

    shop["widget"]["color"] = json!("blue");
    shop["time_zone"] = json!("UTC+8");
    let (s, err) = owner.post_put("/api/v1/shop", shop.clone()).await;
    assert_eq!(s, 422, "{err}");
    let paths: Vec<&str> = err["error"]["details"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["time_zone", "widget.color"]);
    assert!(err["error"]["details"][1]["message"].as_str().unwrap().contains("#RRGGBB"), "{err}");

    shop["widget"]["color"] = json!("#ff6600");
    shop["time_zone"] = json!("+09:00");
    shop["name"] = json!("小鹿茶");
    shop["widget"]["greeting"] = json!("欢迎光临小鹿茶");
    shop["csat_enabled"] = json!(false);
    let (s, saved) = owner.post_put("/api/v1/shop", shop).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!((saved["name"].as_str(), saved["time_zone"].as_str(), saved["csat_enabled"].as_bool()), (Some("小鹿茶"), Some("+09:00"), Some(false)));
    assert_eq!(owner.get("/api/v1/routing").await.1["timings"]["csat_on_resolve"], false);

    // The widget greets with the shop's words and colour.
    let (_ws, hello) = app.widget(None, None).await;
    assert_eq!(hello["shop"]["name"], "小鹿茶");
    assert_eq!(hello["shop"]["look"]["greeting"], "欢迎光临小鹿茶");
    assert_eq!(hello["shop"]["look"]["color"], "#ff6600");

    // Only those who manage settings see the page.
    let agent = app.login("agent1@demo.kefu").await;
    let (s, refused) = agent.get("/api/v1/shop").await;
    assert_eq!(s, 403);
    assert_eq!(refused["error"]["message"], "没有权限：此操作需要 settings:manage 权限");
}

#[tokio::test]
async fn the_rating_question_and_scale_drive_the_invitation_and_the_digit_reply() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, mut shop) = owner.get("/api/v1/shop").await;
    assert_eq!((shop["csat_question"].as_str(), shop["csat_scale"].as_u64()), (Some("亲，本次服务已结束。请为我们的服务打分"), Some(5)));

    // Each bad value is refused at its own field.
    shop["csat_question"] = json!("  ");
    shop["csat_scale"] = json!(11);
    let (s, err) = owner.post_put("/api/v1/shop", shop.clone()).await;
    assert_eq!(s, 422, "{err}");
    let paths: Vec<&str> = err["error"]["details"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["csat_question", "csat_scale"]);

    shop["csat_question"] = json!("这次服务您打几分？");
    shop["csat_scale"] = json!(3);
    let (s, saved) = owner.post_put("/api/v1/shop", shop).await;
    assert_eq!((s, saved["csat_scale"].as_u64()), (200, Some(3)), "{saved}");
    let invitation = "这次服务您打几分？回复 1-3（3 分最满意），也欢迎留下您的意见～";

    // A customer writes (on the socket as a text channel would), is served and resolved.
    let (mut ws, hello) = app.widget(None, None).await;
    assert_eq!((hello["shop"]["rating"]["scale"].as_u64(), hello["shop"]["rating"]["invitation"].as_str()), (Some(3), Some(invitation)));
    send(&mut ws, json!({"type": "send", "content": "你好，杯子漏水", "client_id": "r-1"})).await;
    let conv = next_of(&mut ws, "ack").await["message"]["conversation_id"].as_str().unwrap().to_string();
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.post(&format!("/api/v1/conversations/{conv}/assign"), json!({ "agent_id": agent.id })).await.0, 200);
    assert_eq!(agent.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await.0, 200);
    let asked = next_where(&mut ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert_eq!(asked["message"]["content"], invitation);

    // "3" is a rating on this scale: stored, not reopening, and thanked.
    send(&mut ws, json!({"type": "send", "content": "3分", "client_id": "r-2"})).await;
    next_of(&mut ws, "ack").await;
    let thanks = next_where(&mut ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == "system").await;
    assert!(thanks["message"]["content"].as_str().unwrap().starts_with("感谢您的评价"), "{thanks}");
    let (_, rating) = agent.get(&format!("/api/v1/conversations/{conv}/rating")).await;
    assert_eq!((rating["rating"]["stars"].as_u64(), rating["rating"]["scale"].as_u64()), (Some(3), Some(3)), "{rating}");
    assert_eq!(agent.get(&format!("/api/v1/conversations/{conv}")).await.1["status"], "resolved");

    // A widget rating above the scale is refused.
    send(&mut ws, json!({"type": "rate", "stars": 4, "client_id": "r-3"})).await;
    let refused = next_of(&mut ws, "error").await;
    assert_eq!(refused["client_id"], "r-3", "{refused}");
}

#[tokio::test]
async fn a_message_is_tested_against_a_draft_routing_document() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let mut config = owner.get("/api/v1/routing").await.1;
    config["teams"] = json!([{"id": "aftersale", "name": "售后组"}]);
    config["rules"] = json!([{"name": "退款去售后", "when": {"keywords": ["退款"]}, "team": "aftersale", "priority": 5}]);
    let (s, trial) = owner.post("/api/v1/routing/test", json!({"text": "我要退款", "config": config})).await;
    assert_eq!(s, 200, "{trial}");
    assert_eq!((trial["rule"].as_str(), trial["rule_position"].as_u64(), trial["team_name"].as_str()), (Some("退款去售后"), Some(1), Some("售后组")));
    // The saved document has no such rule: the same message goes nowhere special.
    let (_, saved) = owner.post("/api/v1/routing/test", json!({"text": "我要退款"})).await;
    assert!(saved["rule"].is_null(), "{saved}");
}

#[tokio::test]
async fn supervisors_edit_the_knowledge_base_while_the_shop_allows_it() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    let faq = json!({"question": "发票怎么开", "answer": "下单时选择电子发票即可"});
    let (s, res) = supervisor.post_put("/api/v1/kb/faqs/invoice", faq.clone()).await;
    assert_eq!(s, 200, "{res}");

    let mut shop = owner.get("/api/v1/shop").await.1;
    shop["supervisors_edit_kb"] = json!(false);
    assert_eq!(owner.post_put("/api/v1/shop", shop).await.0, 200);
    let (s, res) = supervisor.post_put("/api/v1/kb/faqs/invoice", faq.clone()).await;
    assert_eq!(s, 403, "{res}");
    assert!(res["error"]["message"].as_str().unwrap().contains("主管编辑知识库"), "{res}");
    // Owners still can, and agents never could.
    assert_eq!(owner.post_put("/api/v1/kb/faqs/invoice", faq.clone()).await.0, 200);
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.post_put("/api/v1/kb/faqs/invoice", faq).await.0, 403);
}

#[tokio::test]
async fn a_save_on_a_replaced_version_answers_409_and_each_save_is_kept_with_who_and_when() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let admin = app.login("owner@demo.kefu").await; // a second tab
    let history = owner.get("/api/v1/routing/versions").await.1;
    let base = history["current"].as_i64().unwrap();

    // Two editors load the same version; the first saves, the second is stale.
    let mut first = owner.get("/api/v1/routing").await.1;
    first["timings"]["overflow_after_secs"] = json!(90);
    let (s, res) = owner.post_put(&format!("/api/v1/routing?base_version={base}"), first).await;
    assert_eq!(s, 200, "{res}");
    let mut second = admin.get("/api/v1/routing").await.1;
    second["timings"]["overflow_after_secs"] = json!(30);
    let (s, err) = admin.post_put(&format!("/api/v1/routing?base_version={base}"), second).await;
    assert_eq!(s, 409, "{err}");
    assert_eq!(err["error"]["code"], "stale_version");
    assert_eq!(owner.get("/api/v1/routing").await.1["timings"]["overflow_after_secs"], 90);

    // The history names who saved, newest first.
    let history = owner.get("/api/v1/routing/versions").await.1;
    assert_eq!(history["current"], base + 1);
    assert_eq!(history["versions"][0]["version"], base + 1);
    assert_eq!(history["versions"][0]["author"], owner.get("/api/v1/me").await.1["user"]["display_name"]);
    assert!(history["versions"][0]["created_at"].as_i64().unwrap() > 0);

    // The shop page is versioned the same way.
    let shop = owner.get("/api/v1/shop").await.1;
    let v = shop["version"].as_i64().unwrap();
    let (s, saved) = owner.post_put(&format!("/api/v1/shop?base_version={v}"), shop.clone()).await;
    assert_eq!((s, saved["version"].as_i64()), (200, Some(v + 1)), "{saved}");
    let (s, err) = admin.post_put(&format!("/api/v1/shop?base_version={v}"), shop).await;
    assert_eq!((s, err["error"]["code"].as_str()), (409, Some("stale_version")), "{err}");
    assert_eq!(owner.get("/api/v1/shop/versions").await.1["versions"].as_array().unwrap().len() as i64, v + 1);
}

#[tokio::test]
async fn an_old_routing_version_is_viewed_and_restored_as_a_new_version() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let mut config = owner.get("/api/v1/routing").await.1;
    config["timings"]["overflow_after_secs"] = json!(120);
    assert_eq!(owner.post_put("/api/v1/routing", config.clone()).await.0, 200);
    let kept = owner.get("/api/v1/routing/versions").await.1["current"].as_i64().unwrap();
    config["timings"]["overflow_after_secs"] = json!(45);
    assert_eq!(owner.post_put("/api/v1/routing", config).await.0, 200);

    let (s, old) = owner.get(&format!("/api/v1/routing/versions/{kept}")).await;
    assert_eq!((s, old["timings"]["overflow_after_secs"].as_i64()), (200, Some(120)), "{old}");
    let (s, restored) = owner.post(&format!("/api/v1/routing/versions/{kept}/restore?base_version={}", kept + 1), json!({})).await;
    assert_eq!(s, 200, "{restored}");
    assert_eq!(owner.get("/api/v1/routing").await.1["timings"]["overflow_after_secs"], 120);
    let history = owner.get("/api/v1/routing/versions").await.1;
    assert_eq!((history["current"].as_i64(), history["versions"][0]["note"].as_str()), (Some(kept + 2), Some(&*format!("restore {kept}"))));
    assert_eq!(owner.get("/api/v1/routing/versions/999").await.0, 404);
    // Agents neither see nor restore it.
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.get("/api/v1/routing/versions").await.0, 403);
}

#[tokio::test]
async fn routing_and_shop_saves_do_not_overwrite_each_others_fields() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    // Both pages are open with what was saved before.
    let routing_page = owner.get("/api/v1/routing").await.1;
    let shop_page = owner.get("/api/v1/shop").await.1;
    assert_eq!(routing_page["timings"]["csat_on_resolve"], true);

    // CSAT is turned off on the shop page …
    let mut shop = shop_page.clone();
    shop["csat_enabled"] = json!(false);
    assert_eq!(owner.post_put("/api/v1/shop", shop).await.0, 200);
    // … then the routing page, loaded before, saves a timing change.
    let base = owner.get("/api/v1/routing/versions").await.1["current"].as_i64().unwrap();
    let mut routing = routing_page.clone();
    routing["timings"]["overflow_after_secs"] = json!(75);
    let (s, saved) = owner.post_put(&format!("/api/v1/routing?base_version={base}"), routing).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["timings"]["csat_on_resolve"], false, "{saved}");
    assert_eq!(owner.get("/api/v1/shop").await.1["csat_enabled"], false);
    assert_eq!(owner.get("/api/v1/routing").await.1["timings"]["overflow_after_secs"], 75);

    // The other way round: the shop page, loaded before, saves its name; routing's change stays.
    let mut shop = owner.get("/api/v1/shop").await.1;
    shop["name"] = json!("小鹿茶");
    assert_eq!(owner.post_put("/api/v1/shop", shop).await.0, 200);
    let now = owner.get("/api/v1/routing").await.1;
    assert_eq!((now["timings"]["overflow_after_secs"].as_i64(), now["timings"]["csat_on_resolve"].as_bool()), (Some(75), Some(false)));
}
