//! A known history of four conversations, every figure checked against numbers computed
//! by hand, and the fold shown batch-independent.

use super::fold::{ConvState, Fold};
use super::hotspots::{by_key, SourceFilter};
use super::metrics::{Figures, Totals};
use super::{Dim, Grain, RollupKey, Source};
use super::fixtures::{history, T0};
use crate::ids::{ShopId, UserId};
use std::collections::BTreeMap;

fn totals(deltas: &[(RollupKey, i64)], dim: Dim, key: &str) -> Totals {
    let mut t = Totals::new();
    for (k, v) in deltas.iter().filter(|(k, _)| k.grain == Grain::Hour && k.dim == dim && k.key == key) {
        *t.entry(k.metric.clone()).or_insert(0) += v;
    }
    t
}

#[test]
fn every_figure_of_a_known_history() {
    let (shop, x, y) = (ShopId::new(), UserId::new(), UserId::new());
    let (events, _) = history(shop, x, y, T0);
    let mut f = Fold::default();
    events.iter().for_each(|e| f.apply(e));
    let d = f.deltas();
    let s = Figures::from_totals(&totals(&d, Dim::Shop, ""), 1.0);
    assert_eq!((s.conversations, s.responded, s.response_rate), (4, 3, Some(0.75)));
    assert_eq!(s.first_response_secs, Some(45.0)); // (30 + 60) / 2
    assert_eq!(s.reply_secs, Some(65.0)); // (30 + 100 + 65) / 3
    assert_eq!(s.handle_secs, Some(350.0)); // (400 + 300) / 2
    assert_eq!(s.active_handle_secs, Some(182.5)); // (200 + 165) / 2
    assert_eq!((s.resolved, s.ratings, s.csat, s.csat_4_5, s.bad_review_rate, s.rating_response_rate), (2, 2, Some(0.5), Some(0.5), Some(0.5), Some(1.0)));
    assert_eq!((s.bot_received, s.bot_resolved, s.bot_resolution_rate), (2, 1, Some(0.5)));
    assert_eq!((s.transferred, s.transfer_rate), (1, Some(0.5)));
    assert_eq!(s.transfer_reasons, BTreeMap::from([("asked_for_human".to_string(), 1)]));
    assert_eq!((s.tickets_created, s.tickets_closed, s.ticket_closure_rate), (2, 1, Some(0.5)));
    assert_eq!(s.handled_per_day, Some(2.0));

    let ax = Figures::from_totals(&totals(&d, Dim::Agent, &x.to_string()), 1.0);
    assert_eq!((ax.conversations, ax.first_response_secs, ax.reply_secs, ax.csat, ax.handled_per_day), (1, Some(30.0), Some(65.0), Some(1.0), Some(1.0)));
    let ay = Figures::from_totals(&totals(&d, Dim::Agent, &y.to_string()), 1.0);
    assert_eq!((ay.conversations, ay.first_response_secs, ay.reply_secs, ay.bot_received, ay.transferred, ay.csat), (1, Some(60.0), Some(65.0), 1, 1, Some(0.0)));
    let team = Figures::from_totals(&totals(&d, Dim::Team, "after"), 1.0);
    assert_eq!((team.conversations, team.transfer_rate, team.tickets_created), (1, Some(1.0), 1));
    let dm = Figures::from_totals(&totals(&d, Dim::Channel, "dm"), 1.0);
    let widget = Figures::from_totals(&totals(&d, Dim::Channel, "widget"), 1.0);
    assert_eq!((dm.conversations, dm.bot_received, widget.conversations, widget.responded), (2, 2, 2, 1));
    for (src, n) in [(Source::HumanOnly, 2), (Source::BotOnly, 1), (Source::BotToHuman, 1)] {
        assert_eq!(totals(&d, Dim::Source, src.as_str()).get("conv").copied(), Some(n), "{src:?}");
    }

    // Hotspots: the l2 counts by source, and the tags.
    let rows: Vec<(String, String, i64)> = d.iter().filter(|(k, _)| k.grain == Grain::Hour && k.dim == Dim::L2).map(|(k, v)| (k.key.clone(), k.metric.clone(), *v)).collect();
    let all = by_key(&rows, SourceFilter::All);
    assert_eq!(all, BTreeMap::from([("售后问题/退货退款".to_string(), 2), ("物流问题/物流查询".to_string(), 1)]));
    let bot = by_key(&rows, SourceFilter::Only(Source::BotOnly));
    assert_eq!(bot.get("物流问题/物流查询"), Some(&1));
    assert_eq!(bot.get("售后问题/退货退款").copied().unwrap_or(0), 0, "B moved from human_only to bot_only when the bot acted");
    assert_eq!(by_key(&rows, SourceFilter::Only(Source::HumanOnly)).get("售后问题/退货退款"), Some(&1));
    let tag = totals(&d, Dim::Tag, "顺丰");
    assert_eq!((tag.get("conv.bot_only"), tag.get("conv.bot_to_human")), (Some(&1), Some(&1)));
    assert_eq!(f.tag_rows.len(), 3, "顺丰 twice (B, C), 破损 once; the repeated tag counts once");
    // Alert counters: one bad rating, one complaint ticket, both from the same customer.
    let complaints: i64 = d.iter().filter(|(k, _)| k.grain == Grain::Minute && k.metric == "complaints").map(|(_, v)| v).sum();
    assert_eq!(complaints, 2);
}

#[test]
fn batches_and_stored_states_give_the_same_sums() {
    let (events, _) = history(ShopId::new(), UserId::new(), UserId::new(), T0);
    let mut whole = Fold::default();
    events.iter().for_each(|e| whole.apply(e));
    // One event per batch, states round-tripped through JSON as the store keeps them.
    let mut stored: BTreeMap<String, String> = BTreeMap::new();
    let mut sums: BTreeMap<RollupKey, i64> = BTreeMap::new();
    for e in &events {
        let states: Vec<ConvState> = stored.values().map(|j| serde_json::from_str(j).unwrap()).collect();
        let mut f = Fold::new(states);
        f.apply(e);
        for (k, v) in f.deltas() {
            *sums.entry(k).or_insert(0) += v;
        }
        for id in &f.dirty {
            stored.insert(id.clone(), serde_json::to_string(&f.states[id]).unwrap());
        }
    }
    sums.retain(|_, v| *v != 0);
    assert_eq!(sums.into_iter().collect::<Vec<_>>(), whole.deltas());
}
