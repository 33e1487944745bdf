//! Encryption at rest, key rotation and the audit chain, on SQLite always and PostgreSQL when
//! `KEFU_TEST_PG_URL` is set: the sealed bytes on disk, re-sealing, and a direct SQL edit of
//! the audit table being found.

use kefu_core::audit::{AuditEntry, ChainVerifier};
use kefu_core::ids::*;
use kefu_core::store::{Change, Store};
use kefu_store::keys::{CipherKind, KeyFile, KeyRing};
use kefu_store::SqlStore;
use sqlx::{Connection, Executor};
use std::sync::Arc;

#[macro_use]
mod common;
use common::*;

suite!(content_and_names_are_sealed_on_disk, rotation_reseals_every_row_and_resumes, audit_chain_finds_direct_edits);

const PLANTED_TEXT: &str = "planted-secret-收货地址-望京SOHO-T3";
const PLANTED_PHONE: &str = "13987654321";
const PLANTED_NAME: &str = "测试姓名-欧阳娜娜";

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
        let usage = store.key_usage().await.unwrap();
        assert!(usage.iter().any(|u| u.table == "message" && u.key_id == keys.current_id()), "{usage:?}");
        store.close().await;
    }
    let raw = raw_database_bytes(db).await;
    assert!(raw.len() > 1000, "read the database");
    for needle in [PLANTED_TEXT, PLANTED_PHONE, PLANTED_NAME, "望京SOHO"] {
        assert!(!contains(&raw, needle), "{needle:?} found in the raw database");
    }
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
