//! Where a conversation goes: the first matching rule, then the VIP policy, then team hours.

use super::config::{Conditions, RoutingConfig};
use crate::clock::Millis;
use crate::customer::Channel;
use serde::Serialize;

/// What routing knows about a conversation when it needs a person.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The channel the message came on.
    pub channel: Option<Channel>,
    /// The message, normalised (lower case, half width, simplified).
    pub text: String,
    /// The shop intent, when the bot recognised one.
    pub intent: Option<String>,
    /// Hotspot level 1 and level 2.
    pub hotspots: [String; 2],
    /// Customer tags.
    pub tags: Vec<String>,
    /// VIP by RFM or tag.
    pub vip: bool,
    /// `negative`, `neutral` or `positive`.
    pub sentiment: String,
    /// Anger or an escalation threat.
    pub strong_emotion: bool,
    /// `zh`, `en` or `other`.
    pub language: String,
}

/// The routing decision for one conversation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Route {
    /// Team; none means every agent of the shop.
    pub team: Option<String>,
    /// Priority; higher is served first.
    pub priority: i32,
    /// The rule that matched, by name.
    pub rule: Option<String>,
    /// The customer is VIP.
    pub vip: bool,
}

/// Route a conversation by the shop's rules at `now`. A rule whose team is closed at `now`
/// is passed over, so an after-hours rule further down (or the default) takes it.
pub fn route(config: &RoutingConfig, facts: &Facts, now: Millis) -> Route {
    let open = |team: &Option<String>| {
        team.as_deref()
            .and_then(|id| config.team(id))
            .and_then(|t| t.hours.as_ref())
            .is_none_or(|h| h.is_open(now))
    };
    let matched = config.rules.iter().find(|r| r.enabled && matches(&r.when, facts) && open(&r.team));
    let mut out = match matched {
        Some(r) => Route { team: r.team.clone().or_else(|| config.default_team.clone()), priority: r.priority, rule: Some(r.name.clone()), vip: false },
        None => Route { team: config.default_team.clone(), ..Route::default() },
    };
    if facts.vip {
        out.vip = true;
        out.priority += config.vip.priority_boost;
        if config.vip.team.is_some() && open(&config.vip.team) {
            out.team = config.vip.team.clone();
        }
    }
    out
}

/// Whether every given condition holds.
pub fn matches(c: &Conditions, f: &Facts) -> bool {
    let any = |list: &[String], pred: &dyn Fn(&str) -> bool| list.is_empty() || list.iter().any(|x| pred(x));
    (c.channels.is_empty() || f.channel.is_some_and(|ch| c.channels.contains(&ch)))
        && any(&c.keywords, &|k| f.text.contains(&k.to_lowercase()))
        && any(&c.intents, &|i| f.intent.as_deref() == Some(i))
        && any(&c.hotspots, &|h| f.hotspots.iter().any(|x| x == h))
        && any(&c.customer_tags, &|t| f.tags.iter().any(|x| x == t))
        && any(&c.languages, &|l| f.language == l)
        && c.vip.is_none_or(|v| v == f.vip)
        && c.strong_emotion.is_none_or(|v| v == f.strong_emotion)
        && c.sentiment.as_ref().is_none_or(|s| *s == f.sentiment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::config::{BusinessHours, Rule, Team};

    fn team(id: &str, hours: Option<BusinessHours>) -> Team {
        Team { id: id.into(), name: id.into(), hours, ..Team::default() }
    }

    fn rule(name: &str, when: Conditions, team: &str, priority: i32) -> Rule {
        Rule { name: name.into(), enabled: true, when, team: Some(team.into()), priority }
    }

    fn config() -> RoutingConfig {
        RoutingConfig {
            teams: vec![team("presale", None), team("aftersale", None), team("complaints", None), team("vip", None)],
            rules: vec![
                rule("angry", Conditions { strong_emotion: Some(true), ..Default::default() }, "complaints", 20),
                rule("refund words", Conditions { keywords: vec!["退款".into(), "退货".into()], ..Default::default() }, "aftersale", 5),
                rule("orders", Conditions { channels: vec![Channel::OrderMessage], ..Default::default() }, "aftersale", 0),
            ],
            default_team: Some("presale".into()),
            ..Default::default()
        }
    }

    #[test]
    fn first_matching_rule_wins_and_default_catches_the_rest() {
        let c = config();
        let facts = Facts { text: "我要退款".into(), strong_emotion: true, ..Default::default() };
        assert_eq!(route(&c, &facts, 0).rule.as_deref(), Some("angry"));
        let facts = Facts { text: "我要退款".into(), ..Default::default() };
        let r = route(&c, &facts, 0);
        assert_eq!((r.team.as_deref(), r.priority), (Some("aftersale"), 5));
        let facts = Facts { text: "在吗".into(), channel: Some(Channel::OrderMessage), ..Default::default() };
        assert_eq!(route(&c, &facts, 0).rule.as_deref(), Some("orders"));
        let r = route(&c, &Facts { text: "有货吗".into(), ..Default::default() }, 0);
        assert_eq!((r.team.as_deref(), r.rule), (Some("presale"), None));
    }

    #[test]
    fn vip_jumps_the_queue_and_may_have_a_team() {
        let mut c = config();
        let facts = Facts { text: "有货吗".into(), vip: true, ..Default::default() };
        let r = route(&c, &facts, 0);
        assert_eq!((r.team.as_deref(), r.priority, r.vip), (Some("presale"), 10, true));
        c.vip.team = Some("vip".into());
        assert_eq!(route(&c, &facts, 0).team.as_deref(), Some("vip"));
    }

    #[test]
    fn a_closed_team_is_passed_over() {
        let mut c = config();
        // Monday to Friday 09:00-18:00 Beijing time.
        let hours = BusinessHours { weekdays: vec![1, 2, 3, 4, 5], open: "09:00".into(), close: "18:00".into(), utc_offset_minutes: 480 };
        c.teams[1] = team("aftersale", Some(hours.clone()));
        c.rules.push(rule("after hours refunds", Conditions { keywords: vec!["退款".into()], ..Default::default() }, "complaints", 1));
        // 2026-11-23 is a Monday: 10:00 Beijing = 02:00 UTC.
        let monday_10 = utc_ms(2026, 11, 23, 2, 0);
        assert!(hours.is_open(monday_10));
        let facts = Facts { text: "退款".into(), ..Default::default() };
        assert_eq!(route(&c, &facts, monday_10).team.as_deref(), Some("aftersale"));
        let monday_20 = monday_10 + 10 * 3_600_000;
        assert!(!hours.is_open(monday_20));
        assert_eq!(route(&c, &facts, monday_20).team.as_deref(), Some("complaints"));
    }

    fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        let date = chrono::NaiveDate::from_ymd_opt(y, mo, d).expect("valid date");
        date.and_hms_opt(h, mi, 0).expect("valid time").and_utc().timestamp_millis()
    }
}
