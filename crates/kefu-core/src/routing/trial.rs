//! "Test this message": where a routing document would send a message, read the same way an
//! arriving message is (language, hotspots, sentiment), without touching any conversation.

use super::config::RoutingConfig;
use super::rules::{route, Facts, Route};
use crate::clock::Millis;
use crate::customer::Channel;
use serde::Serialize;

/// What the trial saw in the message and where it would go.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trial {
    /// The rule that matched, by name (none: the default team).
    pub rule: Option<String>,
    /// 1-based place of that rule in the ordered list.
    pub rule_position: Option<usize>,
    /// Team id (none: every agent of the shop).
    pub team: Option<String>,
    /// The team's shown name.
    pub team_name: Option<String>,
    /// Priority; higher is served first.
    pub priority: i32,
    /// Treated as VIP.
    pub vip: bool,
    /// What the message was read as: language, hotspots, sentiment.
    pub language: String,
    /// Hotspot level 1 and level 2.
    pub hotspots: [String; 2],
    /// `negative`, `neutral` or `positive`.
    pub sentiment: String,
}

/// Route `text` as if it arrived on `channel` from a customer with `tags` (and VIP or not).
pub fn trial(config: &RoutingConfig, channel: Channel, text: &str, tags: &[String], vip: bool, now: Millis) -> Trial {
    let analysis = kefu_nlp::engine::analyze(text);
    let facts = Facts {
        channel: Some(channel),
        text: kefu_nlp::normalise::normalise(text),
        intent: analysis.intent.as_ref().and_then(|p| p.label.clone()),
        hotspots: [analysis.l1.clone(), analysis.l2.clone()],
        tags: tags.to_vec(),
        vip,
        sentiment: plain(&analysis.sentiment),
        strong_emotion: analysis.strong_emotion,
        language: plain(&analysis.language),
    };
    let Route { team, priority, rule, vip } = route(config, &facts, now);
    let rule_position = rule.as_ref().and_then(|name| config.rules.iter().position(|r| &r.name == name)).map(|i| i + 1);
    let team_name = team.as_deref().and_then(|id| config.team(id)).map(|t| t.name.clone());
    Trial { rule, rule_position, team, team_name, priority, vip, language: facts.language, hotspots: facts.hotspots, sentiment: facts.sentiment }
}

fn plain<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::config::{Conditions, Rule, Team};

    fn config() -> RoutingConfig {
        let team = |id: &str, name: &str| Team { id: id.into(), name: name.into(), skills: vec![], members: vec![], backup: vec![], hours: None };
        let rule = |name: &str, kw: &str, team: &str| Rule {
            name: name.into(),
            enabled: true,
            when: Conditions { keywords: vec![kw.into()], ..Conditions::default() },
            team: Some(team.into()),
            priority: 5,
        };
        RoutingConfig {
            teams: vec![team("presale", "售前"), team("aftersale", "售后")],
            rules: vec![rule("退款去售后", "退款", "aftersale"), rule("优惠去售前", "优惠", "presale")],
            default_team: Some("presale".into()),
            ..RoutingConfig::default()
        }
    }

    #[test]
    fn names_the_first_matching_rule_and_its_team() {
        let t = trial(&config(), Channel::Widget, "我要退款，东西坏了", &[], false, 0);
        assert_eq!(t.rule.as_deref(), Some("退款去售后"));
        assert_eq!(t.rule_position, Some(1));
        assert_eq!(t.team_name.as_deref(), Some("售后"));
    }

    #[test]
    fn no_rule_goes_to_the_default_team() {
        let t = trial(&config(), Channel::Widget, "你好", &[], false, 0);
        assert_eq!(t.rule, None);
        assert_eq!(t.team.as_deref(), Some("presale"));
    }
}
