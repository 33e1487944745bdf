//! The fold from events to rollup deltas: pure, deterministic, batch-independent (folding a
//! log in one batch or in many, with the state carried between them, gives the same sums).
//!
//! Two kinds of counters:
//! - **cohort counters** (`conv`, `responded`, `bot_received`, `bot_resolved`, `transferred`)
//!   count conversations and sit in the hour the conversation was *created*, under the
//!   conversation's *current* attributes. When an attribute changes (routed to a team,
//!   assigned, categorised, handed to a person), the conversation's cohort counters move from
//!   the old keys to the new ones (−1 / +1), so a rate's numerator is always a subset of its
//!   denominator in every dimension.
//! - **event counters** (times, ratings, resolutions, tickets, comments) sit in the hour of
//!   the event that completes them.

use super::{hour_of, minute_of, Dim, Grain, RollupKey, Source, ACTIVE_GAP_CAP_MS};
use crate::clock::Millis;
use crate::event::{Event, EventKind};
use crate::message::SenderKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cohort flags: which conversation-level counters a conversation has contributed.
const COHORT: [(u32, &str); 5] = [
    (1, "conv"),
    (2, "responded"),
    (4, "bot_received"),
    (8, "bot_resolved"),
    (16, "transferred"),
];
const CONV: u32 = 1;
const RESPONDED: u32 = 2;
const BOT_RECEIVED: u32 = 4;
const BOT_RESOLVED: u32 = 8;
const TRANSFERRED: u32 = 16;

/// What analytics remembers about one conversation (events carry only what changed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConvState {
    /// Shop id.
    pub shop_id: String,
    /// Conversation id.
    pub conversation_id: String,
    /// Customer id, when known.
    pub customer_id: Option<String>,
    /// Creation time (its hour holds the cohort counters).
    pub created_at: Millis,
    /// Channel name.
    pub channel: String,
    /// Team id.
    pub team: Option<String>,
    /// Agent user id.
    pub agent: Option<String>,
    /// Who served it.
    pub source: Option<Source>,
    /// Level-1 category.
    pub l1: Option<String>,
    /// Level-2 category.
    pub l2: Option<String>,
    /// Level-3 tags.
    pub tags: Vec<String>,
    /// Cohort flags set so far.
    pub flags: u32,
    /// A person was involved (queued, routed or assigned) before any bot activity.
    pub human_first: bool,
    /// When the bot handed it to a person.
    pub handed_off_at: Option<Millis>,
    /// When a person first replied.
    pub first_human_reply_at: Option<Millis>,
    /// Since when the customer waits for an answer (first message after the last reply).
    pub waiting_since: Option<Millis>,
    /// Start of the current handling span (creation or the last reopening).
    pub span_start: Millis,
    /// Last customer, agent or bot message in the span.
    pub last_msg_at: Option<Millis>,
    /// Active handling time of the span so far (gaps under the cap).
    pub active_ms: Millis,
    /// The first resolution or closing has been counted (bot resolution is decided once).
    pub ended: bool,
}

impl ConvState {
    /// The source, with a conversation nobody has served yet counted as human-only (it
    /// moves to bot_only when the bot first acts).
    pub fn source_or_default(&self) -> Source {
        self.source.unwrap_or(Source::HumanOnly)
    }

    /// The `l1/l2` key of its category.
    pub fn l2_key(&self) -> Option<String> {
        match (&self.l1, &self.l2) {
            (Some(a), Some(b)) => Some(format!("{a}/{b}")),
            _ => None,
        }
    }

    /// Every (dimension, key) this conversation counts under.
    pub fn dims(&self) -> Vec<(Dim, String)> {
        let mut d = vec![
            (Dim::Shop, String::new()),
            (Dim::Channel, self.channel.clone()),
            (Dim::Source, self.source_or_default().as_str().to_string()),
        ];
        if let Some(t) = &self.team {
            d.push((Dim::Team, t.clone()));
        }
        if let Some(a) = &self.agent {
            d.push((Dim::Agent, a.clone()));
        }
        if let Some(l1) = &self.l1 {
            d.push((Dim::L1, l1.clone()));
        }
        if let Some(k) = self.l2_key() {
            d.push((Dim::L2, k));
        }
        for t in &self.tags {
            d.push((Dim::Tag, t.clone()));
        }
        d
    }
}

/// Folds a batch of events into counter deltas and updated conversation states.
#[derive(Debug, Default)]
pub struct Fold {
    /// Conversation states: those loaded for the batch, plus any created in it.
    pub states: BTreeMap<String, ConvState>,
    /// Conversations whose state changed (to be written back).
    pub dirty: std::collections::BTreeSet<String>,
    /// Summed deltas (zeros are dropped by [`Fold::deltas`]).
    sums: BTreeMap<RollupKey, i64>,
    /// Level-3 tag drill-down rows: (shop, tag, conversation, created_at).
    pub tag_rows: Vec<(String, String, String, Millis)>,
    /// Alert projection changes.
    pub alerts: Vec<super::store::AlertOp>,
}

impl Fold {
    /// A fold over already-known conversation states.
    pub fn new(states: impl IntoIterator<Item = ConvState>) -> Self {
        Fold { states: states.into_iter().map(|s| (s.conversation_id.clone(), s)).collect(), ..Default::default() }
    }

    /// The non-zero deltas accumulated so far.
    pub fn deltas(&self) -> Vec<(RollupKey, i64)> {
        self.sums.iter().filter(|(_, v)| **v != 0).map(|(k, v)| (k.clone(), *v)).collect()
    }

    fn add(&mut self, grain: Grain, shop: &str, at: Millis, dim: Dim, key: &str, metric: &str, v: i64) {
        let bucket = if grain == Grain::Minute { minute_of(at) } else { hour_of(at) };
        let k = RollupKey { grain, shop_id: shop.to_string(), bucket, dim, key: key.to_string(), metric: metric.to_string() };
        *self.sums.entry(k).or_insert(0) += v;
    }

    /// Add an event counter under every dimension of the conversation.
    fn event_metric(&mut self, s: &ConvState, at: Millis, metric: &str, v: i64) {
        for (dim, key) in s.dims() {
            self.add(Grain::Hour, &s.shop_id, at, dim, &key, metric, v);
        }
    }

    /// Add (sign +1) or remove (−1) the cohort counters in `flags` under every dimension.
    fn cohort(&mut self, s: &ConvState, flags: u32, sign: i64) {
        for (dim, key) in s.dims() {
            for (bit, name) in COHORT {
                if flags & bit == 0 {
                    continue;
                }
                let metric = if bit == CONV && dim.splits_by_source() {
                    format!("conv.{}", s.source_or_default().as_str())
                } else {
                    name.to_string()
                };
                self.add(Grain::Hour, &s.shop_id, s.created_at, dim, &key, &metric, sign);
            }
        }
    }

    fn set_flag(&mut self, s: &mut ConvState, flag: u32) {
        if s.flags & flag == 0 {
            s.flags |= flag;
            self.cohort(s, flag, 1);
        }
    }

    /// Change attributes of a conversation, moving its cohort counters with it.
    fn change(&mut self, s: &mut ConvState, edit: impl FnOnce(&mut ConvState)) {
        let before = s.clone();
        edit(s);
        if before.dims() != s.dims() || before.source_or_default() != s.source_or_default() {
            self.cohort(&before, before.flags, -1);
            self.cohort(s, s.flags, 1);
        }
    }

    /// Apply one event (in log order).
    pub fn apply(&mut self, e: &Event) {
        let shop = e.shop_id.to_string();
        let Some(cid) = e.conversation_id.map(|c| c.to_string()) else {
            return self.shop_only(&shop, e);
        };
        let mut s = match self.states.remove(&cid) {
            Some(s) => s,
            // A conversation whose creation predates the log (or was never logged) starts
            // here with what the event tells.
            None => ConvState {
                shop_id: shop.clone(),
                conversation_id: cid.clone(),
                customer_id: e.customer_id.map(|c| c.to_string()),
                created_at: e.at,
                channel: "unknown".into(),
                span_start: e.at,
                ..Default::default()
            },
        };
        let at = e.at;
        match &e.kind {
            EventKind::ConversationCreated { channel } => {
                s.channel = channel.as_str().to_string();
                s.created_at = at;
                s.span_start = at;
                self.set_flag(&mut s, CONV);
            }
            EventKind::ConversationReopened => {
                s.span_start = at;
                s.last_msg_at = None;
                s.active_ms = 0;
                self.event_metric(&s, at, "reopened", 1);
            }
            EventKind::MessageReceived { .. } => {
                self.gap(&mut s, at);
                s.waiting_since.get_or_insert(at);
                self.event_metric(&s, at, "msg_in", 1);
            }
            EventKind::MessageSent { sender_kind, .. } => self.sent(&mut s, at, *sender_kind),
            EventKind::ConversationQueued => self.human_involved(&mut s),
            EventKind::ConversationRouted { team, .. } => {
                self.human_involved(&mut s);
                let team = team.clone();
                self.change(&mut s, |s| s.team = team);
            }
            EventKind::ConversationAssigned { agent_id, .. } => {
                self.human_involved(&mut s);
                let agent = Some(agent_id.to_string());
                self.change(&mut s, |s| s.agent = agent);
                self.event_metric(&s, at, "assigned", 1);
            }
            EventKind::ConversationTransferred { to_agent, to_team, .. } => {
                let (agent, team) = (to_agent.map(|a| a.to_string()), to_team.clone());
                self.event_metric(&s, at, "agent_transfers", 1);
                self.change(&mut s, |s| {
                    s.agent = agent;
                    if team.is_some() {
                        s.team = team;
                    }
                });
            }
            EventKind::ConversationResolved { .. } => {
                self.event_metric(&s, at, "resolved", 1);
                self.event_metric(&s, at, "aht_ms", at - s.span_start);
                self.event_metric(&s, at, "active_ms", s.active_ms);
                self.event_metric(&s, at, "aht_n", 1);
                s.active_ms = 0;
                s.last_msg_at = None;
                s.span_start = at;
                self.end(&mut s);
            }
            EventKind::ConversationClosed { .. } => {
                self.event_metric(&s, at, "closed", 1);
                self.end(&mut s);
            }
            EventKind::ConversationRated { stars, scale, .. } => {
                // The figures are on five stars; other scales are mapped onto it.
                let st = i64::from(crate::csat::on_five(*stars, *scale));
                self.event_metric(&s, at, "rated", 1);
                self.event_metric(&s, at, "stars_sum", st);
                if st == 5 {
                    self.event_metric(&s, at, "stars5", 1);
                }
                if st >= 4 {
                    self.event_metric(&s, at, "stars45", 1);
                }
                if st <= 2 {
                    self.event_metric(&s, at, "stars12", 1);
                    self.add(Grain::Minute, &shop, at, Dim::Shop, "", "stars12", 1);
                    self.complaint(&shop, e, at);
                }
                self.add(Grain::Minute, &shop, at, Dim::Shop, "", "rated", 1);
            }
            EventKind::ConversationCategorised { l1, l2, tags } => {
                let (l1, l2, tags) = (l1.clone(), l2.clone(), dedup(tags));
                for t in &tags {
                    self.tag_rows.push((shop.clone(), t.clone(), cid.clone(), s.created_at));
                }
                self.change(&mut s, |s| {
                    s.l1 = Some(l1);
                    s.l2 = Some(l2);
                    s.tags = tags;
                });
                if let Some(k) = s.l2_key() {
                    self.add(Grain::Minute, &shop, at, Dim::L2, &k, "conv", 1);
                }
            }
            EventKind::BotAnswered { .. } => self.bot(&mut s, at, "bot_answered"),
            EventKind::BotSuggested { .. } => self.bot(&mut s, at, "bot_suggested"),
            EventKind::BotUnknown => self.bot(&mut s, at, "bot_unknown"),
            EventKind::BotFlowStep { .. } => self.bot(&mut s, at, "bot_flow_steps"),
            EventKind::BotFeedback { helpful, .. } => {
                self.bot(&mut s, at, if *helpful { "bot_helpful" } else { "bot_unhelpful" });
            }
            EventKind::HandedOff { reason } => {
                self.bot(&mut s, at, "handoffs");
                self.event_metric(&s, at, &format!("handoff.{}", metric_safe(reason)), 1);
                if s.handed_off_at.is_none() {
                    s.handed_off_at = Some(at);
                    self.change(&mut s, |s| s.source = Some(Source::BotToHuman));
                    self.set_flag(&mut s, TRANSFERRED);
                }
            }
            EventKind::CommentSentiment { polarity, .. } => self.comment(&shop, Some(&s), e, polarity),
            EventKind::TicketCreated { ticket_type, .. } => {
                self.event_metric(&s, at, "ticket_created", 1);
                if ticket_type == "complaint" {
                    self.complaint(&shop, e, at);
                }
            }
            EventKind::TicketMoved { closed, .. } => {
                if *closed {
                    self.event_metric(&s, at, "ticket_closed", 1);
                }
            }
            _ => {}
        }
        self.dirty.insert(cid.clone());
        self.states.insert(cid, s);
    }

    /// Events without a conversation: comments and tickets count for the shop only.
    fn shop_only(&mut self, shop: &str, e: &Event) {
        match &e.kind {
            EventKind::CommentSentiment { polarity, .. } => self.comment(shop, None, e, polarity),
            EventKind::TicketCreated { ticket_type, .. } => {
                self.add(Grain::Hour, shop, e.at, Dim::Shop, "", "ticket_created", 1);
                if ticket_type == "complaint" {
                    self.complaint(shop, e, e.at);
                }
            }
            EventKind::TicketMoved { closed: true, .. } => self.add(Grain::Hour, shop, e.at, Dim::Shop, "", "ticket_closed", 1),
            EventKind::AlertRaised { rule, subject, value, .. } => {
                self.add(Grain::Hour, shop, e.at, Dim::Shop, "", "alerts", 1);
                let state = super::alerts::AlertState { rule: rule.clone(), subject: subject.clone(), raised_at: e.at, resolved_at: None, value: *value };
                self.alerts.push(super::store::AlertOp::Raised { shop_id: shop.to_string(), state });
            }
            EventKind::AlertResolved { rule, subject, .. } => {
                self.alerts.push(super::store::AlertOp::Resolved { shop_id: shop.to_string(), rule: rule.clone(), subject: subject.clone(), at: e.at });
            }
            _ => {}
        }
    }

    fn comment(&mut self, shop: &str, s: Option<&ConvState>, e: &Event, polarity: &str) {
        let negative = polarity == "negative";
        match s {
            Some(s) => {
                self.event_metric(s, e.at, "comments", 1);
                if negative {
                    self.event_metric(s, e.at, "comments_neg", 1);
                }
            }
            None => {
                self.add(Grain::Hour, shop, e.at, Dim::Shop, "", "comments", 1);
                if negative {
                    self.add(Grain::Hour, shop, e.at, Dim::Shop, "", "comments_neg", 1);
                }
            }
        }
        self.add(Grain::Minute, shop, e.at, Dim::Shop, "", "comments", 1);
        if negative {
            self.add(Grain::Minute, shop, e.at, Dim::Shop, "", "comments_neg", 1);
            self.complaint(shop, e, e.at);
        }
    }

    /// One complaint signal from a customer (bad rating, negative comment, complaint ticket).
    fn complaint(&mut self, shop: &str, e: &Event, at: Millis) {
        if let Some(c) = e.customer_id {
            self.add(Grain::Minute, shop, at, Dim::Customer, &c.to_string(), "complaints", 1);
        }
    }

    fn gap(&mut self, s: &mut ConvState, at: Millis) {
        if let Some(last) = s.last_msg_at {
            let gap = at - last;
            if (0..ACTIVE_GAP_CAP_MS).contains(&gap) {
                s.active_ms += gap;
            }
        }
        s.last_msg_at = Some(at);
    }

    fn sent(&mut self, s: &mut ConvState, at: Millis, who: SenderKind) {
        match who {
            SenderKind::Agent => {
                self.gap(s, at);
                self.event_metric(s, at, "msg_agent", 1);
                if let Some(since) = s.waiting_since.take() {
                    self.event_metric(s, at, "reply_ms", at - since);
                    self.event_metric(s, at, "reply_n", 1);
                    self.add(Grain::Minute, &s.shop_id.clone(), at, Dim::Shop, "", "reply_ms", at - since);
                    self.add(Grain::Minute, &s.shop_id.clone(), at, Dim::Shop, "", "reply_n", 1);
                }
                if s.first_human_reply_at.is_none() {
                    s.first_human_reply_at = Some(at);
                    let from = s.handed_off_at.unwrap_or(s.created_at);
                    self.event_metric(s, at, "frt_ms", at - from);
                    self.event_metric(s, at, "frt_n", 1);
                }
                self.set_flag(s, RESPONDED);
            }
            SenderKind::Bot => {
                self.gap(s, at);
                self.bot(s, at, "msg_bot");
                s.waiting_since = None;
                self.set_flag(s, RESPONDED);
            }
            SenderKind::System => self.event_metric(s, at, "msg_system", 1),
            SenderKind::Customer | SenderKind::Note => {}
        }
    }

    fn human_involved(&mut self, s: &mut ConvState) {
        if s.source.is_none() {
            s.human_first = true;
            s.source = Some(Source::HumanOnly);
        }
    }

    /// Bot activity: a conversation nobody served yet becomes the bot's.
    fn bot(&mut self, s: &mut ConvState, at: Millis, metric: &str) {
        if s.source.is_none() {
            self.change(s, |s| s.source = Some(Source::BotOnly));
        }
        if !s.human_first {
            self.set_flag(s, BOT_RECEIVED);
        }
        self.event_metric(s, at, metric, 1);
    }

    /// The first resolution or closing decides bot resolution.
    fn end(&mut self, s: &mut ConvState) {
        if s.ended {
            return;
        }
        s.ended = true;
        if s.source == Some(Source::BotOnly) && s.first_human_reply_at.is_none() {
            self.set_flag(s, BOT_RESOLVED);
        }
    }
}

fn dedup(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// Keep counter names to `[a-z0-9_]`, whatever a reason string holds.
fn metric_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' }).take(40).collect()
}
