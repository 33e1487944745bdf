//! The bot through the real server: scripted dialogues over the widget socket, hand-offs with
//! the context card on the agent's socket, knowledge-base import, retraining under traffic.

use crate::harness::*;
use serde_json::{json, Value};
use std::time::Duration;

/// The test shop's knowledge base: four FAQs (one flagged for transfer, one with live data)
/// and a 3-slot stock flow.
fn kb(extra_handoff: Value) -> Value {
    let mut handoff = json!({ "unknown_streak": 3 });
    if let (Some(h), Some(extra)) = (handoff.as_object_mut(), extra_handoff.as_object()) {
        h.extend(extra.clone());
    }
    json!({
        "faqs": [
            {"id": "shipping", "question": "什么时候发货", "similar": ["多久发货", "几天能发货", "啥时候发货"], "answer": "付款后48小时内发货"},
            {"id": "delivery", "question": "用什么快递配送", "similar": ["发什么快递", "配送方式是什么"], "answer": "默认中通快递，可备注顺丰"},
            {"id": "returns", "question": "怎么退货", "similar": ["如何退货", "退货流程"], "answer": "七天无理由退货", "link_title": "退货说明", "link_url": "https://example.com/returns"},
            {"id": "refund-time", "question": "退款多久到账", "similar": ["退款什么时候到"], "answer": "原路退回，1-3个工作日"},
            {"id": "live", "question": "直播间福利还剩多少", "similar": ["福利款还有吗"], "answer": "福利款剩余{live.remaining}件", "answer_fallback": "福利款库存以直播间为准"},
            {"id": "quality", "question": "收到的衣服破了", "similar": ["质量有问题"], "answer": "非常抱歉，马上为您转接客服", "transfer_to_human": true}
        ],
        "flows": [{
            "id": "stock", "name": "库存",
            "examples": ["这个还有货吗", "有没有库存"], "keywords": ["有货", "库存"],
            "slots": [
                {"name": "product", "kind": "product", "prompt": "请问您想问哪款商品？"},
                {"name": "size", "kind": "size", "prompt": "请问您要什么尺码？"},
                {"name": "colour", "kind": "colour", "prompt": "请问您要什么颜色？"}
            ],
            "answer": "{product}{colour}{size}当前剩余{stock}件",
            "answer_fallback": "{product}的库存请以下单页为准"
        }],
        "handoff": handoff
    })
}

/// Save a knowledge base and wait until the bot serves it.
pub(crate) async fn put_kb(owner: &Agent, doc: Value) -> i64 {
    let (status, body) = owner.post_put("/api/v1/kb", json!({ "kb": doc })).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_i64().expect("version");
    for _ in 0..200 {
        let (_, t) = owner.get("/api/v1/kb/training").await;
        if t["serving_version"].as_i64() == Some(version) && t["state"] == "ready" {
            return version;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("version {version} was never served");
}

/// Wait until the bot serves a knowledge base (the demo's, or the shop's latest).
pub(crate) async fn trained(owner: &Agent) {
    for _ in 0..200 {
        let (_, t) = owner.get("/api/v1/kb/training").await;
        if t["state"] == "ready" && t["serving_version"].as_i64() > Some(0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the knowledge base was never served");
}

/// A widget customer talking to the bot.
pub(crate) struct Customer {
    pub(crate) ws: Ws,
    pub(crate) id: String,
}

impl Customer {
    /// A new visitor: their customer (and id) exists from their first message on.
    pub(crate) async fn new(app: &TestApp) -> Customer {
        let (ws, _) = app.widget(None, None).await;
        Customer { ws, id: String::new() }
    }

    /// A visitor who wrote before: known (and taggable) before they write.
    async fn known(app: &TestApp) -> Customer {
        let (ws, hello) = app.known_visitor().await;
        Customer { ws, id: hello["customer_id"].as_str().expect("customer id").to_string() }
    }

    async fn send(&mut self, text: &str) {
        send(&mut self.ws, json!({"type": "send", "content": text, "client_id": format!("c{}", rand_id())})).await;
    }

    /// Say something and return the bot's replies (bot messages until a quiet 300 ms).
    pub(crate) async fn ask(&mut self, text: &str) -> Vec<Value> {
        self.send(text).await;
        let mut replies = Vec::new();
        loop {
            let wait = if replies.is_empty() { 5_000 } else { 300 };
            let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_millis(wait), futures_util::StreamExt::next(&mut self.ws)).await else { break };
            let tokio_tungstenite::tungstenite::Message::Text(t) = msg else { continue };
            let f: Value = serde_json::from_str(&t).expect("json");
            if f["type"] == "ack" {
                self.id = f["message"]["customer_id"].as_str().unwrap_or_default().to_string();
            }
            if f["type"] == "message" && f["message"]["sender_kind"] != "customer" {
                replies.push(f["message"].clone());
            }
        }
        assert!(!replies.is_empty(), "no reply to {text}");
        replies
    }

    pub(crate) async fn says(&mut self, text: &str) -> Vec<String> {
        self.ask(text).await.iter().map(|m| m["content"].as_str().unwrap_or_default().to_string()).collect()
    }
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

async fn events_of(app: &TestApp, conversation: &str) -> Vec<Value> {
    use kefu_core::store::Store;
    let shop = app.state().inbox.store().shop_by_widget_key("demo").await.expect("read").expect("shop").id;
    let events = app.state().inbox.store().events(shop, 0, 10_000).await.expect("events");
    events.into_iter().filter(|(_, e)| e.conversation_id.map(|c| c.to_string()).as_deref() == Some(conversation)).map(|(_, e)| serde_json::to_value(&e.kind).expect("json")).collect()
}

#[tokio::test]
async fn faq_answers_suggestions_a_three_slot_flow_and_live_templates() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    put_kb(&owner, kb(json!({}))).await;
    let (status, _) = owner
        .post_put("/api/v1/products", json!([{"sku": "HD-1", "name": "加绒卫衣", "price_cents": 12900, "images": [], "stock": [
            {"attributes": {"size": "XL", "colour": "黑色"}, "qty": 5}, {"attributes": {"size": "L", "colour": "黑色"}, "qty": 2}]}]))
        .await;
    assert_eq!(status, 200);
    // The product upsert retrains the gazetteer in the background.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut c = Customer::new(&app).await;
    assert_eq!(c.says("亲，啥时候发货呀").await, vec!["付款后48小时内发货"]);
    // Ambiguous: suggestions, then a click (the widget sends the number).
    let shown = c.says("退货退款多久").await;
    assert!(shown[0].starts_with("您是想问：\n1. "), "{shown:?}");
    let second = shown[0].lines().nth(2).expect("second suggestion").trim_start_matches("2. ").to_string();
    let picked = c.says("2").await;
    let expected = if second == "怎么退货" { "七天无理由退货\n[链接] 退货说明 https://example.com/returns" } else { "原路退回，1-3个工作日" };
    assert_eq!(picked, vec![expected]);

    // The flow: slots out of order, a correction, a topic switch and the way back.
    assert_eq!(c.says("加绒卫衣有货吗").await, vec!["请问您要什么尺码？"]);
    assert_eq!(c.says("要红色的").await, vec!["请问您要什么尺码？"]);
    assert_eq!(c.says("不对，要黑色的").await, vec!["请问您要什么尺码？"]);
    assert_eq!(c.says("用什么快递配送").await, vec!["默认中通快递，可备注顺丰", "了解您刚才咨询的库存问题，还需要继续吗？回复“继续”即可。"]);
    assert_eq!(c.says("继续").await, vec!["请问您要什么尺码？"]);
    assert_eq!(c.says("XL").await, vec!["加绒卫衣黑色XL当前剩余5件"]);

    // Live data: the fallback before the platform pushes figures, the figure after.
    assert_eq!(c.says("直播间福利还剩多少").await, vec!["福利款库存以直播间为准"]);
    let (status, _) = owner.post_put("/api/v1/live/session", json!({"remaining": 37, "sold": 963, "viewers": 12000})).await;
    assert_eq!(status, 200);
    let answer = c.ask("直播间福利还剩多少").await;
    assert_eq!(answer[0]["content"], "福利款剩余37件");

    // Thumbs up on that answer.
    send(&mut c.ws, json!({"type": "feedback", "message_id": answer[0]["id"], "helpful": true})).await;
    next_of(&mut c.ws, "feedback_recorded").await;

    let conversation = answer[0]["conversation_id"].as_str().expect("conversation").to_string();
    let events = events_of(&app, &conversation).await;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    for k in ["conversation_categorised", "bot_answered", "bot_suggested", "bot_flow_step", "bot_feedback"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let steps: Vec<&str> = events.iter().filter(|e| e["kind"] == "bot_flow_step").filter_map(|e| e["step"].as_str()).collect();
    for s in ["started", "filled:product", "asked:size", "filled:colour", "changed:colour", "paused", "resumed", "filled:size", "done"] {
        assert!(steps.contains(&s), "{s} missing from {steps:?}");
    }
    // Per-FAQ figures: the live FAQ answered twice in one conversation, one thumb up.
    let (_, figures) = owner.get("/api/v1/kb/figures").await;
    let live = figures.as_array().expect("figures").iter().find(|f| f["faq_id"] == "live").expect("live figures").clone();
    assert_eq!((live["hits"].as_u64(), live["conversations"].as_u64(), live["thumbs_up"].as_u64(), live["handed_off"].as_u64()), (Some(2), Some(1), Some(1), Some(0)), "{live}");
    let (_, conv) = owner.get(&format!("/api/v1/conversations/{conversation}")).await;
    assert_eq!(conv["status"], "bot", "{conv}");
    assert_eq!(conv["source"], "bot_only");
}

/// Say `text` as a new customer; return the agent-side hand-off frame (or None within 1.5 s).
pub(crate) async fn handoff_for(app: &TestApp, agent_ws: &mut Ws, text: &str) -> (Customer, Vec<String>, Option<Value>) {
    let mut c = Customer::new(app).await;
    let said = c.says(text).await;
    let frame = tokio::time::timeout(Duration::from_millis(1500), next_where(agent_ws, |f| f["type"] == "handoff" && f["card"]["customer"]["id"] == c.id.as_str())).await.ok();
    (c, said, frame)
}

#[tokio::test]
async fn each_hand_off_rule_delivers_the_context_card() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let agent = app.login("agent1@demo.kefu").await;
    let (mut agent_ws, _) = agent.socket().await;
    put_kb(&owner, kb(json!({ "vip": true }))).await;

    // Explicit request; the card carries the transcript, the reason and the profile.
    let (_, said, frame) = handoff_for(&app, &mut agent_ws, "转人工，我的手机13812345678").await;
    assert_eq!(said, vec!["正在为您转接人工客服，请稍候。"]);
    let card = &frame.expect("handoff frame")["card"];
    assert_eq!(card["reason"], "asked_for_human");
    assert_eq!(card["reason_text"], "客户要求转人工");
    assert_eq!(card["transcript"][0]["sender"], "customer");
    assert!(card["transcript"][0]["text"].as_str().is_some_and(|t| t.contains("转人工") && !t.contains("13812345678")), "PII masked: {card}");
    assert_eq!(card["customer"]["tier"], "new");

    // "不用转人工" is not a request.
    let (_, said, frame) = handoff_for(&app, &mut agent_ws, "不用转人工，什么时候发货").await;
    assert_eq!(said, vec!["付款后48小时内发货"]);
    assert!(frame.is_none());

    // Three unrecognised messages in a row.
    let (mut c, first, frame) = handoff_for(&app, &mut agent_ws, "量子力学的基本原理是什么").await;
    assert!(frame.is_none());
    let second = c.says("量子力学的基本原理是什么").await;
    assert_eq!(first, second);
    assert!(first[0].starts_with("抱歉，我还没理解您的问题"), "{first:?}");
    assert_eq!(c.says("量子力学的基本原理是什么").await, vec!["正在为您转接人工客服，请稍候。"]);
    let frame = next_where(&mut agent_ws, |f| f["type"] == "handoff" && f["card"]["customer"]["id"] == c.id.as_str()).await;
    assert_eq!(frame["card"]["reason"], "unknown_streak");
    assert_eq!(frame["card"]["transcript"].as_array().map(Vec::len), Some(6), "3 questions, 2 fallbacks, 1 hand-off notice");

    // Strong emotion.
    let (_, _, frame) = handoff_for(&app, &mut agent_ws, "你们太垃圾了，再不处理我就去12315投诉给差评").await;
    assert_eq!(frame.expect("handoff")["card"]["reason"], "strong_emotion");

    // An FAQ flagged for transfer: answered, then handed over.
    let (_, said, frame) = handoff_for(&app, &mut agent_ws, "收到的衣服破了").await;
    assert_eq!(said, vec!["非常抱歉，马上为您转接客服", "正在为您转接人工客服，请稍候。"]);
    let card = frame.expect("handoff")["card"].clone();
    assert_eq!(card["reason"], "faq_transfer");
    assert_eq!(card["intents"], json!([{"id": "quality", "title": "收到的衣服破了", "titles": {"zh": "收到的衣服破了"}}]), "topics by their titles");

    // A VIP goes straight to a person: no bot reply at all.
    let mut vip = Customer::known(&app).await;
    let (status, _) = owner.post_put(&format!("/api/v1/customers/{}/tags", vip.id), json!({"tags": ["VIP"]})).await;
    assert_eq!(status, 200);
    vip.send("在吗").await;
    let frame = next_where(&mut agent_ws, |f| f["type"] == "handoff" && f["card"]["customer"]["id"] == vip.id.as_str()).await;
    assert_eq!(frame["card"]["reason"], "vip");
    assert_eq!(frame["agent_id"], agent.id.as_str(), "the free agent got it");

    // Outside the bot's hours: straight to people.
    let closed_all_week = json!({ "bot_hours": {"weekdays": [1], "open": "00:00", "close": "00:01"} });
    put_kb(&owner, kb(closed_all_week)).await;
    let (_, _, frame) = handoff_for(&app, &mut agent_ws, "什么时候发货").await;
    assert_eq!(frame.expect("handoff")["card"]["reason"], "outside_bot_hours");

    // The same card over HTTP, and the conversation source.
    let id = card["conversation_id"].as_str().expect("id");
    let (status, again) = agent.get(&format!("/api/v1/conversations/{id}/context")).await;
    assert_eq!(status, 200);
    assert_eq!(again["reason"], "faq_transfer");
    let (_, conv) = agent.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(conv["source"], "bot_to_human");
    let kinds: Vec<Value> = events_of(&app, id).await;
    assert!(kinds.iter().any(|e| e["kind"] == "handed_off" && e["reason"] == "faq_transfer"), "{kinds:?}");
}

#[tokio::test]
async fn import_reports_bad_rows_keeps_good_ones_exports_and_rolls_back() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let v1 = put_kb(&owner, kb(json!({}))).await;
    let csv = "id,question,similar,answer,enabled\n\
               invoice,能开发票吗,怎么开发票|要发票,确认收货后申请开票,true\n\
               ,没有id的问题,,答案,true\n\
               shipping,什么时候发货,,今天下单明天发,true\n\
               bad-flag,问题,,答案,maybe\n";
    let res = owner
        .http
        .post(format!("{}/api/v1/kb/import?format=csv", owner.base))
        .header("cookie", &owner.cookie)
        .header("x-csrf-token", &owner.csrf)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("json");
    assert_eq!(report["added"], 1);
    assert_eq!(report["replaced"], 1);
    let lines: Vec<u64> = report["bad_rows"].as_array().expect("bad rows").iter().filter_map(|b| b["line"].as_u64()).collect();
    assert_eq!(lines, vec![3, 5]);
    let v2 = report["version"].as_i64().expect("version");
    assert_eq!(v2, v1 + 1);

    let (_, faqs) = owner.get("/api/v1/kb/faqs?q=发票").await;
    assert_eq!(faqs.as_array().map(Vec::len), Some(1));
    let export = owner.http.get(format!("{}/api/v1/kb/export?format=csv", owner.base)).header("cookie", &owner.cookie).send().await.expect("export");
    let text = export.text().await.expect("text");
    assert!(text.starts_with("id,language,question,similar,answer"), "{text}");
    assert!(text.contains("今天下单明天发"));

    // A bad document is refused whole, with paths; a stale base version is a conflict.
    let (status, body) = owner.post_put("/api/v1/kb", json!({"kb": {"faqs": [{"id": "x y", "question": "", "answer": "a"}]}})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"].to_string().contains("faqs[0].id"), "{body}");
    // The bot's own words pass the sensitive-word check when they are written, not per reply.
    let (status, body) = owner.post_put("/api/v1/kb", json!({"kb": {"faqs": [{"id": "wx", "question": "有优惠吗", "answer": "加微.信领券"}]}})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"].to_string().contains("faqs[0].answer"), "{body}");
    let (status, _) = owner.post_put("/api/v1/kb", json!({"kb": kb(json!({})), "base_version": v1})).await;
    assert_eq!(status, 409);

    // Roll back to version 1: the imported answer is gone again.
    let (status, body) = owner.post("/api/v1/kb/rollback", json!({"version": v1})).await;
    assert_eq!(status, 200, "{body}");
    let (_, history) = owner.get("/api/v1/kb/versions").await;
    assert_eq!(history[0]["note"], format!("rollback to {v1}"));
    assert_eq!(history.as_array().map(Vec::len), Some(3));
    let (_, now) = owner.get("/api/v1/kb").await;
    assert!(now["kb"]["faqs"].as_array().is_some_and(|f| f.iter().all(|f| f["id"] != "invoice")));
}

#[tokio::test]
async fn answers_keep_flowing_while_a_large_knowledge_base_retrains() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    put_kb(&owner, kb(json!({}))).await;
    let mut c = Customer::new(&app).await;
    assert_eq!(c.says("啥时候发货").await, vec!["付款后48小时内发货"]);

    // 5,000 more FAQs: training takes a while; the old brain answers meanwhile.
    let mut big = kb(json!({}));
    let faqs = big["faqs"].as_array_mut().expect("faqs");
    const BRANDS: [&str; 50] = ["华为", "小米", "苹果", "联想", "戴尔", "美的", "格力", "海尔", "索尼", "佳能", "尼康", "松下", "飞利浦", "博世", "西门子", "三星", "荣耀", "魅族", "一加", "真我",
        "安踏", "李宁", "耐克", "阿迪", "彪马", "优衣库", "无印良品", "宜家", "九阳", "苏泊尔", "小熊", "科沃斯", "石头", "追觅", "大疆", "罗技", "雷蛇", "漫步者", "倍思", "绿联",
        "公牛", "欧普", "雷士", "德尔玛", "戴森", "飞科", "奥克斯", "长虹", "创维", "海信"];
    const THINGS: [&str; 100] = ["手机", "平板", "笔记本", "台式机", "显示器", "键盘", "鼠标", "耳机", "音箱", "充电宝", "数据线", "充电器", "路由器", "摄像头", "手表", "手环", "相机", "镜头", "三脚架", "云台",
        "冰箱", "洗衣机", "空调", "电视", "微波炉", "烤箱", "电饭煲", "电压力锅", "豆浆机", "榨汁机", "破壁机", "咖啡机", "电水壶", "吸尘器", "扫地机", "拖地机", "加湿器", "除湿机", "空气净化器", "电风扇",
        "取暖器", "电热毯", "吹风机", "剃须刀", "电动牙刷", "冲牙器", "体重秤", "按摩仪", "台灯", "吸顶灯", "插座", "插排", "跑鞋", "篮球鞋", "运动服", "羽绒服", "冲锋衣", "背包", "行李箱", "保温杯",
        "炒锅", "汤锅", "刀具", "砧板", "收纳盒", "衣架", "床垫", "枕头", "被子", "四件套", "窗帘", "地毯", "沙发", "餐桌", "书桌", "椅子", "衣柜", "鞋柜", "书架", "婴儿车",
        "奶瓶", "尿不湿", "玩具车", "积木", "拼图", "画笔", "钢琴", "吉他", "鱼竿", "帐篷", "睡袋", "登山杖", "头盔", "自行车", "滑板", "跳绳", "瑜伽垫", "哑铃", "护膝", "泳镜"];
    for (i, (brand, thing)) in BRANDS.iter().flat_map(|b| THINGS.iter().map(move |t| (b, t))).enumerate() {
        faqs.push(json!({"id": format!("gen-{i}"), "question": format!("{brand}{thing}的保修期是多久"), "similar": [format!("{brand}{thing}保修多久"), format!("{brand}的{thing}坏了能保修吗")], "answer": format!("{brand}{thing}保修一年")}));
    }
    let (status, body) = owner.post_put("/api/v1/kb", json!({ "kb": big })).await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_i64().expect("version");
    let mut answered_while_training = 0;
    let mut answered = 0;
    for _ in 0..200 {
        let (_, t) = owner.get("/api/v1/kb/training").await;
        let training = t["state"] == "training";
        assert_eq!(c.says("啥时候发货").await, vec!["付款后48小时内发货"]);
        answered += 1;
        if training {
            answered_while_training += 1;
        }
        if t["serving_version"].as_i64() == Some(version) && !training {
            break;
        }
    }
    let (_, t) = owner.get("/api/v1/kb/training").await;
    assert_eq!(t["serving_version"].as_i64(), Some(version), "{t}");
    assert_eq!(t["faqs"].as_u64(), Some(5006));
    assert!(t["last_took_ms"].as_u64().is_some());
    eprintln!("answered {answered} questions, {answered_while_training} of them while training; training took {} ms", t["last_took_ms"]);
    assert!(answered_while_training >= 1, "no question was asked while training");
    assert_eq!(c.says("戴森吹风机保修多久").await, vec!["戴森吹风机保修一年"]);
}

#[tokio::test]
async fn missed_questions_are_counted_taught_and_answered_after_retraining() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let v = put_kb(&owner, kb(json!({}))).await;
    for text in ["发票抬头写错了能改吗", "发票抬头写错了能改吗？", "我想问下发票抬头写错了能改吗"] {
        let mut c = Customer::new(&app).await;
        c.says(text).await;
    }
    let (_, open) = owner.get("/api/v1/kb/questions").await;
    let list = open.as_array().expect("list");
    let top = &list[0];
    assert_eq!(top["count"], 2, "{open}");
    assert_eq!(top["text"], "发票抬头写错了能改吗");
    assert_eq!(top["kind"], "unknown");
    assert_eq!(list.len(), 2);

    // Teach it as a new FAQ; the bot retrains and answers the next customer.
    let key = top["key"].as_str().expect("key").to_string();
    // A new FAQ whose answer holds a blocked word is refused with its path.
    let (status, body) = owner.post(&format!("/api/v1/kb/questions/{key}/teach"), json!({"new_faq": {"id": "invoice-title", "question": "x", "answer": "开票请加微信"}})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"].to_string().contains("new_faq.answer"), "{body}");
    let (status, saved) = owner.post(&format!("/api/v1/kb/questions/{key}/teach"), json!({"new_faq": {"id": "invoice-title", "question": "x", "answer": "发票抬头可在开票后24小时内申请修改"}})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], v + 1);
    for _ in 0..200 {
        if owner.get("/api/v1/kb/training").await.1["serving_version"] == v + 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut c = Customer::new(&app).await;
    assert_eq!(c.says("发票抬头写错了能改吗").await, vec!["发票抬头可在开票后24小时内申请修改"]);
    let (status, _) = owner.post(&format!("/api/v1/kb/questions/{key}/teach"), json!({"faq_id": "returns"})).await;
    assert_eq!(status, 409, "already taught");

    // The other one is attached to an existing FAQ as a similar question, or dismissed.
    let other = owner.get("/api/v1/kb/questions").await.1[0]["key"].as_str().expect("key").to_string();
    let (status, _) = owner.post(&format!("/api/v1/kb/questions/{other}/dismiss"), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(owner.get("/api/v1/kb/questions").await.1.as_array().map(Vec::len), Some(0));
    assert_eq!(owner.get("/api/v1/kb/questions?status=dismissed").await.1.as_array().map(Vec::len), Some(1));
    let (_, history) = owner.get("/api/v1/kb/versions").await;
    assert_eq!(history[0]["note"], "learned: new faq invoice-title");
}

#[tokio::test]
async fn an_answer_experiment_assigns_customers_stably_and_reports_per_variant() {
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    let mut doc = kb(json!({}));
    doc["experiments"] = json!([{
        "id": "ship-wording", "target": "faq:shipping", "enabled": true, "split": [50, 50],
        "variants": [{"name": "A", "answer": "付款后48小时内发货"}, {"name": "B", "answer": "亲，今天下单明天就发哦"}]
    }]);
    put_kb(&owner, doc.clone()).await;
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..16 {
        let mut c = Customer::new(&app).await;
        let first = c.says("什么时候发货").await;
        // The same customer gets the same variant every time.
        assert_eq!(c.says("多久发货").await, first);
        *seen.entry(first[0].clone()).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 2, "both variants shown across 16 customers (all in one: p = 2^-15): {seen:?}");
    let (status, results) = owner.get("/api/v1/kb/experiments/ship-wording/results").await;
    assert_eq!(status, 200, "{results}");
    let variants = results["variants"].as_array().expect("variants");
    let total: u64 = variants.iter().filter_map(|v| v["conversations"].as_u64()).sum();
    assert_eq!(total, 16);
    assert_eq!(variants[0]["variant"], "A");
    assert_eq!(variants[1]["resolution_vs_control"]["verdict"], "not yet significant");
    assert_eq!(variants[1]["transfer_vs_control"]["verdict"], "not yet significant");
    // A bad experiment is refused with its path.
    doc["experiments"][0]["split"] = json!([50, 40]);
    let (status, body) = owner.post_put("/api/v1/kb", json!({"kb": doc})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"].to_string().contains("experiments[0].split"), "{body}");
    assert_eq!(owner.get("/api/v1/kb/experiments/nope/results").await.0, 404);
}

#[tokio::test]
async fn the_bot_answers_platform_dms_through_the_outbox() {
    use crate::channels::{channel, dm, post_event};
    let app = TestApp::spawn().await;
    let owner = app.login("owner@demo.kefu").await;
    put_kb(&owner, kb(json!({}))).await;
    let (url, seen) = crate::outbox::callback_server().await;
    let (ch, secret) = channel(&app, &url).await;
    seen.lock().expect("lock").secret = secret.clone();
    let (status, res) = post_event(&app, &ch, &secret, &dm("bot-dm-1", "dy-bot", "亲，啥时候发货")).await;
    assert_eq!(status, 200, "{res}");
    for _ in 0..500 {
        if !seen.lock().expect("lock").accepted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let s = seen.lock().expect("lock");
    assert_eq!(s.accepted.len(), 1, "one reply, the bot's");
    assert_eq!(s.accepted[0]["message"]["content"], "付款后48小时内发货");
    assert_eq!(s.accepted[0]["message"]["sender_kind"], "bot");
    assert_eq!(s.accepted[0]["recipient"]["user_id"], "dy-bot");
}
