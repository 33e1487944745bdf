//! When the bot hands over to a person: each rule on/off and tunable per shop.

use crate::clock::Millis;
use crate::routing::{BusinessHours, ConfigProblem};
use serde::{Deserialize, Serialize};

/// A shop's hand-off rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct HandoffPolicy {
    /// Hand over after this many unrecognised messages in a row (0 = never).
    pub unknown_streak: u32,
    /// Hand over on anger or a complaint threat (12315, 差评, 投诉).
    pub strong_emotion: bool,
    /// Hand over when the customer asks for a person (人工, 真人, human, agent; not "不用转人工").
    pub explicit_request: bool,
    /// VIP customers go straight to a person.
    pub vip: bool,
    /// Honour FAQs flagged `transfer_to_human`.
    pub faq_transfer: bool,
    /// The bot answers only in these hours; outside them conversations go to people.
    pub bot_hours: Option<BusinessHours>,
}

impl Default for HandoffPolicy {
    fn default() -> Self {
        HandoffPolicy { unknown_streak: 3, strong_emotion: true, explicit_request: true, vip: false, faq_transfer: true, bot_hours: None }
    }
}

/// Why the bot hands over; the names are the `handed_off` event's reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// Too many unrecognised messages in a row.
    UnknownStreak,
    /// Anger or a complaint threat.
    StrongEmotion,
    /// The customer asked for a person.
    AskedForHuman,
    /// VIP customers are served by people.
    Vip,
    /// The FAQ answered is flagged for transfer.
    FaqTransfer,
    /// Outside the bot's hours.
    OutsideBotHours,
}

impl HandoffReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::UnknownStreak => "unknown_streak",
            HandoffReason::StrongEmotion => "strong_emotion",
            HandoffReason::AskedForHuman => "asked_for_human",
            HandoffReason::Vip => "vip",
            HandoffReason::FaqTransfer => "faq_transfer",
            HandoffReason::OutsideBotHours => "outside_bot_hours",
        }
    }

    /// Shown on the agent's context card.
    pub fn explain(self) -> &'static str {
        match self {
            HandoffReason::UnknownStreak => "机器人连续多次未能识别客户问题",
            HandoffReason::StrongEmotion => "客户情绪激动或威胁投诉",
            HandoffReason::AskedForHuman => "客户要求转人工",
            HandoffReason::Vip => "VIP 客户直接转人工",
            HandoffReason::FaqTransfer => "命中需转人工的问题",
            HandoffReason::OutsideBotHours => "不在机器人服务时间",
        }
    }
}

impl HandoffPolicy {
    /// Problems, with paths relative to the policy.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.unknown_streak > 20 {
            out.push(super::kb::problem("unknown_streak".into(), "must be 0 (off) to 20"));
        }
        if let Some(h) = &self.bot_hours {
            if h.weekdays.is_empty() || h.weekdays.iter().any(|d| !(1..=7).contains(d)) || !h.is_well_formed() {
                out.push(super::kb::problem("bot_hours".into(), "needs weekdays 1-7 and HH:MM open before close"));
            }
        }
        out
    }

    /// Before the bot reads a message: people only (VIP, outside hours)?
    pub fn before_bot(&self, vip: bool, now: Millis) -> Option<HandoffReason> {
        if self.vip && vip {
            return Some(HandoffReason::Vip);
        }
        if self.bot_hours.as_ref().is_some_and(|h| !h.is_open(now)) {
            return Some(HandoffReason::OutsideBotHours);
        }
        None
    }

    /// What the message itself says: asks for a person, or is angry.
    pub fn on_message(&self, wants_human: bool, strong_emotion: bool) -> Option<HandoffReason> {
        if self.explicit_request && wants_human {
            return Some(HandoffReason::AskedForHuman);
        }
        if self.strong_emotion && strong_emotion {
            return Some(HandoffReason::StrongEmotion);
        }
        None
    }

    /// After the bot answered (or failed to): too many unknowns, or an FAQ flagged transfer.
    pub fn after_answer(&self, unknown_streak: u32, faq_transfer: bool) -> Option<HandoffReason> {
        if self.faq_transfer && faq_transfer {
            return Some(HandoffReason::FaqTransfer);
        }
        if self.unknown_streak > 0 && unknown_streak >= self.unknown_streak {
            return Some(HandoffReason::UnknownStreak);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_can_be_switched_off() {
        let on = HandoffPolicy { vip: true, ..HandoffPolicy::default() };
        assert_eq!(on.before_bot(true, 0), Some(HandoffReason::Vip));
        assert_eq!(on.on_message(true, false), Some(HandoffReason::AskedForHuman));
        assert_eq!(on.on_message(false, true), Some(HandoffReason::StrongEmotion));
        assert_eq!(on.after_answer(3, false), Some(HandoffReason::UnknownStreak));
        assert_eq!(on.after_answer(2, false), None);
        assert_eq!(on.after_answer(0, true), Some(HandoffReason::FaqTransfer));
        let off = HandoffPolicy { unknown_streak: 0, strong_emotion: false, explicit_request: false, vip: false, faq_transfer: false, bot_hours: None };
        assert_eq!(off.before_bot(true, 0), None);
        assert_eq!(off.on_message(true, true), None);
        assert_eq!(off.after_answer(99, true), None);
    }

    #[test]
    fn outside_bot_hours() {
        // 1970-01-01 was a Thursday; 09:00-18:00 Beijing on weekdays.
        let hours = BusinessHours { weekdays: vec![1, 2, 3, 4, 5], open: "09:00".into(), close: "18:00".into(), utc_offset_minutes: 480 };
        let p = HandoffPolicy { bot_hours: Some(hours), ..HandoffPolicy::default() };
        let at = |h: i64| (h - 8) * 3_600_000;
        assert_eq!(p.before_bot(false, at(10)), None);
        assert_eq!(p.before_bot(false, at(20)), Some(HandoffReason::OutsideBotHours));
    }
}
