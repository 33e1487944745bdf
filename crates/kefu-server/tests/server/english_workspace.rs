//! Issue 21 for the agent's pages: the workspace (with a conversation the bot handed over
//! open), history and the customer profile in English, in a real browser whose person reads
//! English; and the context card's and profile's words following `Accept-Language` in the API.
//! Conversation text is data, not interface: the checks for Chinese leave out message bodies,
//! previews and names (the demo shop's name and staff are Chinese).
//! Screenshots en-workspace, en-history and en-profile go to `KEFU_BROWSER_SCREENSHOTS`.

use crate::bot::{trained, Customer};
use crate::browser::{click, js, login, row, snap, text_of, until, wait_text, Driver};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};


/// An English-speaking visitor asks for a person; the bot hands over. Returns the conversation.
async fn handed_over(app: &TestApp, agent: &Agent, name: &str) -> Value {
    let mut visitor = Customer::new(app).await;
    let replies = visitor.says("I want to talk to a human, my parcel is late").await;
    assert!(replies.iter().any(|t| t.starts_with("Connecting you")), "the bot hands over: {replies:?}");
    let res = agent
        .http
        .patch(format!("{}/api/v1/customers/{}", agent.base, visitor.id))
        .header("cookie", &agent.cookie)
        .header("x-csrf-token", &agent.csrf)
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(res.status().as_u16(), 200, "rename the customer");
    until("the handed-over conversation", || async {
        let (_, list) = agent.get("/api/v1/conversations").await;
        list["conversations"].as_array().and_then(|l| l.iter().find(|c| c["customer_id"] == visitor.id.as_str() && c["status"] == "queued").cloned())
    })
    .await
}

/// GET with an `Accept-Language` header.
async fn get_in(agent: &Agent, path: &str, lang: &str) -> Value {
    let res = agent.http.get(format!("{}{path}", agent.base)).header("cookie", &agent.cookie).header("accept-language", lang).send().await.expect("GET");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.json().await.expect("json")
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}'))
}

/// What the page shows, less conversation data (message bodies, previews, snippets), marks
/// hidden from screen readers (the logo's glyph, channel icons) and `names` (the demo shop's
/// and its staff's names are Chinese).
async fn interface_text(b: &Client, names: &[String]) -> String {
    let script = "let text = document.body.innerText;
        const data = [...document.querySelectorAll('.message-body, .ci-preview, .t-text, .result-snippet, [aria-hidden=true]')]
          .map((el) => el.innerText.trim()).filter(Boolean).sort((x, y) => y.length - x.length);
        for (const own of data) text = text.split(own).join('');
        return text;";
    let mut text = js(b, script).await.as_str().unwrap_or_default().to_string();
    for name in names.iter().filter(|n| !n.is_empty()) {
        text = text.replace(name.as_str(), "");
    }
    text
}

/// No Chinese in the interface; the lines with any are named.
async fn no_chinese(b: &Client, names: &[String], page: &str) {
    let text = interface_text(b, names).await;
    let lines: Vec<&str> = text.lines().filter(|l| has_cjk(l)).collect();
    assert!(lines.is_empty(), "{page} shows Chinese in English: {lines:?}");
}

#[tokio::test]
async fn the_card_and_the_profile_follow_the_readers_language() {
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    trained(&owner).await;
    let conv = handed_over(&app, &owner, "Emma Brown").await;
    let id = conv["id"].as_str().expect("id");
    let customer = conv["customer_id"].as_str().expect("customer");

    let english = get_in(&owner, &format!("/api/v1/conversations/{id}/context"), "en-GB,en;q=0.9").await;
    let chinese = get_in(&owner, &format!("/api/v1/conversations/{id}/context"), "zh-CN").await;
    let (_, default) = owner.get(&format!("/api/v1/conversations/{id}/context")).await;
    assert_eq!(english["reason"], "asked_for_human");
    assert_eq!(english["reason_text"], "The customer asked for a person");
    assert_eq!(chinese["reason_text"], "客户要求转人工");
    assert_eq!(default["reason_text"], "客户要求转人工", "Chinese without a header");
    assert_eq!(english["customer"]["tier"], "new");
    assert_eq!(english["customer"]["tier_label"], "New customer");
    assert_eq!(chinese["customer"]["tier_label"], "新客");
    let mood = &english["mood"];
    let words = [("calm", "Calm"), ("unhappy", "Unhappy"), ("angry", "Angry"), ("pleased", "Pleased")];
    let want = words.iter().find(|(code, _)| mood["code"] == *code).map(|(_, w)| *w).expect("a mood code");
    assert_eq!(mood["word"], want, "{mood}");
    assert_eq!(english["reason"], chinese["reason"], "the codes do not change with the language");

    let profile = get_in(&owner, &format!("/api/v1/customers/{customer}/profile"), "en").await;
    assert_eq!(profile["tier_label"], "New customer");
    assert_eq!(profile["channels"][0]["label"], "Web");
    assert_eq!(profile["conversations"][0]["status_label"], "Queued");
    let (_, profile_zh) = owner.get(&format!("/api/v1/customers/{customer}/profile")).await;
    assert_eq!(profile_zh["tier_label"], "新客");
    assert_eq!(profile_zh["channels"][0]["label"], "网页");

    let found = get_in(&owner, &format!("/api/v1/conversations/search?customer_id={customer}"), "en-US").await;
    assert_eq!((&found["results"][0]["channel_label"], &found["results"][0]["status_label"]), (&json!("Web"), &json!("Queued")));
    let (_, found_zh) = owner.get(&format!("/api/v1/conversations/search?customer_id={customer}")).await;
    assert_eq!((&found_zh["results"][0]["channel_label"], &found_zh["results"][0]["status_label"]), (&json!("网页"), &json!("排队中")));
}

#[tokio::test]
async fn an_agent_reading_english_sees_the_workspace_history_and_profile_in_english() {
    let Some(driver) = Driver::start().await else { return };
    let app = TestApp::spawn_with(|a| a.demo_bot = Some(true)).await;
    let owner = app.login("owner@demo.kefu").await;
    trained(&owner).await;
    let agent_api = app.login("agent1@demo.kefu").await;
    let conv = handed_over(&app, &owner, "Emma Brown").await;
    let id = conv["id"].as_str().expect("id").to_string();
    let (_, me) = agent_api.get("/api/v1/me").await;
    let (_, staff) = agent_api.get("/api/v1/agents").await;
    let mut names: Vec<String> = staff["agents"].as_array().expect("agents").iter().filter_map(|a| a["display_name"].as_str()).map(str::to_string).collect();
    names.extend(me["shop"]["name"].as_str().map(str::to_string));

    let b = driver.browser_in("en-US").await;
    b.set_window_size(1440, 900).await.expect("window size");
    login(&b, &app.base, "agent1@demo.kefu").await;
    wait_text(&b, "#connection-state", "Connected").await;
    wait_text(&b, "#tab-queued", "Queued").await;
    // Queued, or already routed to this agent when they came online: 全部 lists it either way.
    click(&b, "#tab-all").await;
    until("the conversation in the list", || async { b.find(Locator::Css(&row(&id))).await.ok() }).await;
    b.find(Locator::Css(&row(&id))).await.expect("row").click().await.expect("open");
    wait_text(&b, "#ctx-handoff", "The customer asked for a person").await;
    wait_text(&b, "#ctx-handoff", "New customer").await;
    if js(&b, "return document.getElementById('take-button').hidden").await == false {
        wait_text(&b, "#take-button", "Take").await;
        click(&b, "#take-button").await;
    }
    wait_text(&b, "#dialogue-status", "Open").await;
    let composer = b.find(Locator::Css("#composer textarea")).await.expect("composer");
    assert_eq!(composer.attr("placeholder").await.expect("placeholder").as_deref(), Some("Type a reply; Enter sends, Shift+Enter adds a line, / for quick replies"));
    composer.send_keys("Sorry about the delay, Emma. Let me check your parcel.").await.expect("type");
    composer.send_keys(&fantoccini::key::Key::Enter.to_string()).await.expect("send");
    until("the reply stored", || async { b.find(Locator::Css("#messages .message.from-agent[data-id]")).await.ok() }).await;

    let desk = text_of(&b, "#desk").await.unwrap_or_default();
    for want in ["Mine", "Queued", "All", "Customer", "Channel", "Status", "Bot hand-off", "Reason for hand-off", "Mood", "Customer tier", "Emma Brown", "Web", "Resolve", "New ticket", "Send"] {
        assert!(desk.contains(want), "the workspace shows {want:?}: {desk}");
    }
    let mood = text_of(&b, "#ctx-handoff .mood-word").await.unwrap_or_default();
    assert!(["Calm", "Unhappy", "Angry", "Pleased"].contains(&mood.as_str()), "the mood in English: {mood:?}");
    assert_eq!(js(&b, "return document.documentElement.lang").await, "en");
    assert!(js(&b, "return document.title").await.as_str().is_some_and(|t| t.contains("Agent workspace")));
    no_chinese(&b, &names, "the workspace").await;
    snap(&b, "en-workspace").await;

    // History: the conversation found, its transcript read-only, all in English.
    b.goto(&format!("{}/history", app.base)).await.expect("history page");
    wait_text(&b, "#result-count", "conversations found").await;
    wait_text(&b, "#results", "Emma Brown").await;
    let form = text_of(&b, "#search-form").await.unwrap_or_default();
    for want in ["All statuses", "All channels", "All agents", "All ratings", "From", "To", "Search"] {
        assert!(form.contains(want), "the filters show {want:?}: {form}");
    }
    let result = format!(".result-open[data-conversation='{id}']");
    click(&b, &result).await;
    wait_text(&b, "#t-messages", "Let me check your parcel").await;
    wait_text(&b, "#transcript", "Read-only transcript").await;
    wait_text(&b, "#t-meta", "Web").await;
    no_chinese(&b, &names, "history").await;
    snap(&b, "en-history").await;

    // The profile from the transcript.
    click(&b, "#t-profile").await;
    until("the profile page", || async { b.current_url().await.ok().filter(|u| u.path().starts_with("/customers/")) }).await;
    wait_text(&b, "#p-name", "Emma Brown").await;
    wait_text(&b, "#p-tier", "New customer").await;
    wait_text(&b, "#p-conversations", "Web · Open").await;
    let page = text_of(&b, "main").await.unwrap_or_default();
    for want in ["Basics", "Save name", "Add tag", "Channels", "Conversations", "Orders", "No orders yet", "Tickets", "Internal notes", "Merged customers", "First contact"] {
        assert!(page.contains(want), "the profile shows {want:?}: {page}");
    }
    no_chinese(&b, &names, "the profile").await;
    snap(&b, "en-profile").await;

    // The same agent reading Chinese sees Chinese: the language is the reader's, not the page's.
    let zh = driver.browser().await;
    login(&zh, &app.base, "agent1@demo.kefu").await;
    wait_text(&zh, "#tab-mine", "我的").await;
    wait_text(&zh, "#connection-state", "已连接").await;
    let _ = zh.close().await;
    b.close().await.expect("close browser");
}
