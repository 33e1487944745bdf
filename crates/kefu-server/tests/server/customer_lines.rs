//! Issue 21 (items 1 and 4): every line kefu itself sends a customer is in the customer's
//! language — the bot's answer and hand-off, the place in the queue, the joined line, the
//! rating invitation and thank-you, and an email reply's subject. The language is the bot's
//! when it spoke, else the widget's browser language, else that of the first message.

use crate::email::{email_channel, plain, post_email, SmtpSink};
use crate::harness::*;
use serde_json::{json, Value};

/// A widget visitor whose browser says `language` (the widget sends `navigator.language`).
async fn visitor(app: &TestApp, language: Option<&str>) -> (Ws, Value) {
    let mut url = format!("{}/ws/widget?key=demo", app.ws_base);
    if let Some(l) = language {
        url.push_str(&format!("&language={l}"));
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("widget connect");
    let hello = next_of(&mut ws, "hello").await;
    (ws, hello)
}

/// Send `text` and return the conversation it went into.
async fn say(ws: &mut Ws, text: &str, id: &str) -> String {
    send(ws, json!({"type": "send", "content": text, "client_id": id})).await;
    let ack = next_where(ws, |f| f["type"] == "ack" && f["client_id"] == id).await;
    ack["message"]["conversation_id"].as_str().expect("conversation").to_string()
}

/// The next message the customer reads from `kind` (`bot`, `system`).
async fn next_line(ws: &mut Ws, kind: &str) -> String {
    let f = next_where(ws, |f| f["type"] == "message" && f["message"]["sender_kind"] == kind).await;
    f["message"]["content"].as_str().unwrap_or_default().to_string()
}

/// One customer's story from the question to the rating; returns every line kefu sent them.
async fn story(app: &TestApp, ws: &mut Ws, words: [&str; 3], tag: &str) -> Vec<String> {
    let [question, human, rating] = words;
    let conv = say(ws, question, &format!("{tag}-1")).await;
    let mut lines = vec![next_line(ws, "bot").await];
    say(ws, human, &format!("{tag}-2")).await;
    lines.push(next_line(ws, "bot").await);
    // Nobody is online: asking again tells them their place.
    say(ws, human, &format!("{tag}-3")).await;
    lines.push(next_line(ws, "system").await);
    let agent = app.login("agent1@demo.kefu").await;
    assert_eq!(agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "OK"})).await.0, 201);
    lines.push(next_line(ws, "system").await);
    assert_eq!(agent.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await.0, 200);
    lines.push(next_line(ws, "system").await);
    say(ws, rating, &format!("{tag}-4")).await;
    lines.push(next_line(ws, "system").await);
    let (_, rated) = agent.get(&format!("/api/v1/conversations/{conv}/rating")).await;
    assert_eq!(rated["rating"]["stars"].as_u64(), Some(5), "the digit was read as a rating: {rated}");
    lines
}

#[tokio::test]
async fn an_english_widget_customer_reads_english_and_a_chinese_one_chinese() {
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    for _ in 0..200 {
        if owner.get("/api/v1/kb/training").await.1["state"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }

    let (mut english, hello) = visitor(&app, Some("en-US")).await;
    let invitation = "This conversation has ended. How would you rate our service? Reply with a number from 1 to 5 (5 is best). Comments are welcome too.";
    assert_eq!(hello["shop"]["rating"]["invitation"], invitation, "the widget's stars sit under the English invitation");
    let lines = story(&app, &mut english, ["When will my order ship?", "I want to talk to a human", "5"], "en").await;
    assert_eq!(
        lines,
        vec![
            "We ship within 48 hours of payment; pre-sale items ship on the date shown on the product page.".to_string(),
            "Connecting you to a customer service agent, one moment please.".into(),
            "You're next in line for an agent. Expected wait: about 1 minute. Thanks for your patience.".into(),
            "小美 is here to help you.".into(),
            invitation.into(),
            "Thanks for your rating! Your feedback helps us do better.".into(),
        ]
    );
    // The widget's stars: the rating message in their chat reads in English, and the comment
    // is still found in it.
    send(&mut english, json!({"type": "rate", "stars": 4, "comment": "Very patient: thanks", "client_id": "en-5"})).await;
    let rated = next_where(&mut english, |f| f["type"] == "ack" && f["client_id"] == "en-5").await;
    assert_eq!(rated["message"]["content"], "4 stars: Very patient: thanks", "{rated}");
    let conv = rated["message"]["conversation_id"].as_str().expect("conversation");
    let (_, rating) = owner.get(&format!("/api/v1/conversations/{conv}/rating")).await;
    assert_eq!((rating["rating"]["stars"].as_u64(), rating["rating"]["comment"].as_str()), (Some(4), Some("Very patient: thanks")), "{rating}");

    let (mut chinese, hello) = visitor(&app, Some("zh-CN")).await;
    let invitation = "亲，本次服务已结束。请为我们的服务打分：回复 1-5（5 分最满意），也欢迎留下您的意见～";
    assert_eq!(hello["shop"]["rating"]["invitation"], invitation);
    let lines = story(&app, &mut chinese, ["什么时候发货", "转人工", "5"], "zh").await;
    assert_eq!(
        lines,
        vec![
            "亲，付款后48小时内发货，预售商品以商品页时间为准哦。".to_string(),
            "正在为您转接人工客服，请稍候。".into(),
            "已在为您转接人工客服，您是下一位，预计等待约 1 分钟，请稍候。".into(),
            "客服小美为您服务".into(),
            invitation.into(),
            "感谢您的评价！您的意见会帮助我们做得更好。".into(),
        ]
    );
}

#[tokio::test]
async fn without_the_bot_the_first_message_or_the_browser_sets_the_language() {
    let app = TestApp::spawn().await;
    // No browser language: the first message is English, so kefu's lines are.
    let (mut ws, _) = visitor(&app, None).await;
    say(&mut ws, "Hello, my desk lamp has not shipped yet", "a-1").await;
    say(&mut ws, "agent please", "a-2").await;
    let place = next_line(&mut ws, "system").await;
    assert!(place.starts_with("You're next in line for an agent.") || place.starts_with("We're connecting you to an agent."), "{place}");

    // The browser's language wins over a first message in another language ("1" has none).
    let (mut ws, _) = visitor(&app, Some("en-GB")).await;
    say(&mut ws, "你好", "b-1").await;
    say(&mut ws, "转人工", "b-2").await;
    let place = next_line(&mut ws, "system").await;
    assert!(place.starts_with("We're connecting you to an agent. 1 person is ahead of you"), "{place}");

    // A browser language kefu does not speak falls back to the message's, then the shop's.
    let (mut ws, _) = visitor(&app, Some("fr-FR")).await;
    say(&mut ws, "你好，台灯没发货", "c-1").await;
    say(&mut ws, "转人工！", "c-2").await;
    let place = next_line(&mut ws, "system").await;
    assert!(place.starts_with("已在为您转接人工客服，您前面还有 2 位"), "{place}");
}

#[tokio::test]
async fn an_email_reply_is_wrapped_in_the_customers_language() {
    let Some(sink) = SmtpSink::start().await else { return };
    let url = sink.url.clone();
    let app = TestApp::spawn_with(move |a| {
        a.smtp_url = Some(url);
        a.outbox_retry_base_ms = Some(20);
        a.outbox_retry_cap_ms = Some(100);
    })
    .await;
    let (ch, secret) = email_channel(&app).await;
    let owner = app.login("owner@demo.kefu").await;

    // Emails without a subject: kefu gives the reply one, in the customer's language.
    let english = plain("Tom <tom@customer.example>", "e1@customer.example", "", None, &[], "Hello, my order has not arrived yet. Could you check it?");
    let (status, one) = post_email(&app, &ch, &secret, &english).await;
    assert_eq!(status, 201, "{one}");
    let conv = one["conversation_id"].as_str().expect("conversation").to_string();
    assert_eq!(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "It ships today."})).await.0, 201);
    let got = sink.wait_for(1).await;
    let reply = kefu_core::channels::email::parse(&got[0], Default::default()).expect("a valid email");
    assert_eq!((reply.subject.as_str(), reply.text.trim()), ("Re: Reply from customer service", "It ships today."));
    // Resolving asks for a rating by email, in English too.
    assert_eq!(owner.post(&format!("/api/v1/conversations/{conv}/resolve"), json!({})).await.0, 200);
    let got = sink.wait_for(2).await;
    let ask = kefu_core::channels::email::parse(&got[1], Default::default()).expect("a valid email");
    assert!(ask.text.trim().starts_with("This conversation has ended. How would you rate our service?"), "{}", ask.text);
    assert_eq!(ask.subject, "Re: Reply from customer service");

    let chinese = plain("李雷 <li@customer.example>", "z1@customer.example", "", None, &[], "你好，我的订单还没到，帮我查一下。");
    let (status, two) = post_email(&app, &ch, &secret, &chinese).await;
    assert_eq!(status, 201, "{two}");
    let conv = two["conversation_id"].as_str().expect("conversation").to_string();
    assert_eq!(owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "今天发出。"})).await.0, 201);
    let got = sink.wait_for(3).await;
    let reply = kefu_core::channels::email::parse(&got[2], Default::default()).expect("a valid email");
    assert_eq!(reply.subject, "Re: 客服回复");
}
