//! API errors in the caller's language (issue 21): the code stays, the message follows the
//! person's saved language, else `Accept-Language`, else the shop's default.

use crate::harness::{Agent, TestApp, PASSWORD};
use serde_json::{json, Value};

/// A request as `who`, asking for `lang` (no `Accept-Language` when `None`).
async fn call(who: &Agent, method: reqwest::Method, path: &str, body: Option<Value>, lang: Option<&str>) -> (u16, Value, String) {
    let mut req = who
        .http
        .request(method, format!("{}{path}", who.base))
        .header("cookie", &who.cookie)
        .header("x-csrf-token", &who.csrf);
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let content_language = res.headers().get("content-language").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, res.json().await.unwrap_or(Value::Null), content_language)
}

const FORBIDDEN_ZH: &str = "没有权限：此操作需要 settings:manage 权限";
const FORBIDDEN_EN: &str = "You don't have permission: this needs the settings:manage scope.";

#[tokio::test]
async fn a_forbidden_call_answers_in_the_language_the_browser_asks_for() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (status, zh, lang) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("zh-CN,zh;q=0.9")).await;
    assert_eq!((status, zh["error"]["code"].as_str(), zh["error"]["message"].as_str()), (403, Some("forbidden"), Some(FORBIDDEN_ZH)), "{zh}");
    assert_eq!(lang, "zh-CN");
    let (status, en, lang) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("en-US,en;q=0.9")).await;
    assert_eq!((status, en["error"]["code"].as_str(), en["error"]["message"].as_str()), (403, Some("forbidden"), Some(FORBIDDEN_EN)), "{en}");
    assert_eq!(lang, "en");
    // A language we do not speak falls through to the shop's default (zh-CN for the demo shop).
    let (_, fr, _) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("fr-FR")).await;
    assert_eq!(fr["error"]["message"], FORBIDDEN_ZH, "{fr}");
}

#[tokio::test]
async fn the_persons_saved_language_wins_over_the_browsers() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let (_, me, _) = call(&agent, reqwest::Method::GET, "/api/v1/me", None, None).await;
    assert_eq!((me["language"].clone(), me["shop_language"].as_str(), me["time_zone"].as_str()), (Value::Null, Some("zh-CN"), Some("+08:00")), "{me}");

    let (status, saved, _) = call(&agent, reqwest::Method::PUT, "/api/v1/me/language", Some(json!({ "language": "en" })), Some("zh-CN")).await;
    assert_eq!((status, saved["language"].as_str()), (200, Some("en")), "{saved}");
    let (_, me, _) = call(&agent, reqwest::Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(me["language"], "en", "{me}");
    let (_, err, lang) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("zh-CN")).await;
    assert_eq!((err["error"]["message"].as_str(), lang.as_str()), (Some(FORBIDDEN_EN), "en"), "{err}");
    // A socket's error frames speak it too.
    let (mut ws, _) = agent.socket().await;
    crate::harness::send(&mut ws, json!({ "type": "send", "conversation_id": "00000000-0000-7000-8000-000000000000", "client_id": "c1", "content": "hi" })).await;
    let frame = crate::harness::next_of(&mut ws, "error").await;
    assert_eq!((frame["code"].as_str(), frame["message"].as_str()), (Some("not_found"), Some("Conversation not found")), "{frame}");

    // Back to following the browser.
    let (status, cleared, _) = call(&agent, reqwest::Method::PUT, "/api/v1/me/language", Some(json!({ "language": null })), Some("en")).await;
    assert_eq!((status, cleared["language"].clone()), (200, Value::Null), "{cleared}");
    let (_, err, _) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("zh-CN")).await;
    assert_eq!(err["error"]["message"], FORBIDDEN_ZH, "{err}");

    let (status, bad, _) = call(&agent, reqwest::Method::PUT, "/api/v1/me/language", Some(json!({ "language": "fr" })), Some("en")).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_request")), "{bad}");
}

#[tokio::test]
async fn without_a_choice_or_a_browser_language_the_shop_default_applies() {
    let app = TestApp::spawn().await;
    let agent = app.login("agent1@demo.kefu").await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, err, lang) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, None).await;
    assert_eq!((err["error"]["message"].as_str(), lang.as_str()), (Some(FORBIDDEN_ZH), "zh-CN"), "{err}");

    let (_, mut shop, _) = call(&owner, reqwest::Method::GET, "/api/v1/shop", None, None).await;
    shop["language"] = json!("en");
    let (status, saved, _) = call(&owner, reqwest::Method::PUT, "/api/v1/shop", Some(shop), None).await;
    assert_eq!(status, 200, "{saved}");
    let (_, err, lang) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, None).await;
    assert_eq!((err["error"]["message"].as_str(), lang.as_str()), (Some(FORBIDDEN_EN), "en"), "{err}");
    let (_, me, _) = call(&agent, reqwest::Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(me["shop_language"], "en", "{me}");
    // The browser's language still wins over the shop's default.
    let (_, err, _) = call(&agent, reqwest::Method::GET, "/api/v1/shop", None, Some("zh-CN")).await;
    assert_eq!(err["error"]["message"], FORBIDDEN_ZH, "{err}");
}

#[tokio::test]
async fn a_failed_login_is_told_in_both_languages() {
    let app = TestApp::spawn().await;
    let attempt = |lang: &'static str| {
        let req = app
            .http
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("accept-language", lang)
            .json(&json!({ "email": "agent1@demo.kefu", "password": format!("{PASSWORD}-wrong") }));
        async move {
            let res = req.send().await.expect("login");
            (res.status().as_u16(), res.json::<Value>().await.expect("body"))
        }
    };
    let (status, zh) = attempt("zh-CN").await;
    assert_eq!((status, zh["error"]["code"].as_str(), zh["error"]["message"].as_str()), (401, Some("invalid_credentials"), Some("邮箱或密码不正确")), "{zh}");
    let (status, en) = attempt("en-GB,en;q=0.8").await;
    assert_eq!((status, en["error"]["code"].as_str(), en["error"]["message"].as_str()), (401, Some("invalid_credentials"), Some("Wrong email or password.")), "{en}");
}

#[tokio::test]
async fn validation_problems_are_worded_in_the_callers_language() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    // A shop page problem (worded by the server) and a routing problem (worded by the domain's
    // validator in English, translated from the catalogue).
    let (_, mut shop, _) = call(&owner, reqwest::Method::GET, "/api/v1/shop", None, None).await;
    shop["widget"]["color"] = json!("red");
    for (lang, words) in [("zh-CN", "颜色应为 #RRGGBB，如 #1f6feb"), ("en", "The color must be #RRGGBB, such as #1f6feb.")] {
        let (status, err, _) = call(&owner, reqwest::Method::PUT, "/api/v1/shop", Some(shop.clone()), Some(lang)).await;
        assert_eq!((status, err["error"]["code"].as_str()), (422, Some("invalid_document")), "{err}");
        let problem = err["error"]["details"].as_array().and_then(|d| d.iter().find(|p| p["path"] == "widget.color")).cloned().unwrap_or_default();
        assert_eq!(problem["message"], words, "{lang}: {err}");
        assert!(err["error"]["message"].as_str().unwrap_or("").contains(words), "{lang}: the summary names the first problem: {err}");
    }
    let (_, mut doc, _) = call(&owner, reqwest::Method::GET, "/api/v1/routing", None, None).await;
    doc["teams"] = json!([{ "id": "Bad Key!", "name": "售后组" }]);
    for (lang, words) in [("zh-CN", "编号需为 1-32 位小写字母、数字、- 或 _"), ("en", "Must be 1-32 characters of a-z, 0-9, - or _")] {
        let (status, err, _) = call(&owner, reqwest::Method::PUT, "/api/v1/routing", Some(doc.clone()), Some(lang)).await;
        assert_eq!((status, err["error"]["code"].as_str()), (422, Some("invalid_document")), "{err}");
        let found = err["error"]["details"].as_array().is_some_and(|d| d.iter().any(|p| p["message"] == words));
        assert!(found, "{lang}: {err}");
    }
}

#[tokio::test]
async fn the_language_endpoint_is_documented_and_every_schema_reference_resolves() {
    let app = TestApp::spawn().await;
    let doc: Value = app.http.get(format!("{}/api/openapi.json", app.base)).send().await.expect("docs").json().await.expect("json");
    assert!(doc["paths"]["/api/v1/me/language"]["put"].is_object(), "PUT /me/language documented");
    let me = &doc["components"]["schemas"]["MeResponse"]["properties"];
    assert!(me["language"].is_object() && me["shop_language"].is_object() && me["time_zone"].is_object(), "{me}");
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let path = r.trim_start_matches("#/").split('/').fold(&doc, |v, k| &v[k]);
        assert!(!path.is_null(), "unresolved reference {r}");
    }
}
