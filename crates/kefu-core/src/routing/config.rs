//! A shop's routing configuration: teams (技能组), ordered rules, the VIP policy and timings.
//! One validated document per shop, stored as a shop setting and edited whole, so a rule list
//! is never half-saved and every edit is one audited change.

use crate::customer::Channel;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The setting key the document is stored under.
pub const SETTING_KEY: &str = "routing";

/// A shop's routing configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// Teams (技能组).
    pub teams: Vec<Team>,
    /// Rules, first match wins.
    pub rules: Vec<Rule>,
    /// Where conversations no rule matches go; none means every agent of the shop.
    pub default_team: Option<String>,
    /// Per-agent skills and languages (capacity lives on the user).
    pub agents: BTreeMap<UserId, AgentProfile>,
    /// Who counts as VIP and what that earns them.
    pub vip: VipPolicy,
    /// Offer, overflow, stickiness and closing times.
    pub timings: Timings,
}

/// A team (技能组) of agents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Team {
    /// Short id used in rules and the API, e.g. `presale`.
    pub id: String,
    /// Shown name, e.g. 售前.
    pub name: String,
    /// What the team knows (informational; rules pick teams).
    pub skills: Vec<String>,
    /// Members.
    pub members: Vec<UserId>,
    /// Backup pool: agents offered this team's conversations once they waited too long.
    pub backup: Vec<UserId>,
    /// When the team works; none means always.
    pub hours: Option<BusinessHours>,
}

/// Opening hours of a team in one fixed UTC offset (China has one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// ISO weekdays the team works, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Opening time, `HH:MM`.
    pub open: String,
    /// Closing time, `HH:MM` (after `open`).
    pub close: String,
    /// Minutes east of UTC; 480 for Beijing time.
    #[serde(default = "beijing")]
    pub utc_offset_minutes: i32,
}

fn beijing() -> i32 {
    480
}

/// Languages and skills of one agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AgentProfile {
    /// Languages spoken (`zh`, `en` …); empty means any.
    pub languages: Vec<String>,
    /// Skills (informational).
    pub skills: Vec<String>,
    /// Most conversations at once, overriding the account's capacity.
    pub capacity: Option<u32>,
}

/// One routing rule: when every given condition holds, send to `team` with `priority`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    /// Shown name.
    pub name: String,
    /// Off rules are kept but skipped.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Conditions; an empty list or absent value means "any".
    pub when: Conditions,
    /// Target team; none keeps the default team.
    pub team: Option<String>,
    /// Priority; higher is served first.
    pub priority: i32,
}

fn yes() -> bool {
    true
}

/// Conditions of a rule. Lists match when any element matches; all given conditions must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    /// Channels / sources.
    pub channels: Vec<Channel>,
    /// Words the message contains.
    pub keywords: Vec<String>,
    /// Shop intents (from the bot's model).
    pub intents: Vec<String>,
    /// Hotspot categories, level 1 or level 2 names.
    pub hotspots: Vec<String>,
    /// Customer tags.
    pub customer_tags: Vec<String>,
    /// VIP or not.
    pub vip: Option<bool>,
    /// Sentiment: `negative`, `neutral` or `positive`.
    pub sentiment: Option<String>,
    /// Strong emotion (anger, escalation threats).
    pub strong_emotion: Option<bool>,
    /// Languages (`zh`, `en`).
    pub languages: Vec<String>,
}

/// Who is VIP (by RFM over the shop's orders) and what they get.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct VipPolicy {
    /// Off: nobody is VIP by orders (a `VIP` tag still counts).
    pub enabled: bool,
    /// The window orders count in.
    pub window_days: u32,
    /// Spent at least this much in the window (fen).
    pub min_spent_cents: i64,
    /// And placed at least this many orders in the window.
    pub min_orders: u32,
    /// Added to a VIP conversation's priority (they jump the queue).
    pub priority_boost: i32,
    /// Send VIPs to this team instead of the rule's.
    pub team: Option<String>,
}

impl Default for VipPolicy {
    fn default() -> Self {
        Self { enabled: true, window_days: 30, min_spent_cents: 50_000, min_orders: 1, priority_boost: 10, team: None }
    }
}

/// Timings of assignment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Timings {
    /// Seconds an agent has to accept an offered conversation; 0 assigns directly.
    pub offer_timeout_secs: u32,
    /// Seconds of waiting after which the team's backup pool may take a conversation.
    pub overflow_after_secs: u32,
    /// Prefer the customer's last agent when they can take it.
    pub sticky: bool,
    /// Close conversations without a message for this long (minutes); 0 never.
    pub auto_close_after_mins: u32,
    /// Invite the customer to rate the service when a conversation is resolved.
    pub csat_on_resolve: bool,
    /// The merchant's rating question, 1-100 characters (the invitation adds how to answer).
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S", max_length = 100))]
    pub csat_question: String,
    /// Stars from 1 to this (2 to 10).
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 10))]
    pub csat_scale: u8,
}

impl Timings {
    /// The shop's rating question and scale.
    pub fn survey(&self) -> crate::csat::Survey {
        crate::csat::Survey { question: self.csat_question.clone(), scale: self.csat_scale }
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self { offer_timeout_secs: 0, overflow_after_secs: 60, sticky: true, auto_close_after_mins: 30, csat_on_resolve: true, csat_question: crate::csat::default_question(), csat_scale: crate::csat::DEFAULT_SCALE }
    }
}

/// One problem with a configuration, at a JSON path.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigProblem {
    /// Where, e.g. `rules[2].team`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl RoutingConfig {
    /// Every problem with the document; `known_users` are the shop's users.
    pub fn problems(&self, known_users: &HashSet<UserId>) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let mut bad = |path: String, message: &str| out.push(ConfigProblem { path, message: message.into() });
        let mut ids = HashSet::new();
        for (i, t) in self.teams.iter().enumerate() {
            if !valid_id(&t.id) {
                bad(format!("teams[{i}].id"), "must be 1-32 characters of a-z, 0-9, - or _");
            }
            if !ids.insert(t.id.as_str()) {
                bad(format!("teams[{i}].id"), "is used by another team");
            }
            if t.name.trim().is_empty() || t.name.chars().count() > 64 {
                bad(format!("teams[{i}].name"), "must be 1-64 characters");
            }
            for (field, list) in [("members", &t.members), ("backup", &t.backup)] {
                for (j, u) in list.iter().enumerate() {
                    if !known_users.contains(u) {
                        bad(format!("teams[{i}].{field}[{j}]"), "is not a user of this shop");
                    }
                }
            }
            if let Some(h) = &t.hours {
                if h.weekdays.is_empty() || h.weekdays.iter().any(|d| !(1..=7).contains(d)) {
                    bad(format!("teams[{i}].hours.weekdays"), "must list days 1 (Monday) to 7 (Sunday)");
                }
                match (minutes_of(&h.open), minutes_of(&h.close)) {
                    (Some(o), Some(c)) if o < c => {}
                    _ => bad(format!("teams[{i}].hours"), "open and close must be HH:MM with open before close"),
                }
                if !(-720..=840).contains(&h.utc_offset_minutes) {
                    bad(format!("teams[{i}].hours.utc_offset_minutes"), "must be between -720 and 840");
                }
            }
        }
        let team_ok = |t: &Option<String>| t.as_ref().is_none_or(|t| ids.contains(t.as_str()));
        if !team_ok(&self.default_team) {
            bad("default_team".into(), "names no team");
        }
        if !team_ok(&self.vip.team) {
            bad("vip.team".into(), "names no team");
        }
        for (i, r) in self.rules.iter().enumerate() {
            if !team_ok(&r.team) {
                bad(format!("rules[{i}].team"), "names no team");
            }
            if !(-100..=100).contains(&r.priority) {
                bad(format!("rules[{i}].priority"), "must be between -100 and 100");
            }
            if r.when.keywords.iter().any(|k| k.trim().is_empty()) {
                bad(format!("rules[{i}].when.keywords"), "must not contain empty words");
            }
            if let Some(s) = &r.when.sentiment {
                if !["negative", "neutral", "positive"].contains(&s.as_str()) {
                    bad(format!("rules[{i}].when.sentiment"), "must be negative, neutral or positive");
                }
            }
        }
        if self.rules.len() > 500 {
            bad("rules".into(), "at most 500 rules");
        }
        for (u, profile) in &self.agents {
            if !known_users.contains(u) {
                bad(format!("agents.{u}"), "is not a user of this shop");
            }
            if profile.capacity.is_some_and(|c| c > 200) {
                bad(format!("agents.{u}.capacity"), "at most 200");
            }
        }
        if !(0..=100).contains(&self.vip.priority_boost) {
            bad("vip.priority_boost".into(), "must be between 0 and 100");
        }
        if self.vip.window_days == 0 || self.vip.window_days > 3650 {
            bad("vip.window_days".into(), "must be between 1 and 3650");
        }
        if self.timings.offer_timeout_secs > 600 {
            bad("timings.offer_timeout_secs".into(), "at most 600");
        }
        for (field, _) in self.timings.survey().problems() {
            let message = if field == "scale" { "must be between 2 and 10" } else { "must be 1-100 characters" };
            bad(format!("timings.csat_{field}"), message);
        }
        out
    }

    /// The team with this id.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }
}

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `HH:MM` → minutes after midnight.
pub(crate) fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl BusinessHours {
    /// Open before close, both `HH:MM`, and a real UTC offset.
    pub fn is_well_formed(&self) -> bool {
        matches!((minutes_of(&self.open), minutes_of(&self.close)), (Some(o), Some(c)) if o < c) && (-720..=840).contains(&self.utc_offset_minutes)
    }

    /// Whether the team works at `now` (ms since the epoch).
    pub fn is_open(&self, now: crate::clock::Millis) -> bool {
        let local_min = now.div_euclid(60_000) + i64::from(self.utc_offset_minutes);
        let day = local_min.div_euclid(24 * 60);
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = ((day + 3).rem_euclid(7) + 1) as u8;
        let minute = local_min.rem_euclid(24 * 60) as u32;
        let (Some(open), Some(close)) = (minutes_of(&self.open), minutes_of(&self.close)) else { return false };
        self.weekdays.contains(&weekday) && minute >= open && minute < close
    }
}
