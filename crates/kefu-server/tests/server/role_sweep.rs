//! Every API route, called by every role, by a narrow API token, by nobody, and by another
//! shop's owner: each is refused exactly when the permission table says so, and nothing of
//! one shop is reachable from another.

use crate::harness::*;
use crate::isolation::second_shop;
use kefu_core::access::Scope;
use kefu_core::shop::Role;
use serde_json::{json, Value};

/// (method, path, body, scope the route needs; None = any signed-in user).
type Route = (&'static str, String, Value, Option<Scope>);

#[allow(clippy::too_many_arguments)]
fn routes(conv: &str, customer: &str, message: &str, ticket: &str, token: &str, agent1: &str, phrase: &str, workflow: &Value, calendar: &Value) -> Vec<Route> {
    use Scope::*;
    vec![
        ("GET", "/api/v1/me".into(), Value::Null, None),
        ("PUT", "/api/v1/me/status".into(), json!({"status": "away"}), None),
        ("PUT", "/api/v1/me/password".into(), json!({"current": "wrong", "new": "Another-pass-2026"}), None),
        ("GET", "/api/v1/conversations".into(), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/conversations/{conv}"), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/conversations/{conv}/messages"), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/conversations/{conv}/rating"), Value::Null, Some(ConversationsRead)),
        ("POST", format!("/api/v1/conversations/{conv}/messages"), json!({"content": "您好"}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/conversations/{conv}/assign"), json!({}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/conversations/{conv}/notes"), json!({"text": "巡检备注"}), Some(ConversationsWrite)),
        ("GET", "/api/v1/quick-phrases?q=%E4%BA%B2".into(), Value::Null, Some(ConversationsRead)),
        ("POST", "/api/v1/quick-phrases".into(), json!({"title": "巡检", "text": "您好"}), Some(ConversationsWrite)),
        ("POST", "/api/v1/quick-phrases".into(), json!({"title": "巡检全店", "text": "您好", "shop_wide": true}), Some(SettingsManage)),
        ("PUT", format!("/api/v1/quick-phrases/{phrase}"), json!({"title": "巡检改", "text": "您好呀"}), Some(SettingsManage)),
        ("DELETE", format!("/api/v1/quick-phrases/{phrase}"), Value::Null, Some(SettingsManage)),
        ("POST", format!("/api/v1/conversations/{conv}/transfer"), json!({"agent_id": agent1, "note": "巡检"}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/conversations/{conv}/accept"), json!({}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/conversations/{conv}/decline"), json!({}), Some(ConversationsWrite)),
        ("POST", "/api/v1/conversations".into(), json!({"customer_id": customer, "content": "您好，我是客服"}), Some(ConversationsWrite)),
        ("PUT", format!("/api/v1/customers/{customer}/tags"), json!({"tags": ["巡检"]}), Some(ConversationsWrite)),
        ("GET", format!("/api/v1/customers/{customer}/dialogue"), Value::Null, Some(ConversationsRead)),
        ("POST", format!("/api/v1/customers/{customer}/merge"), json!({"from": customer}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/customers/{customer}/unmerge"), json!({}), Some(ConversationsWrite)),
        ("GET", "/api/v1/routing".into(), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/shop".into(), Value::Null, Some(SettingsManage)),
        ("PUT", "/api/v1/shop".into(), json!({"name": "", "time_zone": "+08:00", "language": "zh-CN", "widget": {}, "csat_enabled": true, "supervisors_edit_kb": true}), Some(SettingsManage)),
        ("POST", "/api/v1/routing/test".into(), json!({"text": "我要退款"}), Some(ConversationsRead)),
        ("GET", "/api/v1/routing/versions".into(), Value::Null, Some(SettingsManage)),
        ("GET", "/api/v1/shop/versions".into(), Value::Null, Some(SettingsManage)),
        ("GET", "/api/v1/kb".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/kb".into(), json!({"kb": {"faqs": [{"id": "sweep", "question": "巡检", "answer": "好"}], "experiments": [{"id": "sweep-exp", "target": "faq:sweep", "enabled": true, "split": [50, 50], "variants": [{"name": "A", "answer": "好"}, {"name": "B", "answer": "好的"}]}]}}), Some(KbWrite)),
        ("GET", "/api/v1/kb/faqs?q=%E5%B7%A1".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/kb/faqs/sweep2".into(), json!({"question": "巡检二", "answer": "好"}), Some(KbWrite)),
        ("DELETE", "/api/v1/kb/faqs/sweep2".into(), Value::Null, Some(KbWrite)),
        ("POST", "/api/v1/kb/import?format=json".into(), json!([]), Some(KbWrite)),
        ("GET", "/api/v1/kb/export".into(), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/kb/versions".into(), Value::Null, Some(ConversationsRead)),
        ("POST", "/api/v1/kb/rollback".into(), json!({"version": 1}), Some(KbWrite)),
        ("GET", "/api/v1/kb/training".into(), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/kb/questions".into(), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/kb/figures".into(), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/kb/experiments/sweep-exp/results".into(), Value::Null, Some(ConversationsRead)),
        ("POST", "/api/v1/kb/questions/0000/teach".into(), json!({"faq_id": "sweep"}), Some(KbWrite)),
        ("POST", "/api/v1/kb/questions/0000/dismiss".into(), json!({}), Some(KbWrite)),
        ("PUT", "/api/v1/live/session".into(), json!({"remaining": 1}), Some(InboundWrite)),
        ("GET", format!("/api/v1/conversations/{conv}/context"), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/routing".into(), json!({}), Some(SettingsManage)),
        ("GET", "/api/v1/queue".into(), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/customers/{customer}"), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/customers/{customer}/orders"), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/orders".into(), json!([{"external_id": "SWEEP-1", "buyer": {"channel": "dm", "external_id": "sweep-buyer"}, "status": "paid", "amount_cents": 100, "created_at": 1}]), Some(InboundWrite)),
        ("PUT", "/api/v1/products".into(), json!([{"sku": "SWEEP", "name": "巡检商品", "price_cents": 100}]), Some(InboundWrite)),
        ("GET", "/api/v1/products?sku=SWEEP".into(), Value::Null, Some(ConversationsRead)),
        // The platform webhook (`/channels/{id}/webhook`) is signed by its channel's secret,
        // not by a session or token: `channels.rs` tests it.
        ("GET", "/api/v1/channels".into(), Value::Null, Some(SettingsManage)),
        ("POST", "/api/v1/channels".into(), json!({"name": "巡检渠道", "platform": "douyin", "callback_url": "http://127.0.0.1:9/cb"}), Some(SettingsManage)),
        ("GET", "/api/v1/webhooks".into(), Value::Null, Some(SettingsManage)),
        ("POST", "/api/v1/webhooks".into(), json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.*"]}), Some(SettingsManage)),
        ("DELETE", format!("/api/v1/webhooks/{}", uuid::Uuid::now_v7()), Value::Null, Some(SettingsManage)),
        ("GET", "/api/v1/outbox?state=dead".into(), Value::Null, Some(SettingsManage)),
        ("POST", format!("/api/v1/outbox/{}/replay", uuid::Uuid::now_v7()), json!({}), Some(SettingsManage)),
        ("GET", "/api/v1/live/stats".into(), Value::Null, Some(ConversationsRead)),
        ("GET", format!("/api/v1/messages/{message}/attachments"), Value::Null, Some(ConversationsRead)),
        ("GET", "/api/v1/agents".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", format!("/api/v1/agents/{agent1}/role"), json!({"role": "agent"}), Some(PeopleManage)),
        ("GET", "/api/v1/audit".into(), Value::Null, Some(AuditRead)),
        ("GET", "/api/v1/audit/verify".into(), Value::Null, Some(AuditRead)),
        ("GET", "/api/v1/sensitive-words".into(), Value::Null, Some(SettingsManage)),
        ("PUT", "/api/v1/sensitive-words".into(), json!({"words": [{"word": "巡检词", "category": "competitor", "action": "warn"}]}), Some(SettingsManage)),
        ("POST", "/api/v1/sensitive-words/check".into(), json!({"text": "您好"}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/messages/{message}/reveal"), json!({"index": 0}), Some(PiiReveal)),
        ("POST", format!("/api/v1/customers/{customer}/reveal"), json!({"index": 0}), Some(PiiReveal)),
        ("POST", format!("/api/v1/tickets/{ticket}/reveal"), json!({"index": 0}), Some(PiiReveal)),
        ("GET", "/api/v1/tokens".into(), Value::Null, Some(TokensManage)),
        ("POST", "/api/v1/tokens".into(), json!({"name": "sweep", "scopes": ["conversations:read"]}), Some(TokensManage)),
        ("DELETE", format!("/api/v1/tokens/{token}"), Value::Null, Some(TokensManage)),
        ("POST", "/api/v1/inbound/messages".into(), json!({"external_id": "sweep", "content": "在吗"}), Some(InboundWrite)),
        ("GET", "/api/v1/tickets".into(), Value::Null, Some(ConversationsRead)),
        ("POST", "/api/v1/tickets".into(), json!({"ticket_type": "complaint", "title": "sweep"}), Some(ConversationsWrite)),
        ("POST", "/api/v1/tickets/bulk".into(), json!({"ids": [ticket], "action": {"type": "priority", "to": "high"}}), Some(ConversationsWrite)),
        ("GET", format!("/api/v1/tickets/{ticket}"), Value::Null, Some(ConversationsRead)),
        ("POST", format!("/api/v1/tickets/{ticket}/comments"), json!({"body": "跟进", "public": false}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/tickets/{ticket}/assign"), json!({}), Some(ConversationsWrite)),
        ("PUT", format!("/api/v1/tickets/{ticket}/priority"), json!({"priority": "high"}), Some(ConversationsWrite)),
        ("PUT", format!("/api/v1/tickets/{ticket}/tags"), json!({"tags": ["sweep"]}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/tickets/{ticket}/attachments"), json!({"name": "a.png", "url": "https://oss.example/a.png", "size": 1}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/tickets/{ticket}/transition"), json!({"to": "no_such_state"}), Some(ConversationsWrite)),
        ("GET", "/api/v1/ticket-types".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/ticket-types/complaint".into(), workflow.clone(), Some(SettingsManage)),
        ("GET", "/api/v1/departments".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/departments/sweep".into(), json!({"name": "巡检部", "members": []}), Some(SettingsManage)),
        ("GET", "/api/v1/calendar".into(), Value::Null, Some(ConversationsRead)),
        ("PUT", "/api/v1/calendar".into(), calendar.clone(), Some(SettingsManage)),
        ("GET", "/api/v1/analytics/dashboard?period=today&dim=agent".into(), Value::Null, Some(AnalyticsRead)),
        ("GET", "/api/v1/analytics/hotspots?period=last7&source=bot_only".into(), Value::Null, Some(AnalyticsRead)),
        ("GET", "/api/v1/analytics/hotspots/conversations?tag=sweep".into(), Value::Null, Some(AnalyticsRead)),
        ("GET", "/api/v1/analytics/alerts".into(), Value::Null, Some(AnalyticsRead)),
        ("GET", "/api/v1/analytics/export.csv?dim=channel".into(), Value::Null, Some(AnalyticsRead)),
        ("GET", "/api/v1/analytics/promotions".into(), Value::Null, Some(AnalyticsRead)),
        ("PUT", "/api/v1/analytics/promotions".into(), json!([{"name": "sweep", "from": 1, "to": 2}]), Some(SettingsManage)),
        ("PUT", "/api/v1/analytics/alert-rules".into(), json!({"rules": [{"id": "slow", "kind": "response_time", "window_mins": 10, "threshold": 60}]}), Some(SettingsManage)),
        ("GET", "/api/v1/people".into(), Value::Null, Some(PeopleManage)),
        ("POST", "/api/v1/invitations".into(), json!({"email": "sweep@new.kefu", "role": "agent"}), Some(PeopleManage)),
        ("POST", format!("/api/v1/invitations/{}/resend", uuid::Uuid::now_v7()), json!({}), Some(PeopleManage)),
        ("DELETE", format!("/api/v1/invitations/{}", uuid::Uuid::now_v7()), Value::Null, Some(PeopleManage)),
        ("PUT", format!("/api/v1/people/{agent1}"), json!({"display_name": "小美"}), Some(PeopleManage)),
        ("POST", format!("/api/v1/people/{agent1}/password-reset"), json!({}), Some(PeopleManage)),
        ("POST", format!("/api/v1/people/{agent1}/unlock"), json!({}), Some(PeopleManage)),
        ("POST", format!("/api/v1/people/{agent1}/reactivate"), json!({}), Some(PeopleManage)),
        ("POST", format!("/api/v1/conversations/{conv}/resolve"), json!({}), Some(ConversationsWrite)),
        ("POST", format!("/api/v1/conversations/{conv}/close"), json!({}), Some(ConversationsWrite)),
    ]
}

/// Who calls: a session (cookie + CSRF) or a bearer token.
pub(crate) enum Caller<'a> {
    Session(&'a Agent),
    Token(&'a str),
    Nobody,
}

pub(crate) async fn call(app: &TestApp, caller: &Caller<'_>, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = app.http.request(method, format!("{}{path}", app.base));
    match caller {
        Caller::Session(a) => req = req.header("cookie", &a.cookie).header("x-csrf-token", &a.csrf),
        Caller::Token(t) => req = req.bearer_auth(t),
        Caller::Nobody => {}
    }
    if !body.is_null() {
        req = req.json(body);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_with_every_role_and_another_shops_credentials() {
    // Hundreds of calls from one address with a few credentials: the rate limits (tested in
    // security.rs) would answer 429 before the permission check this sweep is about.
    let app = TestApp::spawn_with(|a| {
        a.rate_limit_per_ip = Some(0);
        a.rate_limit_per_credential = Some(0);
    })
    .await;
    let owner = app.login("owner@demo.kefu").await;
    // The demo shop has no admin: promote agent2 (itself an audited role change).
    let agents = owner.get("/api/v1/agents").await.1;
    let id_of = |email: &str| agents["agents"].as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()["id"].as_str().unwrap().to_string();
    let (s, promoted) = owner.post_put(&format!("/api/v1/agents/{}/role", id_of("agent2@demo.kefu")), json!({"role": "admin"})).await;
    assert_eq!((s, promoted["role"].as_str()), (200, Some("admin")), "{promoted}");
    let admin = app.login("agent2@demo.kefu").await;
    let supervisor = app.login("supervisor@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;

    // Shop A data: a conversation with a customer, a ticket, a token.
    let (status, created) = owner.post("/api/v1/tokens", json!({"name": "inbound", "scopes": ["inbound:write", "conversations:read"]})).await;
    assert_eq!(status, 201);
    let inbound_secret = created["secret"].as_str().unwrap().to_string();
    let (_, delivered) = call(&app, &Caller::Token(&inbound_secret), "POST", "/api/v1/inbound/messages", &json!({"external_id": "sweep-customer", "content": "我的快递到哪了，电话13812345678"})).await;
    let conv = delivered["conversation"]["id"].as_str().expect("conversation").to_string();
    let customer = delivered["conversation"]["customer_id"].as_str().expect("customer").to_string();
    let message = delivered["message"]["id"].as_str().expect("message").to_string();
    let (_, t) = owner.post("/api/v1/tickets", json!({"ticket_type": "complaint", "title": "巡检工单"})).await;
    let ticket = t["id"].as_str().expect("ticket").to_string();
    let (_, read_only) = owner.post("/api/v1/tokens", json!({"name": "reader", "scopes": ["conversations:read"]})).await;
    let reader_secret = read_only["secret"].as_str().unwrap().to_string();
    let (_, victim) = owner.post("/api/v1/tokens", json!({"name": "victim", "scopes": ["conversations:read"]})).await;
    let token_id = victim["token"]["id"].as_str().unwrap().to_string();
    let workflows = owner.get("/api/v1/ticket-types").await.1;
    let workflow = workflows["workflows"].as_array().unwrap().iter().find(|w| w["ticket_type"] == "complaint").unwrap().clone();
    let calendar = owner.get("/api/v1/calendar").await.1;
    let (_, p) = owner.post("/api/v1/quick-phrases", json!({"title": "全店巡检", "text": "亲，您好", "shop_wide": true})).await;
    let phrase = p["id"].as_str().expect("phrase").to_string();
    let table = routes(&conv, &customer, &message, &ticket, &token_id, &id_of("agent1@demo.kefu"), &phrase, &workflow, &calendar);

    for (caller, role) in [(&agent, Role::Agent), (&supervisor, Role::Supervisor), (&admin, Role::Admin), (&owner, Role::Owner)] {
        for (method, path, body, scope) in &table {
            let (status, res) = call(&app, &Caller::Session(caller), method, path, body).await;
            let allowed = scope.is_none_or(|s| s.allowed_for(role));
            if allowed {
                assert!(status != 403 && status != 401 && status < 500, "{role:?} {method} {path} should pass the permission check: {status} {res}");
            } else {
                assert_eq!(status, 403, "{role:?} {method} {path} must be refused: {res}");
                assert_eq!(res["error"]["code"], "forbidden");
            }
        }
    }
    // A token holds only its scopes, whatever its creator's role.
    for (method, path, body, scope) in &table {
        let (status, res) = call(&app, &Caller::Token(&reader_secret), method, path, body).await;
        if *scope == Some(Scope::ConversationsRead) {
            assert_eq!(status, 200, "reader token {method} {path}: {res}");
        } else if scope.is_some() {
            assert_eq!(status, 403, "reader token {method} {path}: {res}");
        }
        let (status, _) = call(&app, &Caller::Nobody, method, path, body).await;
        assert_eq!(status, 401, "anonymous {method} {path}");
    }
    // Another shop's owner holds every scope, yet reaches no id of this shop.
    let _ = second_shop(&app).await;
    let other = app.login("agent@other.kefu").await;
    for (method, path, body, _) in &table {
        let mentions_a = [&conv, &customer, &message, &ticket, &token_id, &phrase].iter().any(|id| path.contains(id.as_str())) || path.contains("/agents/") || path.contains("/people/");
        let (status, res) = call(&app, &Caller::Session(&other), method, path, body).await;
        if mentions_a {
            assert_eq!(status, 404, "other shop {method} {path}: {res}");
        }
        if path.ends_with("/tickets/bulk") {
            // Bulk answers per id it was given (echoing the id): each must be "not found".
            assert_eq!(res["results"][0]["error"], "ticket not found", "{res}");
            continue;
        }
        let text = res.to_string();
        for id in [&conv, &customer, &ticket, &token_id, &phrase] {
            assert!(!text.contains(id.as_str()), "other shop {method} {path} leaked {id}: {text}");
        }
    }
    let (_, audit) = owner.get("/api/v1/audit").await;
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in ["login", "role_changed", "token_created", "token_revoked"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let (_, foreign) = other.get("/api/v1/audit").await;
    assert!(foreign["entries"].as_array().unwrap().iter().all(|e| e["shop_id"] != audit["entries"][0]["shop_id"]));
}
