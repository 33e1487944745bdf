//! The blind search index on SQLite and (with `KEFU_TEST_PG_URL`) PostgreSQL: messages are
//! found by their words with filters and pages, another shop's are not, and after the key
//! rotates the index is emptied and a resumable rebuild finds everything again.

use kefu_core::store::Change;
use kefu_store::keys::{CipherKind, KeyFile, KeyRing};
use kefu_store::{SearchQuery, SqlStore};
use std::sync::Arc;

#[macro_use]
mod common;
use common::*;

suite!(words_are_found_and_the_index_follows_the_key);

fn ids(store_page: &kefu_store::SearchPage) -> Vec<String> {
    store_page.hits.iter().map(|h| h.hit.as_ref().map(|(id, _, _)| id.clone()).unwrap_or_default()).collect()
}

async fn words_are_found_and_the_index_follows_the_key(_: &SqlStore, db: &Db) {
    let mut file = KeyFile::generate(CipherKind::Sm4Gcm).unwrap();
    let store = db.open_with(Arc::new(KeyRing::from_file(&file).unwrap())).await;
    let (s, _, c) = seeded(&store).await;
    let texts = ["我想退货，尺码太小", "快递什么时候到？", "退貨的運費誰出", "谢谢"];
    let msgs: Vec<_> = texts.iter().enumerate().map(|(i, t)| message(&c, i as i64 + 1, t)).collect();
    apply(&store, msgs.iter().map(|m| Change::InsertMessage { message: m.clone(), dedupe_key: None }).collect()).await.unwrap();
    let (other, _, oc) = seeded(&store).await;
    apply(&store, vec![Change::InsertMessage { message: message(&oc, 1, "别家也要退货"), dedupe_key: None }]).await.unwrap();

    let find = |q: &str| SearchQuery { q: q.into(), limit: 20, ..Default::default() };
    let shop = s.id.to_string();
    // Newest first; one result per conversation: the newest matching message.
    assert_eq!(ids(&store.search(&shop, &find("退货")).await.unwrap()), vec![msgs[2].id.to_string()]);
    assert_eq!(ids(&store.search(&shop, &find("快递 到")).await.unwrap()), vec![msgs[1].id.to_string()]);
    assert!(store.search(&shop, &find("退款")).await.unwrap().hits.is_empty());
    let resolved = SearchQuery { status: Some("resolved".into()), ..find("退货") };
    assert!(store.search(&shop, &resolved).await.unwrap().hits.is_empty());
    assert_eq!(store.search(&other.id.to_string(), &find("退货")).await.unwrap().hits.len(), 1);
    assert!(store.search(&other.id.to_string(), &find("尺码")).await.unwrap().hits.is_empty());
    store.close().await;

    // A new current key: the index is emptied at open and rebuilt by the reindex, resumably.
    file.add(CipherKind::Aes256Gcm).unwrap();
    let store = db.open_with(Arc::new(KeyRing::from_file(&file).unwrap())).await;
    assert!(store.search(&shop, &find("尺码")).await.unwrap().hits.is_empty(), "the old key's rows are gone");
    let mut seen = Vec::new();
    let done = store.reindex_search(2, |p| seen.push(p.done)).await.unwrap();
    assert_eq!((done.done, done.total, seen), (5, 5, vec![2, 4, 5]));
    assert_eq!(ids(&store.search(&shop, &find("尺码")).await.unwrap()), vec![msgs[0].id.to_string()]);
    // Nothing left after the cursor: a second run does nothing.
    assert_eq!(store.reindex_search(2, |_| {}).await.unwrap().done, 0);
    store.close().await;
}
