//! The consumer that keeps rollups current: read the events after the stored cursor, fold
//! them with the states of their conversations, write deltas, states and the new cursor in
//! one transaction. Exactly once: a batch and its cursor move commit together, and a batch
//! whose cursor moved meanwhile writes nothing.

use super::fold::Fold;
use super::store::{AnalyticsStore, RollupBatch};
use crate::store::StoreError;

/// Fold one batch of at most `limit` events; returns how many log rows it consumed.
pub async fn step<S: AnalyticsStore>(store: &S, limit: u32) -> Result<usize, StoreError> {
    let from = store.analytics_cursor().await?;
    let (events, last) = store.events_after(from, limit).await?;
    if last == from {
        return Ok(0);
    }
    let mut ids: Vec<String> = events.iter().filter_map(|(_, e)| e.conversation_id.map(|c| c.to_string())).collect();
    ids.sort();
    ids.dedup();
    let mut fold = Fold::new(store.conv_states(&ids).await?);
    for (_, e) in &events {
        fold.apply(e);
    }
    let batch = RollupBatch {
        from_pos: from,
        to_pos: last,
        deltas: fold.deltas(),
        states: fold.dirty.iter().filter_map(|id| fold.states.get(id).cloned()).collect(),
        tag_rows: std::mem::take(&mut fold.tag_rows),
        alerts: std::mem::take(&mut fold.alerts),
    };
    if !store.apply_rollups(&batch).await? {
        // Someone else consumed this range first; the next step starts from their cursor.
        return Ok(0);
    }
    Ok(events.len().max(1))
}

/// Fold until the log is consumed; returns how many events were folded.
pub async fn catch_up<S: AnalyticsStore>(store: &S, limit: u32) -> Result<usize, StoreError> {
    let mut total = 0;
    loop {
        let n = step(store, limit).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Empty every rollup and fold the whole log again (`kefu analytics rebuild`).
pub async fn rebuild<S: AnalyticsStore>(store: &S, limit: u32) -> Result<usize, StoreError> {
    store.reset_analytics().await?;
    catch_up(store, limit).await
}
