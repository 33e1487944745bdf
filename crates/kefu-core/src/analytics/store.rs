//! What analytics needs from persistence (a trait of its own beside [`crate::store::Store`],
//! implemented by `kefu-store`).

use super::alerts::AlertState;
use super::fold::ConvState;
use super::{Dim, Grain, RollupKey, Source};
use crate::clock::Millis;
use crate::event::Event;
use crate::ids::ShopId;
use crate::store::StoreError;
use std::future::Future;

/// A change to the alert projection, folded from `alert_raised` / `alert_resolved`.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertOp {
    /// An alert fired (replaces the subject's previous episode).
    Raised {
        /// Shop id.
        shop_id: String,
        /// The alert.
        state: AlertState,
    },
    /// An open alert resolved.
    Resolved {
        /// Shop id.
        shop_id: String,
        /// Rule id.
        rule: String,
        /// Subject.
        subject: String,
        /// When.
        at: Millis,
    },
}

/// One consumed batch: applied with the cursor move in one transaction, or not at all.
#[derive(Clone, Debug, Default)]
pub struct RollupBatch {
    /// The cursor the batch was read after (the write fails if it moved meanwhile).
    pub from_pos: i64,
    /// The position of the batch's last event.
    pub to_pos: i64,
    /// Counter deltas (non-zero).
    pub deltas: Vec<(RollupKey, i64)>,
    /// Conversation states to write back.
    pub states: Vec<ConvState>,
    /// Tag drill-down rows: (shop, tag, conversation, created_at).
    pub tag_rows: Vec<(String, String, String, Millis)>,
    /// Alert projection changes, in log order.
    pub alerts: Vec<AlertOp>,
}

/// Persistence of rollups, conversation states, the consumer cursor and alerts.
pub trait AnalyticsStore: Send + Sync + 'static {
    /// The position of the last event folded into the rollups.
    fn analytics_cursor(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Events of every shop after a position, in log order, and the position of the last
    /// row read (`after_pos` when none; rows it cannot decode are skipped but passed).
    fn events_after(&self, after_pos: i64, limit: u32) -> impl Future<Output = Result<(Vec<(i64, Event)>, i64), StoreError>> + Send;
    /// The stored states of these conversations (those that have one).
    fn conv_states(&self, ids: &[String]) -> impl Future<Output = Result<Vec<ConvState>, StoreError>> + Send;
    /// Apply a batch and move the cursor, atomically; `Ok(false)` when the cursor was not
    /// at `from_pos` (another consumer got there first) and nothing was written.
    fn apply_rollups(&self, batch: &RollupBatch) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Forget every rollup, state, alert projection and the cursor (before a rebuild).
    fn reset_analytics(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Sums per (key, metric) of one dimension over `[from, to)`; `metrics` empty = all.
    fn rollup_sums(&self, shop: ShopId, grain: Grain, dim: Dim, from: Millis, to: Millis, metrics: &[String]) -> impl Future<Output = Result<Vec<(String, String, i64)>, StoreError>> + Send;
    /// Hourly (or daily) sums per (bucket, key) of the given metrics, optionally of one key.
    fn rollup_series(&self, shop: ShopId, grain: Grain, dim: Dim, key: Option<&str>, from: Millis, to: Millis, metrics: &[String]) -> impl Future<Output = Result<Vec<(Millis, String, i64)>, StoreError>> + Send;
    /// The conversations behind a level-3 tag created in `[from, to)`, newest first.
    fn tag_conversations(&self, shop: ShopId, tag: &str, from: Millis, to: Millis, source: Option<Source>, limit: u32) -> impl Future<Output = Result<Vec<(String, Millis)>, StoreError>> + Send;
    /// The conversations of a category (`l1/l2`, or `l1` alone) created in `[from, to)`, newest first.
    fn category_conversations(&self, shop: ShopId, l1: &str, l2: Option<&str>, from: Millis, to: Millis, source: Option<Source>, limit: u32) -> impl Future<Output = Result<Vec<(String, Millis)>, StoreError>> + Send;
    /// The alert projection of a shop (latest episode per rule and subject).
    fn alert_states(&self, shop: ShopId) -> impl Future<Output = Result<Vec<AlertState>, StoreError>> + Send;
    /// Every non-zero rollup counter of a shop (for rebuild checks and exports).
    fn rollup_rows(&self, shop: ShopId) -> impl Future<Output = Result<Vec<(RollupKey, i64)>, StoreError>> + Send;
}
