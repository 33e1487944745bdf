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
