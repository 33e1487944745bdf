//! Analytics tables against SQLite and PostgreSQL: rollups kept incrementally in small
//! batches (interleaved with new events) equal a rebuild from the log, counts and drill-down
//! read back, and a stale consumer writes nothing.

use kefu_core::analytics::consumer;
use kefu_core::analytics::store::{AnalyticsStore, RollupBatch};
use kefu_core::analytics::{Dim, Grain, Source};
use kefu_core::customer::Channel;
use kefu_core::event::{Event, EventKind as K};
use kefu_core::ids::*;
use kefu_core::message::SenderKind;
use kefu_core::store::{ChangeSet, Store};
use kefu_store::SqlStore;

#[macro_use]
mod common;
use common::*;

suite!(rebuild_equals_incremental, sums_series_and_drill_down, a_stale_consumer_writes_nothing);

const T0: i64 = 1_795_226_400_000;
const L2: [(&str, &str); 3] = [("售后问题", "退货退款"), ("物流问题", "物流查询"), ("商品问题", "尺码规格")];

/// 30 conversations over 3 hours: a third bot-only, a third handed to a person, a third
/// human-only; categories round-robin; ratings 1-5; comments and tickets.
fn history(shop: ShopId) -> Vec<Vec<Event>> {
    let agents = [UserId::new(), UserId::new()];
    let mut sets = Vec::new();
    for i in 0..30i64 {
        let (c, cu) = (ConversationId::new(), CustomerId::new());
        let t = T0 + i * 6 * 60_000;
        let mut v = Vec::new();
        let mut e = |secs: i64, kind: K| v.push(Event::conversation(shop, c, cu, t + secs * 1000, kind));
        let msg = || MessageId::new();
        e(0, K::ConversationCreated { channel: if i % 2 == 0 { Channel::Widget } else { Channel::Dm } });
        let (l1, l2) = L2[(i % 3) as usize];
        let tags = if i % 4 == 0 { vec!["顺丰".to_string()] } else { vec![] };
        e(0, K::ConversationCategorised { l1: l1.into(), l2: l2.into(), tags });
        e(0, K::MessageReceived { message_id: msg() });
        match i % 3 {
            0 => {
                e(2, K::MessageSent { message_id: msg(), sender_kind: SenderKind::Bot });
                e(2, K::BotAnswered { faq_id: "f".into(), variant: None });
                e(300, K::ConversationClosed { by: None, reason: "inactivity".into() });
            }
            r => {
                if r == 1 {
                    e(2, K::BotUnknown);
                    e(10, K::HandedOff { reason: if i % 2 == 0 { "asked_for_human".into() } else { "unknown_streak".into() } });
                }
                e(11, K::ConversationRouted { team: Some(format!("team{}", i % 2)), priority: 0, rule: None, vip: false });
                e(12, K::ConversationAssigned { agent_id: agents[(i % 2) as usize], by: None });
                e(20 + i, K::MessageSent { message_id: msg(), sender_kind: SenderKind::Agent });
                e(100, K::MessageReceived { message_id: msg() });
                e(130, K::MessageSent { message_id: msg(), sender_kind: SenderKind::Agent });
                e(200, K::ConversationResolved { by: None });
                e(210, K::ConversationRated { stars: (i % 5 + 1) as u8, scale: 5, comment_id: None, agent_id: None });
            }
        }
        if i % 5 == 0 {
            e(220, K::CommentSentiment { message_id: msg(), polarity: if i % 10 == 0 { "negative".into() } else { "positive".into() }, score: 0.0 });
        }
        sets.push(v);
    }
    sets
}

async fn append(store: &SqlStore, events: Vec<Event>) {
    store.apply(ChangeSet { changes: vec![], events }).await.expect("append events");
}

async fn rebuild_equals_incremental(store: &SqlStore, _: &Db) {
    let shop = ShopId::new();
    let mut total = 0;
    for set in history(shop) {
        total += set.len();
        append(store, set).await;
        // Tiny batches, interleaved with new events: states carry across batches.
        consumer::step(store, 7).await.unwrap();
    }
    consumer::catch_up(store, 3).await.unwrap();
    let incremental = store.rollup_rows(shop).await.unwrap();
    assert!(incremental.len() > 100, "{} rows", incremental.len());
    let conv: i64 = incremental.iter().filter(|(k, _)| k.grain == Grain::Hour && k.dim == Dim::Shop && k.metric == "conv").map(|(_, v)| v).sum();
    assert_eq!(conv, 30);
    let n = consumer::rebuild(store, 10_000).await.unwrap();
    assert_eq!(n, total);
    assert_eq!(store.rollup_rows(shop).await.unwrap(), incremental);
}

async fn sums_series_and_drill_down(store: &SqlStore, _: &Db) {
    let shop = ShopId::new();
    for set in history(shop) {
        append(store, set).await;
    }
    consumer::catch_up(store, 100).await.unwrap();
    let (from, to) = (T0, T0 + 4 * 3_600_000);
    let sums = store.rollup_sums(shop, Grain::Hour, Dim::Source, from, to, &["conv".into()]).await.unwrap();
    for s in [Source::BotOnly, Source::BotToHuman, Source::HumanOnly] {
        let n = sums.iter().find(|(k, _, _)| k == s.as_str()).map(|r| r.2);
        assert_eq!(n, Some(10), "{s:?}");
    }
    // A long period reads its whole days from the day table and its edges from hours.
    let (long_from, long_to) = (T0 - 27 * 3_600_000, T0 + 29 * 3_600_000);
    let long = store.rollup_sums(shop, Grain::Hour, Dim::Source, long_from, long_to, &["conv".into()]).await.unwrap();
    let mut long: Vec<i64> = long.into_iter().map(|r| r.2).collect();
    long.sort();
    assert_eq!(long, vec![10, 10, 10]);
    let days = store.rollup_sums(shop, Grain::Day, Dim::Shop, long_from, long_to, &["conv".into()]).await.unwrap();
    assert_eq!(days, vec![(String::new(), "conv".to_string(), 30)]);
    let l2 = store.rollup_sums(shop, Grain::Hour, Dim::L2, from, to, &["conv.bot_only".into()]).await.unwrap();
    // Bot-only are i % 3 == 0: all 售后问题/退货退款.
    assert_eq!(l2, vec![("售后问题/退货退款".to_string(), "conv.bot_only".to_string(), 10)]);
    // 30 conversations, one every 6 minutes: 10 per hour.
    let series = store.rollup_series(shop, Grain::Hour, Dim::Shop, Some(""), from, to, &["conv".into()]).await.unwrap();
    assert_eq!(series.iter().map(|r| r.2).collect::<Vec<_>>(), vec![10, 10, 10]);
    // 顺丰 on i % 4 == 0: i = 0, 4, …, 28 → 8 conversations; bot-only among them: i % 12 == 0 → 3.
    assert_eq!(store.tag_conversations(shop, "顺丰", from, to, None, 100).await.unwrap().len(), 8);
    assert_eq!(store.tag_conversations(shop, "顺丰", from, to, Some(Source::BotOnly), 100).await.unwrap().len(), 3);
    let cat = store.category_conversations(shop, "物流问题", Some("物流查询"), from, to, None, 100).await.unwrap();
    assert_eq!(cat.len(), 10);
    assert!(cat.windows(2).all(|w| w[0].1 >= w[1].1), "newest first");
    assert_eq!(store.category_conversations(shop, "物流问题", None, from, to, Some(Source::BotOnly), 100).await.unwrap().len(), 0);
    // Minute counters for alerts: comments on i % 5 == 0 (6), negative on i % 10 == 0 (3).
    let m = store.rollup_sums(shop, Grain::Minute, Dim::Shop, from, to, &["comments".into(), "comments_neg".into()]).await.unwrap();
    let get = |name: &str| m.iter().find(|r| r.1 == name).map(|r| r.2);
    assert_eq!((get("comments"), get("comments_neg")), (Some(6), Some(3)));
}

async fn a_stale_consumer_writes_nothing(store: &SqlStore, _: &Db) {
    let shop = ShopId::new();
    append(store, history(shop).remove(0)).await;
    let before = store.analytics_cursor().await.unwrap();
    consumer::catch_up(store, 100).await.unwrap();
    let after = store.analytics_cursor().await.unwrap();
    assert!(after > before);
    let rows = store.rollup_rows(shop).await.unwrap();
    let stale = RollupBatch { from_pos: before, to_pos: after, deltas: rows.clone(), ..Default::default() };
    assert!(!store.apply_rollups(&stale).await.unwrap());
    assert_eq!(store.rollup_rows(shop).await.unwrap(), rows);
}
