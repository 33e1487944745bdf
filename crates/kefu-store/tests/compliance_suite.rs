//! Encryption at rest, key rotation and the audit chain, on SQLite always and PostgreSQL when
//! `KEFU_TEST_PG_URL` is set: the sealed bytes on disk, re-sealing, and a direct SQL edit of
//! the audit table being found.

use kefu_core::audit::{AuditEntry, ChainVerifier};
use kefu_core::channels::Route;
use kefu_core::customer::{Channel, Identity};
use kefu_core::ids::*;
use kefu_core::store::{Change, Store};
use kefu_store::keys::{CipherKind, KeyFile, KeyRing};
use kefu_store::SqlStore;
use sqlx::{Connection, Executor};
use std::sync::Arc;

#[macro_use]
mod common;
use common::*;

suite!(content_and_names_are_sealed_on_disk, clear_addresses_are_sealed_at_start, rotation_reseals_every_row_and_resumes, audit_chain_finds_direct_edits);

const PLANTED_TEXT: &str = "planted-secret-收货地址-望京SOHO-T3";
const PLANTED_PHONE: &str = "13987654321";
const PLANTED_NAME: &str = "测试姓名-欧阳娜娜";
const PLANTED_EMAIL: &str = "ouyang.nana@planted.example";

fn ring(file: &KeyFile) -> Arc<KeyRing> {
    Arc::new(KeyRing::from_file(file).expect("key ring"))
}

/// Every byte the database keeps about the data: the SQLite file and its WAL, or a full
/// `pg_dump` of the PostgreSQL database.
async fn raw_database_bytes(db: &Db) -> Vec<u8> {
    if let Some(path) = db.sqlite_path() {
        let mut bytes = std::fs::read(&path).expect("read sqlite file");
        if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
            bytes.extend(wal);
        }
        return bytes;
    }
    let out = std::process::Command::new("pg_dump")
        .arg("--data-only")
        .arg(&db.url)
        .output()
        .expect("pg_dump must be installed where KEFU_TEST_PG_URL is set (.ci/run installs it)");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn content_and_names_are_sealed_on_disk(_: &SqlStore, db: &Db) {
    for cipher in [CipherKind::Sm4Gcm, CipherKind::Aes256Gcm] {
        let keys = ring(&KeyFile::generate(cipher).unwrap());
        let store = db.open_with(keys.clone()).await;
        let (s, mut cu, c) = {
            let s = shop("店");
            let mut cu = customer(s.id);
            cu.display_name = format!("{PLANTED_NAME}-{}", cipher.as_str());
            let c = conversation(s.id, &cu);
            apply(&store, vec![Change::InsertShop(s.clone()), Change::InsertCustomer(cu.clone()), Change::PutConversation(c.clone())]).await.unwrap();
            (s, cu, c)
        };
        let text = format!("{PLANTED_TEXT} 电话 {PLANTED_PHONE} ({})", cipher.as_str());
        let m = message(&c, 1, &text);
        apply(&store, vec![Change::InsertMessage { message: m.clone(), dedupe_key: None }]).await.unwrap();
        let got = store.messages_of_conversation(s.id, c.id, 0, 10).await.unwrap();
        assert_eq!(got[0].content, text, "opens with the same keys");
        cu.last_seq = 0;
        assert_eq!(store.customer(s.id, cu.id).await.unwrap().map(|x| x.display_name), Some(cu.display_name.clone()));
        assert_eq!(store.conversations(s.id, &Default::default()).await.unwrap()[0].customer_name, cu.display_name);
        // An email customer: the address is their identity and where replies go.
        let address = format!("{}.{PLANTED_EMAIL}", cipher.as_str());
        plant_email_customer(&store, &s, &cu, &address).await;
        let found = store.identity(s.id, Channel::Email, &address.to_uppercase()).await.unwrap().expect("found by address, any case");
        assert_eq!((found.customer_id, found.external_id.as_str()), (cu.id, address.as_str()));
        assert_eq!(store.identities_of(s.id, cu.id).await.unwrap()[0].external_id, address);
        assert_eq!(store.route_of(s.id, cu.id).await.unwrap().map(|r| r.external_id), Some(address.clone()), "replies still find the address");
        let usage = store.key_usage().await.unwrap();
        assert!(usage.iter().any(|u| u.table == "message" && u.key_id == keys.current_id()), "{usage:?}");
        assert!(usage.iter().any(|u| u.table == "identity" && u.key_id == keys.current_id()), "{usage:?}");
        store.close().await;
    }
    let raw = raw_database_bytes(db).await;
    assert!(raw.len() > 1000, "read the database");
    for needle in [PLANTED_TEXT, PLANTED_PHONE, PLANTED_NAME, "望京SOHO", PLANTED_EMAIL, "ouyang.nana"] {
        assert!(!contains(&raw, needle), "{needle:?} found in the raw database");
    }
}

async fn plant_email_customer(store: &SqlStore, s: &kefu_core::shop::Shop, cu: &kefu_core::customer::Customer, address: &str) {
    let identity = Identity { shop_id: s.id, channel: Channel::Email, external_id: address.to_string(), customer_id: cu.id, created_at: 5 };
    let route = Route { shop_id: s.id, customer_id: cu.id, channel_id: ChannelId::new(), external_id: address.to_string(), updated_at: 5 };
    apply(store, vec![Change::InsertIdentity(identity), Change::PutRoute(route)]).await.unwrap();
}

/// Rows written in clear before migration 0011 (an email identity keyed by its address, a
/// route with its recipient as text) are re-keyed and sealed when the store opens.
async fn clear_addresses_are_sealed_at_start(_: &SqlStore, db: &Db) {
    let keys = ring(&KeyFile::generate(CipherKind::Sm4Gcm).unwrap());
    let store = db.open_with(keys.clone()).await;
    let (s, cu, _) = seeded(&store).await;
    store.close().await;
    let address = "legacy.buyer@old.example";
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query("INSERT INTO identity (shop_id, channel, external_id, customer_id, created_at) VALUES ($1, 'email', $2, $3, 1)")
        .bind(s.id.to_string())
        .bind(address)
        .bind(cu.id.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO channel_route (shop_id, customer_id, channel_id, recipient_key_id, recipient, updated_at) VALUES ($1, $2, $3, 'plain', $4, 1)")
        .bind(s.id.to_string())
        .bind(cu.id.to_string())
        .bind(ChannelId::new().to_string())
        .bind(address.as_bytes().to_vec())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let store = db.open_with(keys.clone()).await;
    assert_eq!(store.identity(s.id, Channel::Email, address).await.unwrap().map(|i| (i.customer_id, i.external_id)), Some((cu.id, address.to_string())));
    assert_eq!(store.route_of(s.id, cu.id).await.unwrap().map(|r| r.external_id), Some(address.to_string()));
    let usage = store.key_usage().await.unwrap();
    for table in ["identity", "channel_route"] {
        assert!(usage.iter().any(|u| u.table == table && u.key_id == keys.current_id()), "{table} sealed: {usage:?}");
        assert!(!usage.iter().any(|u| u.table == table && u.key_id == "plain"), "{table} has clear rows: {usage:?}");
    }
    store.close().await;
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let keys_column: Vec<String> = sqlx::query("SELECT external_id FROM identity").fetch_all(&mut conn).await.unwrap().iter().map(|r| sqlx::Row::get(r, "external_id")).collect();
    assert!(!keys_column.is_empty() && keys_column.iter().all(|k| !k.contains('@')), "{keys_column:?}");
    conn.close().await.unwrap();
}

async fn rotation_reseals_every_row_and_resumes(_: &SqlStore, db: &Db) {
    let mut file = KeyFile::generate(CipherKind::Sm4Gcm).unwrap();
    let old = ring(&file);
    let store = db.open_with(old.clone()).await;
    store.check_keys(&old, 1).await.unwrap();
    let (s, cu, c) = seeded(&store).await;
    let texts: Vec<String> = (1..=7).map(|i| format!("第{i}条 轮换前的内容")).collect();
    let msgs: Vec<_> = texts.iter().enumerate().map(|(i, t)| message(&c, i as i64 + 1, t)).collect();
    apply(&store, msgs.iter().map(|m| Change::InsertMessage { message: m.clone(), dedupe_key: None }).collect()).await.unwrap();
    store.close().await;

    let new_id = file.add(CipherKind::Aes256Gcm).unwrap();
    let new = ring(&file);
    // A ring without the old key is refused before it could fail row by row.
    let lacking = ring(&KeyFile { current: new_id.clone(), keys: file.keys[1..].to_vec() });
    let refusing = db.open_with(lacking.clone()).await;
    let err = refusing.check_keys(&lacking, 2).await.unwrap_err();
    assert!(err.to_string().contains(old.current_id()), "{err}");
    refusing.close().await;

    let store = db.open_with(new.clone()).await;
    store.check_keys(&new, 2).await.unwrap();
    assert_eq!(store.rows_to_reseal(&new).await.unwrap(), 7 + 1);
    // One batch, then the process "dies"; a new one carries on from what is left.
    let p = store.reseal_batch(&new, 0, 3).await.unwrap();
    assert_eq!((p.resealed, p.skipped), (3, 0));
    store.close().await;
    let store = db.open_with(new.clone()).await;
    assert_eq!(store.rows_to_reseal(&new).await.unwrap(), 4 + 1);
    for table in 0..kefu_store::keys::SEALED_COLUMNS.len() {
        while store.reseal_batch(&new, table, 3).await.unwrap().resealed > 0 {}
    }
    assert_eq!(store.rows_to_reseal(&new).await.unwrap(), 0);
    let got: Vec<String> = store.messages_of_conversation(s.id, c.id, 0, 10).await.unwrap().into_iter().map(|m| m.content).collect();
    assert_eq!(got, texts);
    assert_eq!(store.customer(s.id, cu.id).await.unwrap().map(|x| x.display_name), Some(cu.display_name.clone()));
    assert_eq!(store.retire_unused_keys(&new, 3).await.unwrap(), vec![old.current_id().to_string()]);
    store.close().await;
    // Once retired, the old key may leave the key file.
    let store = db.open_with(lacking.clone()).await;
    store.check_keys(&lacking, 4).await.unwrap();
    assert_eq!(store.messages_of_conversation(s.id, c.id, 0, 10).await.unwrap().len(), 7);
    store.close().await;
}

async fn audit_chain_finds_direct_edits(store: &SqlStore, db: &Db) {
    let s = shop("审计");
    apply(store, vec![Change::InsertShop(s.clone())]).await.unwrap();
    let user = UserId::new();
    for (i, action) in ["login", "pii_revealed", "ticket_moved", "token_created", "logout"].iter().enumerate() {
        let e = AuditEntry::by_user(s.id, user, 10 + i as i64, action, Some(format!("thing:{i}")), serde_json::json!({ "n": i }));
        apply(store, vec![Change::AppendAudit(e)]).await.unwrap();
    }
    let records = store.audit(None, 0, 100).await.unwrap();
    assert_eq!(records.len(), 5);
    assert_eq!(store.audit(Some(s.id), 2, 100).await.unwrap().len(), 3);
    assert!(store.audit(Some(ShopId::new()), 0, 100).await.unwrap().is_empty());
    let mut v = ChainVerifier::default();
    v.check(&records).unwrap();

    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let third = records[2].pos;
    conn.execute(format!("UPDATE audit SET action = 'nothing_to_see' WHERE pos = {third}").as_str()).await.unwrap();
    let broken = ChainVerifier::default().check(&store.audit(None, 0, 100).await.unwrap()).unwrap_err();
    assert_eq!(broken.pos, third);
    conn.execute(format!("UPDATE audit SET action = 'ticket_moved' WHERE pos = {third}").as_str()).await.unwrap();
    ChainVerifier::default().check(&store.audit(None, 0, 100).await.unwrap()).unwrap();
    conn.execute(format!("DELETE FROM audit WHERE pos = {}", records[1].pos).as_str()).await.unwrap();
    let broken = ChainVerifier::default().check(&store.audit(None, 0, 100).await.unwrap()).unwrap_err();
    assert_eq!(broken.pos, third, "the entry after the removed one no longer links");
    conn.close().await.unwrap();
}
