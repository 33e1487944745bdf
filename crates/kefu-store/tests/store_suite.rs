//! One store suite, run against SQLite always and PostgreSQL when `KEFU_TEST_PG_URL` is set
//! (each test gets a fresh database there).

use kefu_core::access::{ApiToken, Scope, Session};
use kefu_core::conversation::Status;
use kefu_core::customer::{Channel, Identity};
use kefu_core::event::{Event, EventKind};
use kefu_core::ids::*;
use kefu_core::shop::Role;
use kefu_core::store::{Change, ChangeSet, ConversationFilter, Store, StoreError};
use kefu_store::SqlStore;
use sqlx::{Connection, Row};

#[macro_use]
mod common;
use common::*;

suite!(
    migrations_are_idempotent,
    shops_users_and_customers_are_scoped,
    conversations_round_trip_and_filter,
    messages_are_sealed_ordered_and_deduplicated,
    a_failing_change_set_does_not_spoil_its_batch,
    concurrent_writes_share_commits,
    events_keep_commit_order,
    sessions_and_tokens,
    tickets_workflows_departments_and_calendars,
    orders_and_products_upsert_and_stay_in_their_shop,
    outbox_hands_out_one_delivery_per_key_in_commit_order,
    quick_phrases_and_internal_notes,
    knowledge_base_versions_bot_state_and_missed_questions,
);

async fn migrations_are_idempotent(store: &SqlStore, db: &Db) {
    let (s, _, _) = seeded(store).await;
    let again = db.open().await;
    assert_eq!(again.shop(s.id).await.unwrap().map(|x| x.name), Some("店".into()));
    again.close().await;
}

async fn shops_users_and_customers_are_scoped(store: &SqlStore, _: &Db) {
    let (a, b) = (shop("A"), shop("B"));
    let ua = user(a.id, &format!("a{}@x.cn", a.id), Role::Agent);
    let cu = customer(a.id);
    let ident = Identity { shop_id: a.id, channel: Channel::Widget, external_id: "v1".into(), customer_id: cu.id, created_at: 5 };
    apply(
        store,
        vec![
            Change::InsertShop(a.clone()),
            Change::InsertShop(b.clone()),
            Change::InsertUser(ua.clone()),
            Change::InsertCustomer(cu.clone()),
            Change::InsertIdentity(ident.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(store.shop_by_widget_key(&a.widget_key).await.unwrap().map(|s| s.id), Some(a.id));
    assert_eq!(store.user(a.id, ua.user.id).await.unwrap().map(|u| u.role), Some(Role::Agent));
    assert!(store.user(b.id, ua.user.id).await.unwrap().is_none(), "user visible from another shop");
    assert_eq!(store.user_by_email(&ua.user.email).await.unwrap().map(|c| c.password_hash), Some(ua.password_hash.clone()));
    assert!(store.customer(b.id, cu.id).await.unwrap().is_none(), "customer visible from another shop");
    assert_eq!(store.identity(a.id, Channel::Widget, "v1").await.unwrap(), Some(ident.clone()));
    assert!(store.identity(b.id, Channel::Widget, "v1").await.unwrap().is_none());
    assert_eq!(store.identities_of(a.id, cu.id).await.unwrap(), vec![ident]);
    assert_eq!(store.users(a.id).await.unwrap().len(), 1);
    assert!(store.users(b.id).await.unwrap().is_empty());
    let dup = apply(store, vec![Change::InsertUser(user(b.id, &ua.user.email, Role::Agent))]).await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "emails are unique: {dup:?}");
}

async fn conversations_round_trip_and_filter(store: &SqlStore, _: &Db) {
    let (s, cu, mut c) = seeded(store).await;
    let other = shop("other");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert_eq!(store.conversation(s.id, c.id).await.unwrap(), Some(c.clone()));
    assert!(store.conversation(other.id, c.id).await.unwrap().is_none());

    let m = message(&c, 1, "你好，在吗？");
    c.last_message_id = Some(m.id);
    c.last_message_at = Some(m.created_at);
    c.status = Status::Assigned;
    let agent = UserId::new();
    c.agent_id = Some(agent);
    c.updated_at = 20;
    apply(store, vec![Change::InsertMessage { message: m.clone(), dedupe_key: None }, Change::PutConversation(c.clone())]).await.unwrap();
    let got = store.conversation(s.id, c.id).await.unwrap().expect("conversation");
    assert_eq!(got.status, Status::Assigned);
    assert_eq!(got.agent_id, Some(agent));
    assert_eq!(got.last_message_preview.as_deref(), Some("你好，在吗？"));
    assert_eq!(store.open_conversation_of(s.id, cu.id).await.unwrap().map(|x| x.id), Some(c.id));

    let f = |statuses: Vec<Status>, agent_id| ConversationFilter { statuses, agent_id, limit: 10 };
    assert_eq!(store.conversations(s.id, &f(vec![Status::Assigned], Some(agent))).await.unwrap().len(), 1);
    assert_eq!(store.conversations(s.id, &f(vec![Status::Queued, Status::Bot], None)).await.unwrap().len(), 0);
    assert_eq!(store.conversations(s.id, &f(vec![], None)).await.unwrap().len(), 1);
    assert_eq!(store.conversations(other.id, &f(vec![], None)).await.unwrap().len(), 0);
    assert!(store.active_conversations().await.unwrap().iter().any(|x| x.id == c.id));

    c.status = Status::Closed;
    apply(store, vec![Change::PutConversation(c.clone())]).await.unwrap();
    assert!(store.open_conversation_of(s.id, cu.id).await.unwrap().is_none());
    assert!(!store.active_conversations().await.unwrap().iter().any(|x| x.id == c.id));
}

async fn messages_are_sealed_ordered_and_deduplicated(store: &SqlStore, db: &Db) {
    let (s, cu, c) = seeded(store).await;
    for seq in 1..=5 {
        let m = message(&c, seq, &format!("第{seq}条 secret-text"));
        apply(store, vec![Change::InsertMessage { message: m, dedupe_key: Some(format!("c:{}:{seq}", cu.id)) }]).await.unwrap();
    }
    let all = store.messages_of_conversation(s.id, c.id, 0, 100).await.unwrap();
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(all[2].content, "第3条 secret-text");
    assert_eq!(store.messages_of_conversation(s.id, c.id, 3, 100).await.unwrap().len(), 2);
    let last2 = store.messages_of_customer(s.id, cu.id, None, 2).await.unwrap();
    assert_eq!(last2.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![4, 5]);
    let after = store.messages_of_customer(s.id, cu.id, Some(1), 2).await.unwrap();
    assert_eq!(after.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![2, 3]);
    let other = shop("o");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert!(store.messages_of_conversation(other.id, c.id, 0, 100).await.unwrap().is_empty());

    let key = format!("c:{}:3", cu.id);
    assert_eq!(store.message_by_dedupe(s.id, &key).await.unwrap().map(|m| m.seq), Some(3));
    let again = apply(store, vec![Change::InsertMessage { message: message(&c, 6, "resend"), dedupe_key: Some(key) }]).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    assert_eq!(store.messages_of_conversation(s.id, c.id, 0, 100).await.unwrap().len(), 5);

    // The content column holds only what the sealer produced.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let rows = sqlx::query("SELECT content_key_id, content FROM message").fetch_all(&mut conn).await.unwrap();
    for r in rows {
        assert_eq!(r.get::<String, _>(0), "rev");
        let raw: Vec<u8> = r.get(1);
        assert!(!String::from_utf8_lossy(&raw).contains("secret-text"));
    }
}

async fn a_failing_change_set_does_not_spoil_its_batch(store: &SqlStore, _: &Db) {
    let (s, cu, c) = seeded(store).await;
    let key = format!("c:{}:dup", cu.id);
    apply(store, vec![Change::InsertMessage { message: message(&c, 1, "one"), dedupe_key: Some(key.clone()) }]).await.unwrap();
    // Many sets at once so they share commits; every third one collides and must fail alone,
    // taking its own earlier changes (the seq bump) with it.
    let mut tasks = Vec::new();
    for i in 0..60i64 {
        let st = store.clone();
        let c = c.clone();
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let seq = 100 + i;
            let dedupe = if i % 3 == 0 { Some(key) } else { Some(format!("k{i}")) };
            st.apply(ChangeSet {
                changes: vec![
                    Change::SetCustomerLastSeq { shop_id: c.shop_id, customer_id: c.customer_id, last_seq: seq },
                    Change::InsertMessage { message: message(&c, seq, "x"), dedupe_key: dedupe },
                ],
                events: vec![],
            })
            .await
        }));
    }
    let mut failed = 0;
    for t in tasks {
        if t.await.unwrap().is_err() {
            failed += 1;
        }
    }
    assert_eq!(failed, 20);
    assert_eq!(store.messages_of_conversation(s.id, c.id, 0, 1000).await.unwrap().len(), 41);
    let last = store.customer(s.id, cu.id).await.unwrap().unwrap().last_seq;
    // The surviving value was written by a set that committed, never by a rolled-back one.
    assert_ne!((last - 100) % 3, 0, "a rolled-back seq bump survived: {last}");
}

async fn concurrent_writes_share_commits(store: &SqlStore, _: &Db) {
    let (s, _, c) = seeded(store).await;
    let before = store.writer_stats().commits.load(std::sync::atomic::Ordering::Relaxed);
    let mut tasks = Vec::new();
    for seq in 1..=300 {
        let st = store.clone();
        let m = message(&c, seq, "批量");
        tasks.push(tokio::spawn(async move { st.apply(ChangeSet { changes: vec![Change::InsertMessage { message: m, dedupe_key: None }], events: vec![] }).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let commits = store.writer_stats().commits.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(store.messages_of_conversation(s.id, c.id, 0, 1000).await.unwrap().len(), 300);
    assert!(commits < 300, "300 concurrent writes took {commits} commits: no grouping");
}

async fn events_keep_commit_order(store: &SqlStore, _: &Db) {
    let (s, cu, c) = seeded(store).await;
    let kinds = [EventKind::ConversationQueued, EventKind::ConversationResolved { by: None }, EventKind::ConversationReopened];
    for k in kinds.iter().cloned() {
        store.apply(ChangeSet { changes: vec![], events: vec![Event::conversation(s.id, c.id, cu.id, 9, k)] }).await.unwrap();
    }
    let got = store.events(s.id, 0, 10).await.unwrap();
    assert_eq!(got.iter().map(|(_, e)| e.kind.clone()).collect::<Vec<_>>(), kinds.to_vec());
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(store.events(s.id, got[0].0, 10).await.unwrap().len(), 2);
    let other = shop("o");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert!(store.events(other.id, 0, 10).await.unwrap().is_empty());
}

async fn sessions_and_tokens(store: &SqlStore, _: &Db) {
    let s = shop("S");
    let u = user(s.id, &format!("o{}@x.cn", s.id), Role::Owner);
    apply(store, vec![Change::InsertShop(s.clone()), Change::InsertUser(u.clone())]).await.unwrap();
    let sess = Session { id: CredentialId::new(), shop_id: s.id, user_id: u.user.id, secret_hash: "h1".into(), created_at: 1, expires_at: 99 };
    apply(store, vec![Change::InsertSession(sess)]).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap().map(|x| x.expires_at), Some(99));
    apply(store, vec![Change::DeleteSession { secret_hash: "h1".into() }]).await.unwrap();
    assert!(store.session("h1").await.unwrap().is_none());

    let t = ApiToken {
        id: CredentialId::new(),
        shop_id: s.id,
        user_id: u.user.id,
        name: "erp".into(),
        scopes: vec![Scope::InboundWrite, Scope::ConversationsRead],
        secret_hash: "t1".into(),
        created_at: 1,
        revoked_at: None,
    };
    apply(store, vec![Change::InsertApiToken(t.clone())]).await.unwrap();
    let got = store.api_token("t1").await.unwrap().expect("token");
    assert_eq!(got.scopes, t.scopes);
    apply(store, vec![Change::RevokeApiToken { shop_id: s.id, id: t.id, at: 5 }]).await.unwrap();
    assert_eq!(store.api_token("t1").await.unwrap().and_then(|t| t.revoked_at), Some(5));
    assert_eq!(store.api_tokens(s.id).await.unwrap().len(), 1);
}

async fn tickets_workflows_departments_and_calendars(store: &SqlStore, db: &Db) {
    use kefu_core::tickets::moves::{self, NewTicket};
    use kefu_core::tickets::sla::Calendar;
    use kefu_core::tickets::{defaults, Priority, TicketFilter};
    let (s, cu, _) = seeded(store).await;
    let wf = defaults::workflows().remove(0);
    let cal = Calendar::default();
    let mut tickets = Vec::new();
    for n in 1..=3 {
        let new = NewTicket {
            shop_id: s.id,
            number: n,
            title: format!("投诉 {n}"),
            description: "secret-text 客户手机号".into(),
            customer_id: Some(cu.id),
            conversation_ids: vec![],
            priority: Priority::Normal,
            tags: vec![],
            by: UserId::new(),
        };
        tickets.push(moves::create(new, &wf, &cal, 100 + n).unwrap());
    }
    tickets[2].closed_at = Some(500);
    tickets[2].state = "closed".into();
    apply(store, tickets.iter().cloned().map(Change::PutTicket).collect()).await.unwrap();
    assert_eq!(store.ticket(s.id, tickets[0].id).await.unwrap().as_ref(), Some(&tickets[0]));
    let other = shop("o");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert!(store.ticket(other.id, tickets[0].id).await.unwrap().is_none());
    let open = TicketFilter { open_only: true, ..Default::default() };
    assert_eq!(store.tickets(s.id, &open).await.unwrap().len(), 2);
    let by_state = TicketFilter { state: Some("closed".into()), ..Default::default() };
    assert_eq!(store.tickets(s.id, &by_state).await.unwrap()[0].number, 3);
    let by_customer = TicketFilter { customer_id: Some(cu.id), ..Default::default() };
    assert_eq!(store.tickets(s.id, &by_customer).await.unwrap().len(), 3);
    assert_eq!(store.max_ticket_number(s.id).await.unwrap(), 3);
    assert_eq!(store.max_ticket_number(other.id).await.unwrap(), 0);
    assert!(store.open_tickets().await.unwrap().iter().all(|t| t.closed_at.is_none()));
    let dup = apply(store, vec![Change::PutTicket(kefu_core::tickets::Ticket { id: TicketId::new(), ..tickets[0].clone() })]).await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "ticket numbers are unique per shop");

    apply(store, vec![Change::PutWorkflow { shop_id: s.id, workflow: wf.clone(), at: 1 }]).await.unwrap();
    apply(store, vec![Change::PutWorkflow { shop_id: s.id, workflow: wf.clone(), at: 2 }]).await.unwrap();
    assert_eq!(store.workflows(s.id).await.unwrap(), vec![wf]);
    let deps = defaults::departments(s.id);
    apply(store, deps.iter().cloned().map(Change::PutDepartment).collect()).await.unwrap();
    assert_eq!(store.departments(s.id).await.unwrap().len(), 5);
    assert!(store.calendar(s.id).await.unwrap().is_none());
    apply(store, vec![Change::PutCalendar { shop_id: s.id, calendar: cal.clone() }]).await.unwrap();
    assert_eq!(store.calendar(s.id).await.unwrap(), Some(cal));

    // The ticket document is sealed like message content.
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    for r in sqlx::query("SELECT doc FROM ticket").fetch_all(&mut conn).await.unwrap() {
        let raw: Vec<u8> = r.get(0);
        assert!(!String::from_utf8_lossy(&raw).contains("secret-text"));
    }
}

async fn orders_and_products_upsert_and_stay_in_their_shop(store: &SqlStore, _: &Db) {
    use kefu_core::orders::{Order, OrderItem, OrderStatus, Product, VariantStock};
    let (s, cu, _) = seeded(store).await;
    let other = shop("other");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    let order = |ext: &str, created_at: i64, status: OrderStatus| Order {
        id: OrderId::for_external(s.id, ext),
        shop_id: s.id,
        customer_id: cu.id,
        external_id: ext.into(),
        status,
        amount_cents: 9_900,
        currency: "CNY".into(),
        items: vec![OrderItem { sku: "TS-M".into(), name: "T恤".into(), qty: 1, price_cents: 9_900 }],
        logistics_company: None,
        tracking_number: None,
        created_at,
        paid_at: Some(created_at + 1),
        updated_at: created_at + 1,
    };
    apply(store, vec![Change::PutOrder(order("DY-1", 100, OrderStatus::Paid)), Change::PutOrder(order("DY-2", 200, OrderStatus::Created))]).await.unwrap();
    let mut shipped = order("DY-1", 100, OrderStatus::Shipped);
    shipped.tracking_number = Some("SF1234567890".into());
    shipped.logistics_company = Some("顺丰速运".into());
    apply(store, vec![Change::PutOrder(shipped.clone())]).await.unwrap();

    let mine = store.orders_of_customer(s.id, cu.id, 10).await.unwrap();
    assert_eq!(mine.iter().map(|o| o.external_id.as_str()).collect::<Vec<_>>(), vec!["DY-2", "DY-1"], "newest first, upsert kept one row");
    assert_eq!(mine[1], shipped);
    assert_eq!(store.orders_of_customer(s.id, cu.id, 1).await.unwrap().len(), 1);
    assert!(store.orders_of_customer(other.id, cu.id, 10).await.unwrap().is_empty());
    assert_eq!(store.order_by_external(s.id, "DY-1").await.unwrap(), Some(shipped));
    assert!(store.order_by_external(other.id, "DY-1").await.unwrap().is_none());

    let product = Product {
        id: ProductId::for_sku(s.id, "TS"),
        shop_id: s.id,
        sku: "TS".into(),
        name: "纯棉T恤".into(),
        price_cents: 9_900,
        stock: vec![VariantStock { attributes: [("size".to_string(), "M".to_string()), ("colour".to_string(), "红".to_string())].into(), qty: 12 }],
        images: vec!["https://img.example/ts.jpg".into()],
        attributes: [("material".to_string(), "纯棉".to_string())].into(),
        updated_at: 5,
    };
    apply(store, vec![Change::PutProduct(product.clone())]).await.unwrap();
    let renamed = Product { name: "纯棉短袖T恤".into(), updated_at: 6, ..product };
    apply(store, vec![Change::PutProduct(renamed.clone())]).await.unwrap();
    assert_eq!(store.product_by_sku(s.id, "TS").await.unwrap(), Some(renamed));
    assert!(store.product_by_sku(other.id, "TS").await.unwrap().is_none());
    assert!(store.product_by_sku(s.id, "nope").await.unwrap().is_none());
}

async fn outbox_hands_out_one_delivery_per_key_in_commit_order(store: &SqlStore, db: &Db) {
    use kefu_core::channels::{ChannelInstance, Route};
    use kefu_core::outbox::{Delivery, DeliveryState, Target, WebhookSubscription};
    let (s, cu, _) = seeded(store).await;
    let ch = ChannelInstance { id: ChannelId::new(), shop_id: s.id, name: "抖音".into(), platform: "douyin".into(), callback_url: "https://cb.example/x".into(), secret: "channel-secret-text".into(), created_at: 1, disabled_at: None };
    let hook = WebhookSubscription { id: WebhookId::new(), shop_id: s.id, url: "https://hook.example/".into(), events: vec!["ticket.*".into()], secret: "hook-secret-text".into(), created_at: 1, deleted_at: None };
    let route = |ext: &str, at| Route { shop_id: s.id, customer_id: cu.id, channel_id: ch.id, external_id: ext.into(), updated_at: at };
    apply(store, vec![Change::PutChannel(ch.clone()), Change::PutWebhook(hook.clone()), Change::PutRoute(route("u1", 1)), Change::PutRoute(route("u2", 2))]).await.unwrap();
    assert_eq!(store.channel_by_id(ch.id).await.unwrap(), Some(ch.clone()));
    assert_eq!(store.channels(s.id).await.unwrap(), vec![ch.clone()]);
    assert_eq!(store.route_of(s.id, cu.id).await.unwrap(), Some(route("u2", 2)));
    assert_eq!(store.webhooks(Some(s.id)).await.unwrap(), vec![hook.clone()]);
    apply(store, vec![Change::PutWebhook(WebhookSubscription { deleted_at: Some(3), ..hook.clone() })]).await.unwrap();
    assert!(store.webhooks(None).await.unwrap().iter().all(|w| w.id != hook.id), "deleted subscriptions are not live");

    let d = |key: &str, n: i64| Delivery {
        id: DeliveryId::new(), shop_id: s.id, target: Target::Reply, order_key: key.into(), event: "reply".into(),
        payload: format!("{{\"n\":{n},\"text\":\"payload-secret-text\"}}"), state: DeliveryState::Pending, attempts: 0,
        next_attempt_at: 10, last_error: None, created_at: n, updated_at: n,
    };
    let (a1, a2, b1) = (d("conv-a", 1), d("conv-a", 2), d("conv-b", 3));
    for x in [&a1, &a2, &b1] {
        apply(store, vec![Change::EnqueueDelivery(x.clone())]).await.unwrap();
    }
    let heads = |v: Vec<Delivery>| v.into_iter().map(|x| x.id).collect::<Vec<_>>();
    assert!(store.due_deliveries(9, 10).await.unwrap().is_empty(), "nothing is due before its time");
    assert_eq!(heads(store.due_deliveries(10, 10).await.unwrap()), vec![a1.id, b1.id], "one head per key, oldest first");
    assert_eq!(store.due_deliveries(10, 10).await.unwrap()[0], a1);
    // a1 retries later: a2 still waits behind it.
    let set = |id, state, attempts, next| Change::SetDeliveryState { shop_id: s.id, id, state, attempts, next_attempt_at: next, last_error: Some("HTTP 500".into()), at: 11 };
    apply(store, vec![set(a1.id, DeliveryState::Pending, 1, 50)]).await.unwrap();
    assert_eq!(heads(store.due_deliveries(20, 10).await.unwrap()), vec![b1.id]);
    assert_eq!(store.next_delivery_at().await.unwrap(), Some(10));
    apply(store, vec![set(b1.id, DeliveryState::Delivered, 1, 20)]).await.unwrap();
    assert_eq!(store.next_delivery_at().await.unwrap(), Some(50), "a2 waits behind a1, so a1's retry is next");
    apply(store, vec![set(a1.id, DeliveryState::Dead, 2, 50)]).await.unwrap();
    assert_eq!(heads(store.due_deliveries(20, 10).await.unwrap()), vec![a2.id], "a dead head lets the next one go");
    let dead = store.deliveries(s.id, DeliveryState::Dead, 10).await.unwrap();
    assert_eq!((dead.len(), dead[0].attempts, dead[0].last_error.as_deref()), (1, 2, Some("HTTP 500")));
    assert_eq!(store.delivery(s.id, b1.id).await.unwrap().map(|x| x.state), Some(DeliveryState::Delivered));
    let other = shop("other");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert!(store.delivery(other.id, b1.id).await.unwrap().is_none());

    // Secrets and payloads are sealed at rest.
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    for (table, col) in [("channel_instance", "secret"), ("webhook_subscription", "secret"), ("outbox", "payload")] {
        for r in sqlx::query(&format!("SELECT {col} FROM {table}")).fetch_all(&mut conn).await.unwrap() {
            let raw: Vec<u8> = r.get(0);
            assert!(!String::from_utf8_lossy(&raw).contains("secret-text"), "{table}.{col} is plain");
        }
    }
}

async fn quick_phrases_and_internal_notes(store: &SqlStore, _: &Db) {
    use kefu_core::message::{Direction, SenderKind};
    use kefu_core::quick_phrase::QuickPhrase;
    let (s, cu, c) = seeded(store).await;
    let (u1, u2) = (user(s.id, &format!("q1{}@x.cn", s.id), Role::Agent), user(s.id, &format!("q2{}@x.cn", s.id), Role::Agent));
    let phrase = |owner: Option<UserId>, title: &str, text: &str| QuickPhrase {
        id: QuickPhraseId::new(),
        shop_id: s.id,
        owner_user_id: owner,
        title: title.into(),
        text: text.into(),
        created_at: 1,
        updated_at: 1,
    };
    let wide = phrase(None, "问候", "亲，您好，很高兴为您服务");
    let mine = phrase(Some(u1.user.id), "催发货", "亲，已为您催促发货 100%_done");
    let theirs = phrase(Some(u2.user.id), "感谢", "感谢您的耐心等待");
    apply(
        store,
        vec![
            Change::InsertUser(u1.clone()),
            Change::InsertUser(u2.clone()),
            Change::PutQuickPhrase(wide.clone()),
            Change::PutQuickPhrase(mine.clone()),
            Change::PutQuickPhrase(theirs.clone()),
        ],
    )
    .await
    .unwrap();
    // Shop-wide plus my own, mine first; never a colleague's personal phrase.
    let listed = store.quick_phrases(s.id, u1.user.id, None).await.unwrap();
    assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![mine.id, wide.id]);
    assert_eq!(listed[0], mine);
    let found = store.quick_phrases(s.id, u1.user.id, Some("催促")).await.unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![mine.id], "search in text");
    assert_eq!(store.quick_phrases(s.id, u1.user.id, Some("问候")).await.unwrap().len(), 1, "search in title");
    assert_eq!(store.quick_phrases(s.id, u1.user.id, Some("100%_")).await.unwrap().len(), 1, "wildcards are literal");
    assert!(store.quick_phrases(s.id, u1.user.id, Some("0%d")).await.unwrap().is_empty(), "% matches only itself");
    assert!(store.quick_phrases(s.id, u1.user.id, Some("感谢")).await.unwrap().is_empty(), "a colleague's phrase");

    let edited = QuickPhrase { title: "问候语".into(), text: "亲，在的".into(), updated_at: 9, ..wide.clone() };
    apply(store, vec![Change::PutQuickPhrase(edited.clone())]).await.unwrap();
    assert_eq!(store.quick_phrase(s.id, wide.id).await.unwrap(), Some(edited));
    let other = shop("o");
    apply(store, vec![Change::InsertShop(other.clone())]).await.unwrap();
    assert!(store.quick_phrase(other.id, wide.id).await.unwrap().is_none());
    assert!(store.quick_phrases(other.id, u1.user.id, None).await.unwrap().is_empty());
    apply(store, vec![Change::DeleteQuickPhrase { shop_id: other.id, id: wide.id }]).await.unwrap();
    assert!(store.quick_phrase(s.id, wide.id).await.unwrap().is_some(), "deleting is scoped by shop");
    apply(store, vec![Change::DeleteQuickPhrase { shop_id: s.id, id: wide.id }]).await.unwrap();
    assert!(store.quick_phrase(s.id, wide.id).await.unwrap().is_none());

    // An internal note sits in the agents' dialogue but never in the customer's.
    let asked = message(&c, 1, "在吗");
    let mut note = message(&c, 2, "内部备注：老客户");
    note.direction = Direction::Internal;
    note.sender_kind = SenderKind::Note;
    note.sender_id = Some(u1.user.id);
    apply(store, vec![Change::InsertMessage { message: asked.clone(), dedupe_key: None }, Change::InsertMessage { message: note.clone(), dedupe_key: None }])
        .await
        .unwrap();
    let agents_see = store.messages_of_conversation(s.id, c.id, 0, 10).await.unwrap();
    assert_eq!(agents_see, vec![asked.clone(), note.clone()]);
    assert_eq!(store.messages_of_customer(s.id, cu.id, None, 10).await.unwrap(), vec![asked.clone()]);
    assert!(store.messages_of_customer(s.id, cu.id, Some(1), 10).await.unwrap().is_empty());
    // The note answers nothing: the customer still waits from their message on.
    assert_eq!(store.awaiting_reply(s.id).await.unwrap(), vec![(c.id, asked.created_at)]);
    let mut reply = message(&c, 3, "在的");
    reply.direction = Direction::Out;
    reply.sender_kind = SenderKind::Agent;
    apply(store, vec![Change::InsertMessage { message: reply, dedupe_key: None }]).await.unwrap();
    assert!(store.awaiting_reply(s.id).await.unwrap().is_empty());
    let again = message(&c, 4, "还有个问题");
    apply(store, vec![Change::InsertMessage { message: again.clone(), dedupe_key: None }, Change::InsertMessage { message: message(&c, 5, "？"), dedupe_key: None }])
        .await
        .unwrap();
    assert_eq!(store.awaiting_reply(s.id).await.unwrap(), vec![(c.id, again.created_at)], "from the first unanswered message");
}

async fn knowledge_base_versions_bot_state_and_missed_questions(store: &SqlStore, _: &Db) {
    use kefu_core::bot::{learning, KbVersion};
    let (s, _, c) = seeded(store).await;
    let version = |v: i64, doc: &str| KbVersion { shop_id: s.id, version: v, doc: doc.into(), author: None, note: format!("v{v}"), created_at: v };
    apply(store, vec![Change::PutKbVersion(version(1, "{}")), Change::PutKbVersion(version(2, r#"{"faqs":[]}"#))]).await.unwrap();
    assert_eq!(store.kb_latest(s.id).await.unwrap().map(|v| (v.version, v.doc)), Some((2, r#"{"faqs":[]}"#.to_string())));
    assert_eq!(store.kb_version(s.id, 1).await.unwrap().map(|v| v.note), Some("v1".into()));
    let history = store.kb_history(s.id, 10).await.unwrap();
    assert_eq!(history.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    assert!(history[0].doc.is_empty(), "the history leaves documents out");
    // Versions are append-only: saving version 2 again fails.
    assert!(apply(store, vec![Change::PutKbVersion(version(2, "{}"))]).await.is_err());

    for doc in [r#"{"unknown_streak":1}"#, r#"{"unknown_streak":2}"#] {
        apply(store, vec![Change::PutBotState { shop_id: s.id, conversation_id: c.id, doc: doc.into(), at: 5 }]).await.unwrap();
    }
    assert_eq!(store.bot_state(s.id, c.id).await.unwrap().as_deref(), Some(r#"{"unknown_streak":2}"#));

    let q = |text: &str, at: i64| Change::NoteBotQuestion(learning::noted(s.id, text, "unknown", c.id, at));
    apply(store, vec![q("发票抬头能改吗", 10), q("发票抬头能改吗？", 20), q("能开发票吗", 30)]).await.unwrap();
    let open = store.bot_questions(s.id, "open", 10).await.unwrap();
    assert_eq!(open.iter().map(|q| (q.text.as_str(), q.count)).collect::<Vec<_>>(), vec![("发票抬头能改吗", 2), ("能开发票吗", 1)]);
    assert_eq!((open[0].first_at, open[0].last_at), (10, 20));
    let key = open[0].key.clone();
    apply(store, vec![Change::SetBotQuestionStatus { shop_id: s.id, key: key.clone(), status: "dismissed".into() }, q("发票抬头能改吗", 40)]).await.unwrap();
    let dismissed = store.bot_question(s.id, &key).await.unwrap().expect("question");
    assert_eq!((dismissed.status.as_str(), dismissed.count), ("dismissed", 3), "still counted, still dismissed");
    assert_eq!(store.bot_questions(s.id, "open", 10).await.unwrap().len(), 1);
}
