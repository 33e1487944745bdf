//! The dashboard's figures, computed from summed rollup counters exactly as
//! `ARCHITECTURE.md` ("Metric definitions") defines them.
//!
//! Counters (see `fold`): `conv`, `responded`, `bot_received`, `bot_resolved`, `transferred`
//! (cohort: by creation hour); `frt_ms`/`frt_n`, `reply_ms`/`reply_n`, `aht_ms`/`active_ms`/
//! `aht_n`, `resolved`, `rated`, `stars5`, `stars45`, `stars12`, `stars_sum`,
//! `handoff.<reason>`, `ticket_created`, `ticket_closed`, `comments`, `comments_neg` (by
//! event hour).

use serde::Serialize;
use std::collections::BTreeMap;

/// Summed counters of one dimension key over a period.
pub type Totals = BTreeMap<String, i64>;

/// One row of the dashboard. Ratios are 0..1, times are seconds; `None` when the
/// denominator is zero (shown as "—", never as 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Conversations created.
    pub conversations: i64,
    /// Of which at least one reply (bot or human).
    pub responded: i64,
    /// responded ÷ conversations.
    pub response_rate: Option<f64>,
    /// Mean first human reply − hand-off (or creation without a bot), seconds.
    pub first_response_secs: Option<f64>,
    /// Mean agent reply − the customer message it answers, per waiting episode, seconds.
    pub reply_secs: Option<f64>,
    /// Mean creation (or reopening) → resolution, seconds, waiting included.
    pub handle_secs: Option<f64>,
    /// Mean active handling time (sum of message gaps under 5 minutes), seconds.
    pub active_handle_secs: Option<f64>,
    /// Resolutions.
    pub resolved: i64,
    /// Ratings received.
    pub ratings: i64,
    /// 5★ ÷ ratings (满意度).
    pub csat: Option<f64>,
    /// 4–5★ ÷ ratings.
    pub csat_4_5: Option<f64>,
    /// 1–2★ ÷ ratings (bad reviews).
    pub bad_review_rate: Option<f64>,
    /// ratings ÷ resolutions (each resolution invites a rating).
    pub rating_response_rate: Option<f64>,
    /// Conversations the bot received.
    pub bot_received: i64,
    /// Of those, resolved with no human outgoing message.
    pub bot_resolved: i64,
    /// bot_resolved ÷ bot_received.
    pub bot_resolution_rate: Option<f64>,
    /// Conversations the bot handed to a person.
    pub transferred: i64,
    /// transferred ÷ bot_received.
    pub transfer_rate: Option<f64>,
    /// Hand-offs by reason.
    pub transfer_reasons: BTreeMap<String, i64>,
    /// Tickets created.
    pub tickets_created: i64,
    /// Tickets that reached a terminal state.
    pub tickets_closed: i64,
    /// closed ÷ created.
    pub ticket_closure_rate: Option<f64>,
    /// Resolutions per day of the period (per agent on agent rows).
    pub handled_per_day: Option<f64>,
    /// Public comments read.
    pub comments: i64,
    /// negative comments ÷ comments.
    pub negative_comment_rate: Option<f64>,
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn mean_secs(sum_ms: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum_ms as f64 / n as f64 / 1000.0)
}

impl Figures {
    /// The figures of summed counters over a period of `days` days.
    pub fn from_totals(t: &Totals, days: f64) -> Self {
        let g = |k: &str| t.get(k).copied().unwrap_or(0);
        let transfer_reasons = t
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("handoff.").filter(|_| *v != 0).map(|r| (r.to_string(), *v)))
            .collect();
        Figures {
            conversations: g("conv"),
            responded: g("responded"),
            response_rate: ratio(g("responded"), g("conv")),
            first_response_secs: mean_secs(g("frt_ms"), g("frt_n")),
            reply_secs: mean_secs(g("reply_ms"), g("reply_n")),
            handle_secs: mean_secs(g("aht_ms"), g("aht_n")),
            active_handle_secs: mean_secs(g("active_ms"), g("aht_n")),
            resolved: g("resolved"),
            ratings: g("rated"),
            csat: ratio(g("stars5"), g("rated")),
            csat_4_5: ratio(g("stars45"), g("rated")),
            bad_review_rate: ratio(g("stars12"), g("rated")),
            rating_response_rate: ratio(g("rated"), g("resolved")),
            bot_received: g("bot_received"),
            bot_resolved: g("bot_resolved"),
            bot_resolution_rate: ratio(g("bot_resolved"), g("bot_received")),
            transferred: g("transferred"),
            transfer_rate: ratio(g("transferred"), g("bot_received")),
            transfer_reasons,
            tickets_created: g("ticket_created"),
            tickets_closed: g("ticket_closed"),
            ticket_closure_rate: ratio(g("ticket_closed"), g("ticket_created")),
            handled_per_day: (days > 0.0).then(|| g("resolved") as f64 / days),
            comments: g("comments"),
            negative_comment_rate: ratio(g("comments_neg"), g("comments")),
        }
    }
}

/// The change from one period to another: `(now − before) ÷ before` for counts, and the
/// absolute difference for ratios and times (a change of a rate is read in points).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// Relative change of conversations.
    pub conversations: Option<f64>,
    /// Points of response rate.
    pub response_rate: Option<f64>,
    /// Seconds of first response time.
    pub first_response_secs: Option<f64>,
    /// Seconds of reply time.
    pub reply_secs: Option<f64>,
    /// Points of CSAT.
    pub csat: Option<f64>,
    /// Points of bot resolution rate.
    pub bot_resolution_rate: Option<f64>,
    /// Points of transfer rate.
    pub transfer_rate: Option<f64>,
}

fn diff(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

impl Change {
    /// `now` compared with `before`.
    pub fn between(now: &Figures, before: &Figures) -> Self {
        Change {
            conversations: ratio(now.conversations - before.conversations, before.conversations),
            response_rate: diff(now.response_rate, before.response_rate),
            first_response_secs: diff(now.first_response_secs, before.first_response_secs),
            reply_secs: diff(now.reply_secs, before.reply_secs),
            csat: diff(now.csat, before.csat),
            bot_resolution_rate: diff(now.bot_resolution_rate, before.bot_resolution_rate),
            transfer_rate: diff(now.transfer_rate, before.transfer_rate),
        }
    }
}
