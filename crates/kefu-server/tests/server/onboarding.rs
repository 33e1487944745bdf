//! Onboarding from outside, on a fresh data directory with the demo off: the first-run setup
//! link, invitations, deactivation, password resets and unlocking, the platform API with
//! suspension, and `kefu shop create` / `kefu platform token create` from the command line.

use crate::harness::*;
use kefu_core::onboarding::PlatformToken;
use kefu_core::store::{Change, ChangeSet, Store};
use serde_json::{json, Value};

/// The password new people choose in these tests (meets the policy).
pub(crate) const NEW_PASSWORD: &str = "Kefu-onboard-2026";

/// A server on a fresh data directory with the demo off (rate limits off: sweeps call a lot).
pub(crate) async fn fresh() -> TestApp {
    TestApp::spawn_with(|a| {
        a.demo = Some(false);
        a.rate_limit_per_ip = Some(0);
        a.rate_limit_per_credential = Some(0);
    })
    .await
}

pub(crate) fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("token in link").to_string()
}

pub(crate) async fn public_post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.http.post(format!("{}{path}", app.base)).json(&body).send().await.expect("request")
}

async fn status_and_body(res: reqwest::Response) -> (u16, Value) {
    let s = res.status().as_u16();
    (s, res.json().await.unwrap_or(Value::Null))
}

/// Run the first-run setup as a new merchant would; returns the owner's session.
pub(crate) async fn set_up(app: &TestApp, shop: &str, email: &str) -> Agent {
    let link = app.running.as_ref().expect("running").setup_link.clone().expect("a setup link on an empty database");
    let res = public_post(app, "/api/v1/setup", json!({
        "token": token_of(&link), "shop_name": shop, "time_zone": "+08:00", "language": "zh-CN",
        "email": email, "display_name": "陈店主", "password": NEW_PASSWORD,
    }))
    .await;
    assert_eq!(res.status(), 200, "setup");
    app.session_from(res).await
}

/// Accept an invitation link; returns the new person's session.
pub(crate) async fn accept(app: &TestApp, link: &str, name: &str) -> Agent {
    let res = public_post(app, "/api/v1/invitations/accept", json!({"token": token_of(link), "display_name": name, "password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), 200, "accept {link}");
    app.session_from(res).await
}

/// A platform-operator token, stored as `kefu platform token create` stores it.
pub(crate) async fn platform_token(app: &TestApp) -> String {
    let secret = kefu_server::auth::new_secret("kefu_plat_").expect("secret");
    let t = PlatformToken { id: kefu_core::ids::CredentialId::new(), name: "平台".into(), secret_hash: kefu_server::auth::secret_hash(&secret), created_at: 1, revoked_at: None };
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertPlatformToken(t));
    app.state().inbox.store().apply(cs).await.expect("platform token");
    secret
}

/// A widget socket of the shop with this key.
pub(crate) async fn widget_of(app: &TestApp, key: &str, token: Option<&str>) -> (Ws, Value) {
    let mut url = format!("{}/ws/widget?key={key}", app.ws_base);
    if let Some(t) = token {
        url.push_str(&format!("&token={t}"));
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("widget connect");
    let hello = next_of(&mut ws, "hello").await;
    (ws, hello)
}

#[tokio::test]
async fn first_run_setup_then_an_invited_agent_serves_a_customer_of_the_new_shop() {
    let app = fresh().await;
    let (_, demo) = status_and_body(app.http.get(format!("{}/api/v1/auth/demo", app.base)).send().await.expect("demo")).await;
    assert_eq!(demo, json!({"demo": false, "password": null, "accounts": []}));
    let link = app.running.as_ref().unwrap().setup_link.clone().expect("setup link");
    let (s, info) = status_and_body(public_post(&app, "/api/v1/links/check", json!({"token": token_of(&link)})).await).await;
    assert_eq!((s, info["kind"].as_str()), (200, Some("setup")), "{info}");
    // A weak password is refused under the usual policy, and the link still works after.
    let (s, weak) = status_and_body(public_post(&app, "/api/v1/setup", json!({"token": token_of(&link), "shop_name": "小鹿茶", "email": "boss@tea.cn", "display_name": "陈店主", "password": "short"})).await).await;
    assert_eq!((s, weak["error"]["message"].as_str()), (400, Some("密码不符合要求：至少 10 个字符")), "{weak}");
    let owner = set_up(&app, "小鹿茶旗舰店", "boss@tea.cn").await;
    let (_, me) = owner.get("/api/v1/me").await;
    assert_eq!((me["user"]["role"].as_str(), me["shop"]["name"].as_str()), (Some("owner"), Some("小鹿茶旗舰店")));
    let widget_key = me["shop"]["widget_key"].as_str().expect("widget key").to_string();
    // The setup link is spent.
    let (s, used) = status_and_body(public_post(&app, "/api/v1/links/check", json!({"token": token_of(&link)})).await).await;
    assert_eq!((s, used["error"]["code"].as_str()), (410, Some("token_used")), "{used}");

    // The owner invites an agent; an invitation for someone who already has an account is 409.
    let (s, dup) = owner.post("/api/v1/invitations", json!({"email": "BOSS@tea.cn", "role": "agent"})).await;
    assert_eq!((s, dup["error"]["code"].as_str()), (409, Some("email_taken")), "{dup}");
    assert!(dup["error"]["message"].as_str().unwrap().contains("邮箱"), "{dup}");
    let (s, first) = owner.post("/api/v1/invitations", json!({"email": "mei@tea.cn", "role": "agent", "capacity": 4, "languages": ["zh"]})).await;
    assert_eq!(s, 201, "{first}");
    assert_eq!(first["emailed"], false);
    // Resending replaces the link: the first one stops working.
    let id = first["invitation"]["id"].as_str().unwrap();
    let (s, second) = owner.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
    assert_eq!(s, 200, "{second}");
    let (s, old) = status_and_body(public_post(&app, "/api/v1/invitations/accept", json!({"token": token_of(first["link"].as_str().unwrap()), "display_name": "小美", "password": NEW_PASSWORD})).await).await;
    assert_eq!((s, old["error"]["code"].as_str()), (410, Some("token_expired")), "{old}");
    let (_, people) = owner.get("/api/v1/people").await;
    assert_eq!(people["invitations"].as_array().unwrap().len(), 1, "{people}");
    let agent = accept(&app, second["link"].as_str().unwrap(), "小美").await;
    let (s, again) = status_and_body(public_post(&app, "/api/v1/invitations/accept", json!({"token": token_of(second["link"].as_str().unwrap()), "display_name": "小美", "password": NEW_PASSWORD})).await).await;
    assert_eq!((s, again["error"]["code"].as_str()), (410, Some("token_used")), "{again}");
    let (s, unknown) = status_and_body(public_post(&app, "/api/v1/links/check", json!({"token": "kefu_inv_nonsense"})).await).await;
    assert_eq!((s, unknown["error"]["code"].as_str()), (404, Some("token_unknown")), "{unknown}");

    // The People page's list: role, state, capacity from the routing document, last seen.
    let (_, people) = owner.get("/api/v1/people").await;
    let mei = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "mei@tea.cn").expect("mei listed").clone();
    assert_eq!((mei["role"].as_str(), mei["state"].as_str(), mei["capacity"].as_u64()), (Some("agent"), Some("active"), Some(4)), "{mei}");
    assert!(mei["last_seen_at"].is_i64(), "{mei}");
    assert_eq!(people["invitations"], json!([]));
    let (_, agents) = owner.get("/api/v1/agents").await;
    let mei_agent = agents["agents"].as_array().unwrap().iter().find(|p| p["email"] == "mei@tea.cn").unwrap().clone();
    assert_eq!(mei_agent["capacity"], 4, "one capacity everywhere: {mei_agent}");

    // The agent answers a widget customer of the new shop.
    let (mut aws, _) = agent.socket().await;
    let (mut customer, _) = widget_of(&app, &widget_key, None).await;
    send(&mut customer, json!({"type": "send", "content": "你好，想问下发货时间", "client_id": "c1"})).await;
    let conv = next_of(&mut customer, "ack").await["message"]["conversation_id"].as_str().expect("conversation").to_string();
    let assigned = next_where(&mut aws, |f| f["type"] == "conversation" && f["conversation"]["id"] == conv.as_str() && f["conversation"]["status"] == "assigned").await;
    assert_eq!(assigned["conversation"]["agent_id"].as_str(), Some(agent.id.as_str()));
    let (s, _) = agent.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "亲，今天下午发货"})).await;
    assert_eq!(s, 201);
    let reply = next_where(&mut customer, |f| f["type"] == "message" && f["message"]["sender_kind"] == "agent").await;
    assert_eq!(reply["message"]["content"], "亲，今天下午发货");

    let (_, audit) = owner.get("/api/v1/audit").await;
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in ["shop_set_up", "person_invited", "invitation_accepted"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
}

#[tokio::test]
async fn deactivating_ends_access_at_once_and_returns_conversations_to_routing() {
    let app = fresh().await;
    let owner = set_up(&app, "小鹿茶", "boss@tea.cn").await;
    let (_, me) = owner.get("/api/v1/me").await;
    let key = me["shop"]["widget_key"].as_str().unwrap().to_string();
    // An admin: they can hold API tokens, which must end with the account.
    let (_, inv) = owner.post("/api/v1/invitations", json!({"email": "mei@tea.cn", "role": "admin"})).await;
    let agent = accept(&app, inv["link"].as_str().unwrap(), "小美").await;
    let (s, tok) = agent.post("/api/v1/tokens", json!({"name": "mine", "scopes": ["conversations:read"]})).await;
    assert_eq!(s, 201, "{tok}");
    let agent_token = tok["secret"].as_str().map(str::to_string);
    assert_eq!(app.http.get(format!("{}/api/v1/conversations", app.base)).bearer_auth(agent_token.as_deref().unwrap()).send().await.unwrap().status(), 200);
    // An admin is given conversations only with 接待 on.
    let (s, _) = agent.post_put("/api/v1/me/status", json!({"takes_chats": true})).await;
    assert_eq!(s, 200);
    let (mut aws, _) = agent.socket().await;
    let (mut customer, _) = widget_of(&app, &key, None).await;
    send(&mut customer, json!({"type": "send", "content": "在吗", "client_id": "c1"})).await;
    let conv = next_of(&mut customer, "ack").await["message"]["conversation_id"].as_str().unwrap().to_string();
    next_where(&mut aws, |f| f["type"] == "conversation" && f["conversation"]["status"] == "assigned").await;

    // The last owner: not by themselves, not demoted by themselves.
    let (s, _) = owner.post(&format!("/api/v1/people/{}/deactivate", owner.id), json!({})).await;
    assert_eq!(s, 403);
    let (s, _) = owner.post_put(&format!("/api/v1/agents/{}/role", owner.id), json!({"role": "agent"})).await;
    assert_eq!(s, 403);

    let (s, res) = owner.post(&format!("/api/v1/people/{}/deactivate", agent.id), json!({})).await;
    assert_eq!(s, 204, "{res}");
    // The socket closes, the session and any token stop working, the login is refused.
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), futures_util::StreamExt::next(&mut aws)).await.expect("socket closes") {
            None | Some(Err(_)) | Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => break,
            Some(Ok(_)) => continue,
        }
    }
    assert_eq!(agent.get("/api/v1/me").await.0, 401);
    if let Some(t) = agent_token {
        let s = app.http.get(format!("{}/api/v1/conversations", app.base)).bearer_auth(t).send().await.unwrap().status();
        assert_eq!(s, 401);
    }
    let (s, refused) = status_and_body(public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": NEW_PASSWORD})).await).await;
    assert_eq!((s, refused["error"]["code"].as_str()), (403, Some("account_deactivated")), "{refused}");
    let (_, c) = owner.get(&format!("/api/v1/conversations/{conv}")).await;
    assert_eq!((c["status"].as_str(), c["agent_id"].as_str()), (Some("queued"), None), "back to routing: {c}");
    let (_, people) = owner.get("/api/v1/people").await;
    assert!(people["people"].as_array().unwrap().iter().any(|p| p["email"] == "mei@tea.cn" && p["state"] == "deactivated"));

    let (s, _) = owner.post(&format!("/api/v1/people/{}/reactivate", agent.id), json!({})).await;
    assert_eq!(s, 204);
    let res = public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), 200);
    let (_, audit) = owner.get("/api/v1/audit").await;
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"person_deactivated") && actions.contains(&"person_reactivated"), "{actions:?}");
}

#[tokio::test]
async fn a_locked_login_is_unlocked_and_a_reset_link_sets_a_new_password() {
    let app = TestApp::spawn_with(|a| a.demo = Some(false)).await;
    let owner = set_up(&app, "小鹿茶", "boss@tea.cn").await;
    let (_, inv) = owner.post("/api/v1/invitations", json!({"email": "mei@tea.cn", "role": "agent"})).await;
    let agent = accept(&app, inv["link"].as_str().unwrap(), "小美").await;
    let mut last = 0;
    for _ in 0..6 {
        last = public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": "wrong-password-1"})).await.status().as_u16();
    }
    assert_eq!(last, 429, "locked after repeated failures");
    let (_, people) = owner.get("/api/v1/people").await;
    assert!(people["people"].as_array().unwrap().iter().any(|p| p["email"] == "mei@tea.cn" && p["locked"] == true), "{people}");
    let (s, _) = owner.post(&format!("/api/v1/people/{}/unlock", agent.id), json!({})).await;
    assert_eq!(s, 204);
    assert_eq!(public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": NEW_PASSWORD})).await.status(), 200);

    let (s, reset) = owner.post(&format!("/api/v1/people/{}/password-reset", agent.id), json!({})).await;
    assert_eq!(s, 200, "{reset}");
    let link = reset["link"].as_str().unwrap();
    assert!(link.contains("/reset?token="), "{link}");
    let res = public_post(&app, "/api/v1/password-resets/redeem", json!({"token": token_of(link), "password": "Another-pass-2026"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": NEW_PASSWORD})).await.status(), 401);
    assert_eq!(public_post(&app, "/api/v1/auth/login", json!({"email": "mei@tea.cn", "password": "Another-pass-2026"})).await.status(), 200);
    let (s, used) = status_and_body(public_post(&app, "/api/v1/password-resets/redeem", json!({"token": token_of(link), "password": "Third-pass-2026x"})).await).await;
    assert_eq!((s, used["error"]["code"].as_str()), (410, Some("token_used")));
    // An invitation link is not a reset link.
    let (_, inv2) = owner.post("/api/v1/invitations", json!({"email": "shuai@tea.cn", "role": "agent"})).await;
    let (s, _) = status_and_body(public_post(&app, "/api/v1/password-resets/redeem", json!({"token": token_of(inv2["link"].as_str().unwrap()), "password": "Another-pass-2026"})).await).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_platform_makes_lists_suspends_and_resumes_shops() {
    let app = fresh().await;
    let (s, _) = status_and_body(public_post(&app, "/api/v1/platform/shops", json!({"name": "甲店", "owner_email": "a@shop.cn"})).await).await;
    assert_eq!(s, 401, "no platform token");
    let platform = platform_token(&app).await;
    let op = |m: reqwest::Method, path: &str| app.http.request(m, format!("{}{path}", app.base)).bearer_auth(&platform);
    let mut shops = Vec::new();
    for (name, email) in [("甲店", "a@shop.cn"), ("乙店", "b@shop.cn"), ("丙店", "c@shop.cn")] {
        let (s, made) = status_and_body(op(reqwest::Method::POST, "/api/v1/platform/shops").json(&json!({"name": name, "owner_email": email})).send().await.unwrap()).await;
        assert_eq!(s, 201, "{made}");
        assert!(made["owner_invitation"].as_str().unwrap().contains("/invite?token="));
        shops.push(made);
    }
    let (s, dup) = status_and_body(op(reqwest::Method::POST, "/api/v1/platform/shops").json(&json!({"name": "丁店", "owner_email": "A@shop.cn"})).send().await.unwrap()).await;
    assert_eq!(s, 409, "{dup}");
    let (_, page1) = status_and_body(op(reqwest::Method::GET, "/api/v1/platform/shops?limit=2").send().await.unwrap()).await;
    assert_eq!(page1["shops"].as_array().unwrap().len(), 2);
    let next = page1["next"].as_str().expect("a next page").to_string();
    let (_, page2) = status_and_body(op(reqwest::Method::GET, &format!("/api/v1/platform/shops?limit=2&after={next}")).send().await.unwrap()).await;
    assert_eq!((page2["shops"][0]["name"].as_str(), page2["next"].is_null()), (Some("丙店"), true), "{page2}");

    // The platform token opens no shop's data.
    for path in ["/api/v1/conversations", "/api/v1/agents", "/api/v1/me", "/api/v1/people"] {
        assert_eq!(op(reqwest::Method::GET, path).send().await.unwrap().status(), 401, "{path}");
    }

    let owner = accept(&app, shops[0]["owner_invitation"].as_str().unwrap(), "甲店主").await;
    let shop_id = shops[0]["shop"]["id"].as_str().unwrap().to_string();
    let key = shops[0]["shop"]["widget_key"].as_str().unwrap().to_string();
    let (_, channel) = owner.post("/api/v1/channels", json!({"name": "抖音", "platform": "douyin", "callback_url": "http://127.0.0.1:9/cb"})).await;
    let (mut ows, _) = owner.socket().await;
    let (mut customer, _) = widget_of(&app, &key, None).await;

    let s = op(reqwest::Method::POST, &format!("/api/v1/platform/shops/{shop_id}/suspend")).send().await.unwrap().status();
    assert_eq!(s, 204);
    for ws in [&mut ows, &mut customer] {
        loop {
            match tokio::time::timeout(std::time::Duration::from_secs(10), futures_util::StreamExt::next(ws)).await.expect("socket closes") {
                None | Some(Err(_)) | Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => break,
                Some(Ok(_)) => continue,
            }
        }
    }
    let (s, me) = owner.get("/api/v1/me").await;
    assert_eq!((s, me["error"]["code"].as_str()), (403, Some("shop_suspended")));
    let (s, login) = status_and_body(public_post(&app, "/api/v1/auth/login", json!({"email": "a@shop.cn", "password": NEW_PASSWORD})).await).await;
    assert_eq!((s, login["error"]["code"].as_str()), (403, Some("shop_suspended")));
    let hook = app.http.post(format!("{}/api/v1/channels/{}/webhook", app.base, channel["channel"]["id"].as_str().unwrap())).body("{}").send().await.unwrap();
    assert_eq!(hook.status(), 403);
    let refused = tokio_tungstenite::connect_async(format!("{}/ws/widget?key={key}", app.ws_base)).await;
    assert!(refused.is_err(), "the widget of a suspended shop does not connect");
    let (_, listed) = status_and_body(op(reqwest::Method::GET, "/api/v1/platform/shops").send().await.unwrap()).await;
    assert_eq!(listed["shops"][0]["state"], "suspended");

    let s = op(reqwest::Method::POST, &format!("/api/v1/platform/shops/{shop_id}/resume")).send().await.unwrap().status();
    assert_eq!(s, 204);
    let (s, me) = owner.get("/api/v1/me").await;
    assert_eq!((s, me["shop"]["id"].as_str()), (200, Some(shop_id.as_str())), "nothing was deleted");
}

#[tokio::test]
async fn the_command_line_makes_a_shop_and_a_platform_token() {
    let dir = tempfile::tempdir().expect("dir");
    let kefu = env!("CARGO_BIN_EXE_kefu");
    let out = std::process::Command::new(kefu)
        .args(["shop", "create", "--name", "命令行小店", "--owner-email", "cli@tea.cn", "--time-zone", "+08:00", "--language", "zh-CN", "--demo", "false", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("kefu shop create");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    let link = stdout.lines().find(|l| l.contains("/invite?token=")).expect("a link").trim().to_string();
    let out = std::process::Command::new(kefu).args(["platform", "token", "create", "--name", "抖店", "--data-dir"]).arg(dir.path()).output().expect("kefu platform token create");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    let platform = stdout.lines().find(|l| l.starts_with("kefu_plat_")).expect("the token").trim().to_string();
    // A second shop for the same owner email is refused with a clear message.
    let out = std::process::Command::new(kefu).args(["shop", "create", "--name", "又一家", "--owner-email", "cli@tea.cn", "--data-dir"]).arg(dir.path()).output().expect("run");
    assert!(!out.status.success());

    let path = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |a| {
        a.demo = Some(false);
        a.data_dir = Some(path);
    })
    .await;
    assert!(app.running.as_ref().unwrap().setup_link.is_none(), "a shop exists: no setup link");
    let owner = accept(&app, &link, "命令行店主").await;
    let (_, me) = owner.get("/api/v1/me").await;
    assert_eq!((me["shop"]["name"].as_str(), me["user"]["role"].as_str()), (Some("命令行小店"), Some("owner")));
    let (s, listed) = status_and_body(app.http.get(format!("{}/api/v1/platform/shops", app.base)).bearer_auth(&platform).send().await.unwrap()).await;
    assert_eq!((s, listed["shops"][0]["name"].as_str()), (200, Some("命令行小店")));
    drop(dir);
}

#[tokio::test]
async fn with_an_smtp_relay_the_invitation_is_also_emailed() {
    let Some(sink) = crate::email::SmtpSink::start().await else { return };
    let url = sink.url.clone();
    let app = TestApp::spawn_with(move |a| {
        a.demo = Some(false);
        a.smtp_url = Some(url);
    })
    .await;
    let owner = set_up(&app, "小鹿茶", "boss@tea.cn").await;
    let (s, inv) = owner.post("/api/v1/invitations", json!({"email": "mei@tea.cn", "role": "agent"})).await;
    assert_eq!((s, inv["emailed"].as_bool()), (201, Some(true)), "{inv}");
    let mail = String::from_utf8_lossy(&sink.wait_for(1).await[0]).to_string();
    assert!(mail.contains("mei@tea.cn"), "{mail}");
    // The body carries the same one-time link the owner was shown (quoted-printable or base64).
    let parsed = mail_parse_body(&mail);
    assert!(parsed.contains(&token_of(inv["link"].as_str().unwrap())), "{parsed}");
}

/// The text body of an email, decoded.
fn mail_parse_body(raw: &str) -> String {
    kefu_core::channels::email::parse(raw.as_bytes(), Default::default()).map(|p| p.text).unwrap_or_default()
}
