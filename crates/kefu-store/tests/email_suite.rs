//! Email records, attachments and outbox pruning against SQLite always and PostgreSQL when
//! `KEFU_TEST_PG_URL` is set.

use kefu_core::channels::email::{thread, Attachment, EmailHeader, EmailRecord};
use kefu_core::ids::*;
use kefu_core::outbox::{Delivery, DeliveryState, Target};
use kefu_core::store::{Change, Store};
use kefu_store::SqlStore;
use sqlx::{Connection, Row};

#[macro_use]
#[allow(dead_code)]
mod common;
use common::*;

suite!(emails_thread_and_attachments_are_sealed, delivered_rows_are_pruned_by_age);

async fn emails_thread_and_attachments_are_sealed(store: &SqlStore, db: &Db) {
    let (s, cu, c) = seeded(store).await;
    let m = message(&c, 1, "正文");
    apply(store, vec![Change::InsertMessage { message: m.clone(), dedupe_key: None }]).await.unwrap();
    let rec = |mid: &str, at| EmailRecord {
        id: thread::record_id(s.id, mid),
        shop_id: s.id,
        conversation_id: c.id,
        customer_id: cu.id,
        message_id: Some(m.id),
        channel_id: ChannelId::new(),
        inbound: true,
        header: EmailHeader { message_id: mid.into(), subject: "subject-secret-text 订单".into(), references: vec!["root@x".into()] },
        created_at: at,
    };
    let (r1, r2) = (rec("m1@mail.example", 5), rec("m2@mail.example", 6));
    apply(store, vec![Change::PutEmailRecord(r1.clone()), Change::PutEmailRecord(r2.clone())]).await.unwrap();
    // Recording again (a redelivery) keeps the first record and fails nothing.
    apply(store, vec![Change::PutEmailRecord(EmailRecord { created_at: 99, ..r1.clone() })]).await.unwrap();
    let found = store.email_records(s.id, &[r1.id.clone(), r2.id.clone(), "unknown".into()]).await.unwrap();
    assert_eq!(found, vec![r2.clone(), r1.clone()], "newest first");
    assert!(store.email_records(shop("x").id, std::slice::from_ref(&r1.id)).await.unwrap().is_empty(), "scoped by shop");
    assert!(store.email_records(s.id, &[]).await.unwrap().is_empty());
    assert_eq!(store.emails_of_conversation(s.id, c.id, 1).await.unwrap(), vec![r2]);

    let a = Attachment {
        id: AttachmentId::of(s.id, m.id, 0),
        shop_id: s.id,
        message_id: m.id,
        position: 0,
        filename: "name-secret-text.pdf".into(),
        content_type: "application/pdf".into(),
        size: 4,
        data: b"\x00\xffPD".to_vec(),
        created_at: 7,
    };
    apply(store, vec![Change::PutAttachment(a.clone()), Change::PutAttachment(a.clone())]).await.unwrap();
    let listed = store.attachments_of(s.id, m.id).await.unwrap();
    assert_eq!(listed, vec![Attachment { data: Vec::new(), ..a.clone() }], "listing leaves the bytes out");
    assert_eq!(store.attachment(s.id, a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.attachment(shop("y").id, a.id).await.unwrap(), None);

    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    for (table, col) in [("email_message", "header"), ("email_attachment", "name")] {
        for r in sqlx::query(&format!("SELECT {col} FROM {table}")).fetch_all(&mut conn).await.unwrap() {
            let raw: Vec<u8> = r.get(0);
            assert!(!String::from_utf8_lossy(&raw).contains("secret-text"), "{table}.{col} is plain");
        }
    }
}

async fn delivered_rows_are_pruned_by_age(store: &SqlStore, _: &Db) {
    let (s, _, _) = seeded(store).await;
    let d = |state: DeliveryState, at: i64| Delivery {
        id: DeliveryId::new(), shop_id: s.id, target: Target::Reply, order_key: format!("k{at}"), event: "reply".into(),
        payload: "{}".into(), state, attempts: 1, next_attempt_at: at, last_error: None, created_at: at, updated_at: at,
    };
    let rows = [d(DeliveryState::Delivered, 100), d(DeliveryState::Delivered, 300), d(DeliveryState::Pending, 100), d(DeliveryState::Dead, 100)];
    apply(store, rows.iter().cloned().map(Change::EnqueueDelivery).collect()).await.unwrap();
    apply(store, vec![Change::PruneDelivered { before: 200 }]).await.unwrap();
    let left = |st| async move { store.deliveries(s.id, st, 100).await.unwrap().into_iter().map(|x| x.id).collect::<Vec<_>>() };
    assert_eq!(left(DeliveryState::Delivered).await, vec![rows[1].id], "only old delivered rows go");
    assert_eq!(left(DeliveryState::Pending).await, vec![rows[2].id]);
    assert_eq!(left(DeliveryState::Dead).await, vec![rows[3].id]);
}
