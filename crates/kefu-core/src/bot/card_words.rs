//! The context card in the reader's words: a sentiment score becomes a mood (calm, unhappy …)
//! with a trend, a slot kind becomes its name (size, colour …), an RFM tier becomes new /
//! returning / VIP, an order status becomes awaiting shipment … The card keeps the codes; the
//! words come from the catalogue (`card-…` ids of the workspace area) in the language asked
//! for. Pure; the card and the profile use them.

use kefu_i18n::Lang;
use serde::Serialize;

/// How many of the latest scores the trend looks at.
const TREND_WINDOW: usize = 5;
/// A change smaller than this is no trend.
const TREND_STEP: f32 = 0.15;
/// Bars of the small sparkline (one per customer message, latest last).
pub const SPARK_BARS: usize = 10;
/// Slot kinds with a name of their own; any other kind is a choice in a flow.
const SLOT_KINDS: [&str; 10] = ["product", "size", "colour", "quantity", "order_id", "phone", "date", "money", "address", "email"];

/// The customer's mood on the card.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mood {
    /// `calm`, `unhappy`, `angry` or `pleased` (stable, for styling and translation).
    pub code: &'static str,
    /// The mood in words (平静, 不满 … in Chinese; calm, unhappy … in English).
    pub word: String,
    /// `better`, `worse` or `steady` over the last messages; none with one message.
    pub trend: Option<&'static str>,
    /// The trend in words (好转, 变差, 平稳 in Chinese).
    pub trend_word: Option<String>,
    /// Bar heights 1 (angry) to 5 (pleased) of the latest messages, oldest first.
    pub levels: Vec<u8>,
}

impl Mood {
    /// Say the mood and its trend in `lang`.
    pub fn reword(&mut self, lang: Lang) {
        self.word = kefu_i18n::render(lang, &format!("card-mood-{}", self.code));
        self.trend_word = self.trend.map(|t| kefu_i18n::render(lang, &format!("card-trend_word-{t}")));
    }
}

/// The mood code of one sentiment score (−1..1).
pub fn mood_of(score: f32) -> &'static str {
    if score <= -0.6 {
        "angry"
    } else if score <= -0.2 {
        "unhappy"
    } else if score >= 0.3 {
        "pleased"
    } else {
        "calm"
    }
}

/// The mood of the latest score and where the scores are heading, in `lang`; none without
/// scores.
pub fn mood(scores: &[f32], lang: Lang) -> Option<Mood> {
    let last = *scores.last()?;
    let recent = &scores[scores.len().saturating_sub(TREND_WINDOW)..];
    let trend = (recent.len() >= 2).then(|| {
        let change = last - recent[0];
        if change >= TREND_STEP {
            "better"
        } else if change <= -TREND_STEP {
            "worse"
        } else {
            "steady"
        }
    });
    let levels = scores[scores.len().saturating_sub(SPARK_BARS)..].iter().map(|s| level(*s)).collect();
    let mut mood = Mood { code: mood_of(last), word: String::new(), trend, trend_word: None, levels };
    mood.reword(lang);
    Some(mood)
}

/// A score as a bar height, 1 to 5.
fn level(score: f32) -> u8 {
    let s = if score.is_finite() { score.clamp(-1.0, 1.0) } else { 0.0 };
    ((s + 1.0) * 2.0).round() as u8 + 1
}

/// Whether a slot or entity kind has a name of its own (`color` is `colour`).
pub fn known_slot(kind: &str) -> bool {
    SLOT_KINDS.contains(&kind) || kind == "color"
}

/// A slot or entity kind in words; a `choice` slot (or any kind without a name) is a choice.
pub fn slot_label(kind: &str, lang: Lang) -> String {
    let kind = match kind {
        "color" => "colour",
        k if known_slot(k) => k,
        _ => "choice",
    };
    kefu_i18n::render(lang, &format!("card-slot-{kind}"))
}

/// The RFM tier in the reader's words (`new` for a tier we do not know).
pub fn tier_word(tier: &str, lang: Lang) -> String {
    let tier = if matches!(tier, "vip" | "regular") { tier } else { "new" };
    kefu_i18n::render(lang, &format!("card-tier-{tier}"))
}

/// An order status in the reader's words.
pub fn order_status_word(status: crate::orders::OrderStatus, lang: Lang) -> String {
    kefu_i18n::render(lang, &format!("card-order-{}", status.as_str()))
}

/// Why the bot handed over, in words; none for a reason code this kefu does not know.
pub fn reason_text(reason: &str, lang: Lang) -> Option<String> {
    let id = format!("card-reason-{reason}");
    kefu_i18n::has_message(lang, &id).then(|| kefu_i18n::render(lang, &id))
}

/// The title shown for a topic deleted from the knowledge base since it was asked about.
pub fn deleted_topic(lang: Lang) -> String {
    kefu_i18n::render(lang, "card-intent_deleted")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrderStatus;

    #[test]
    fn a_score_is_a_mood() {
        assert_eq!([-0.9, -0.3, 0.0, 0.1, 0.6].map(mood_of), ["angry", "unhappy", "calm", "calm", "pleased"]);
        let words = |lang| [-0.9, -0.3, 0.0, 0.6].map(|s| mood(&[s], lang).unwrap().word);
        assert_eq!(words(Lang::ZhCn), ["愤怒", "不满", "平静", "满意"]);
        assert_eq!(words(Lang::En), ["Angry", "Unhappy", "Calm", "Pleased"]);
    }

    #[test]
    fn the_trend_follows_the_latest_messages() {
        assert_eq!(mood(&[], Lang::ZhCn), None);
        let one = mood(&[-0.1], Lang::ZhCn).unwrap();
        assert_eq!((one.word.as_str(), one.trend, one.levels.clone()), ("平静", None, vec![3]));
        let worse = mood(&[0.0, -0.1, -0.2, -0.7], Lang::ZhCn).unwrap();
        assert_eq!((worse.code, worse.trend_word.as_deref()), ("angry", Some("变差")));
        assert_eq!(worse.levels, vec![3, 3, 3, 2]);
        let better = mood(&[-0.8, -0.4, 0.4], Lang::En).unwrap();
        assert_eq!((better.word.as_str(), better.trend, better.trend_word.as_deref()), ("Pleased", Some("better"), Some("improving")));
        assert_eq!(mood(&[0.1, 0.15], Lang::ZhCn).unwrap().trend_word.as_deref(), Some("平稳"));
        // Only the last five scores count towards the trend, and ten towards the bars.
        let long: Vec<f32> = std::iter::repeat_n(-1.0, 10).chain(std::iter::repeat_n(0.0, 5)).collect();
        let m = mood(&long, Lang::ZhCn).unwrap();
        assert_eq!((m.trend, m.levels.len(), m.levels[0], m.levels[9]), (Some("steady"), 10, 1, 3));
        assert_eq!(mood(&[f32::NAN], Lang::ZhCn).unwrap().levels, vec![3]);
    }

    #[test]
    fn kinds_tiers_statuses_and_reasons_are_words_in_either_language() {
        assert_eq!(["size", "color", "order_id", "choice", "made_up"].map(|k| slot_label(k, Lang::ZhCn)), ["尺码", "颜色", "订单号", "选择", "选择"]);
        assert_eq!(["size", "colour"].map(|k| slot_label(k, Lang::En)), ["Size", "Colour"]);
        assert!(known_slot("color") && known_slot("phone") && !known_slot("choice"));
        assert_eq!(["new", "regular", "vip", "odd"].map(|t| tier_word(t, Lang::ZhCn)), ["新客", "老客", "VIP", "新客"]);
        assert_eq!(tier_word("regular", Lang::En), "Returning customer");
        assert_eq!(order_status_word(OrderStatus::Shipped, Lang::ZhCn), "已发货");
        assert_eq!(order_status_word(OrderStatus::Paid, Lang::En), "Awaiting shipment");
        assert_eq!(reason_text("asked_for_human", Lang::ZhCn).as_deref(), Some("客户要求转人工"));
        assert_eq!(reason_text("asked_for_human", Lang::En).as_deref(), Some("The customer asked for a person"));
        assert_eq!(reason_text("no_such_reason", Lang::En), None);
        // Every status and reason this kefu knows has words in every language.
        use super::super::handoff::HandoffReason::*;
        for lang in Lang::ALL {
            for r in [UnknownStreak, StrongEmotion, AskedForHuman, Vip, FaqTransfer, OutsideBotHours] {
                assert!(reason_text(r.as_str(), lang).is_some(), "{r:?} in {lang}");
            }
            for s in [OrderStatus::Created, OrderStatus::Paid, OrderStatus::Shipped, OrderStatus::Delivered, OrderStatus::Completed, OrderStatus::RefundRequested, OrderStatus::Refunded, OrderStatus::Cancelled] {
                assert!(!order_status_word(s, lang).starts_with("card-"), "{s:?} in {lang}");
            }
        }
    }
}
