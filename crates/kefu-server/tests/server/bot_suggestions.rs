//! Issue 22 (item 3) through the widget, on the demo shop: the bot offers suggestions only
//! when they are plausibly on topic, and suggestions the customer ignores count toward the
//! unknown streak, so three questions the bot can only guess at reach a person.

use crate::bot::{trained, Customer};
use crate::harness::*;


const HANDING_OVER: &str = "正在为您转接人工客服，请稍候。";

#[tokio::test]
async fn an_off_topic_question_gets_no_suggestion_and_three_hand_over() {
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    trained(&owner).await;

    let mut c = Customer::new(&app).await;
    for _ in 0..2 {
        let said = c.says("量子力学的基本原理是什么").await;
        // Sharing 是什么 with "是什么面料" is no reason to offer it.
        assert!(said.iter().all(|t| !t.contains("是什么面料") && !t.starts_with("您是想问")), "{said:?}");
        assert!(said[0].starts_with("抱歉，我还没理解您的问题"), "{said:?}");
    }
    assert_eq!(c.says("量子力学的基本原理是什么").await, vec![HANDING_OVER]);
    let frame = next_where(&mut agent_ws, |f| f["type"] == "handoff" && f["card"]["customer"]["id"] == c.id.as_str()).await;
    assert_eq!(frame["card"]["reason"], "unknown_streak");
}

#[tokio::test]
async fn ignored_suggestions_count_toward_the_hand_off() {
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    trained(&owner).await;

    // Picking a suggestion answers and starts the count again.
    let mut picker = Customer::new(&app).await;
    let shown = picker.says("快递和物流").await;
    assert!(shown[0].starts_with("您是想问：\n1. "), "{shown:?}");
    let picked = picker.says("1").await;
    assert!(!picked[0].starts_with("您是想问") && !picked[0].starts_with("抱歉"), "{picked:?}");

    // Writing something else instead of picking, three times: a person takes over.
    let mut c = Customer::new(&app).await;
    for _ in 0..2 {
        let shown = c.says("快递和物流").await;
        assert!(shown[0].starts_with("您是想问：\n1. "), "{shown:?}");
    }
    assert_eq!(c.says("快递和物流").await, vec![HANDING_OVER]);
    let frame = next_where(&mut agent_ws, |f| f["type"] == "handoff" && f["card"]["customer"]["id"] == c.id.as_str()).await;
    assert_eq!(frame["card"]["reason"], "unknown_streak");
}
