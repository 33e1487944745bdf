//! Analytics: rollups folded from the event log, the metrics defined in the architecture
//! document, consultation hotspots (咨询热点) and metric alerts.
//!
//! Everything here is pure and synchronous. The store keeps the rollup counters and a small
//! state row per conversation; a consumer feeds each batch of events through [`fold::Fold`]
//! and writes the resulting deltas, the changed states and the new cursor in one
//! transaction. Dashboards read only rollups, never messages.

pub mod alerts;
pub mod consumer;
pub mod fixtures;
pub mod fold;
pub mod hotspots;
pub mod metrics;
pub mod period;
pub mod store;
pub mod watch;

#[cfg(test)]
mod fold_tests;

use crate::clock::Millis;
use serde::{Deserialize, Serialize};

/// One hour in milliseconds: the grain of the dashboard rollups.
pub const HOUR_MS: Millis = 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: Millis = 24 * HOUR_MS;
/// One minute in milliseconds: the grain of the alert counters.
pub const MINUTE_MS: Millis = 60_000;
/// Gaps between messages at or above this do not count as active handling time.
pub const ACTIVE_GAP_CAP_MS: Millis = 300_000;

/// The start of the hour containing `at`.
pub fn hour_of(at: Millis) -> Millis {
    at.div_euclid(HOUR_MS) * HOUR_MS
}

/// The start of the minute containing `at`.
pub fn minute_of(at: Millis) -> Millis {
    at.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// Who served a conversation, as the hotspot source filter and the `source` dimension see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Only the bot answered.
    BotOnly,
    /// The bot handed it to a person.
    BotToHuman,
    /// No bot was involved.
    HumanOnly,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 3] = [Source::BotOnly, Source::BotToHuman, Source::HumanOnly];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::BotOnly => "bot_only",
            Source::BotToHuman => "bot_to_human",
            Source::HumanOnly => "human_only",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A dimension a rollup counter is kept under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The whole shop (key is empty).
    Shop,
    /// A team (技能组) id.
    Team,
    /// An agent's user id.
    Agent,
    /// The channel name.
    Channel,
    /// bot_only / bot_to_human / human_only.
    Source,
    /// Level-1 hotspot category.
    L1,
    /// Level-2 category, keyed `l1/l2`.
    L2,
    /// A level-3 tag.
    Tag,
    /// A customer id (alert counters only).
    Customer,
}

impl Dim {
    /// Every dimension.
    pub const ALL: [Dim; 9] = [Dim::Shop, Dim::Team, Dim::Agent, Dim::Channel, Dim::Source, Dim::L1, Dim::L2, Dim::Tag, Dim::Customer];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Shop => "shop",
            Dim::Team => "team",
            Dim::Agent => "agent",
            Dim::Channel => "channel",
            Dim::Source => "source",
            Dim::L1 => "l1",
            Dim::L2 => "l2",
            Dim::Tag => "tag",
            Dim::Customer => "customer",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Dim::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether a conversation's count under this dimension is split by source
    /// (`conv.bot_only`, …) so that hotspots can filter by source.
    pub fn splits_by_source(self) -> bool {
        matches!(self, Dim::L1 | Dim::L2 | Dim::Tag)
    }
}

/// Hourly buckets (dashboards, hotspots) or minute buckets (alert windows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grain {
    /// One hour.
    Hour,
    /// One minute.
    Minute,
    /// One UTC day: kept by the store from the hourly deltas so long periods read 24×
    /// fewer rows (whole days from here, the partial days at the edges from hours).
    Day,
}

/// Where one rollup counter lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RollupKey {
    /// Hour or minute table.
    pub grain: Grain,
    /// Shop id.
    pub shop_id: String,
    /// Start of the bucket (ms).
    pub bucket: Millis,
    /// Dimension.
    pub dim: Dim,
    /// Key within the dimension (empty for the shop).
    pub key: String,
    /// Counter name (see [`metrics`]).
    pub metric: String,
}
