//! Customer satisfaction (CSAT) in words: the invitation a shop sends when a conversation is
//! resolved (its own question, its own scale), reading a digit reply on that scale, the
//! thank-you, and the rating's text as stored in the customer's message.

use kefu_i18n::{Lang, Message};
use serde::{Deserialize, Serialize};

/// The question a shop starts with (kefu's own, in Chinese). While a shop keeps it, each
/// customer reads kefu's question in their language; a question the shop wrote is sent as
/// written.
pub fn default_question() -> String {
    kefu_i18n::render(Lang::ZhCn, "customer-rating-question")
}

/// The scale a shop rates on unless it chose another.
pub const DEFAULT_SCALE: u8 = 5;

/// The smallest and largest scale a shop may choose (a digit reply must stay short).
pub const SCALE_RANGE: std::ops::RangeInclusive<u8> = 2..=10;

/// The longest question, in characters.
pub const QUESTION_MAX: usize = 100;

/// Said to the customer once their rating is recorded.
pub fn thanks(lang: Lang) -> String {
    kefu_i18n::render(lang, "customer-rating-thanks")
}

/// What the shop asks and on which scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    /// The merchant's question.
    pub question: String,
    /// Stars from 1 to this.
    pub scale: u8,
}

impl Default for Survey {
    fn default() -> Self {
        Self { question: default_question(), scale: DEFAULT_SCALE }
    }
}

impl Survey {
    /// The invitation message in `lang`: the question, then how to answer by text (channels
    /// without stars reply with a digit; the widget shows stars under this message).
    pub fn invitation(&self, lang: Lang) -> String {
        let q = self.question.trim();
        let question = if q.is_empty() || q == default_question() { kefu_i18n::render(lang, "customer-rating-question") } else { q.to_string() };
        let ended = question.ends_with(['。', '？', '！', '?', '!', '.', '～', '~', '：', ':']);
        Message::new("customer-rating-invitation").arg("question", question).arg("ended", if ended { "yes" } else { "no" }).arg("scale", u32::from(self.scale)).render(lang)
    }

    /// Whether `text` is this survey's invitation in any language (a customer's language may
    /// have been learnt after it was sent).
    pub fn is_invitation(&self, text: &str) -> bool {
        Lang::ALL.iter().any(|&lang| self.invitation(lang) == text)
    }

    /// A reply that is only a number of stars on this scale ("4", "4分", "5星！").
    pub fn rating_reply(&self, text: &str) -> Option<u8> {
        let t = text.trim().trim_end_matches(['分', '星', '!', '！', '。']);
        let stars: u8 = t.trim().parse().ok()?;
        self.accepts(stars).then_some(stars)
    }

    /// Stars are on this scale.
    pub fn accepts(&self, stars: u8) -> bool {
        (1..=self.scale).contains(&stars)
    }

    /// Problems with a question and scale, as (field, message in Chinese).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let n = self.question.trim().chars().count();
        if n == 0 || n > QUESTION_MAX {
            out.push(("question", format!("评价邀请语不能为空，且不超过 {QUESTION_MAX} 个字")));
        }
        if !SCALE_RANGE.contains(&self.scale) {
            out.push(("scale", format!("评分满分需在 {} 到 {} 之间", SCALE_RANGE.start(), SCALE_RANGE.end())));
        }
        out
    }
}

/// A conversation's rating as stored (its `conversation_rated` event).
#[derive(Clone, Debug, PartialEq)]
pub struct Rating {
    /// The conversation rated.
    pub conversation_id: crate::ids::ConversationId,
    /// 1 to `scale` stars.
    pub stars: u8,
    /// The shop's scale then.
    pub scale: u8,
    /// The customer's message that carried it (its text holds the comment).
    pub comment_id: Option<crate::ids::MessageId>,
    /// When.
    pub at: crate::clock::Millis,
}

/// The customer's message that carries a rating, in their language: "4 分" or "4 分：很耐心",
/// "4 stars" or "4 stars: very patient".
pub fn rating_text(stars: u8, comment: Option<&str>, lang: Lang) -> String {
    let rated = Message::new("customer-rating-stars").arg("stars", u32::from(stars)).render(lang);
    match comment.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Message::new("customer-rating-with-comment").arg("rated", rated).arg("comment", t).render(lang),
        None => rated,
    }
}

/// The comment inside a rating message written by [`rating_text`] (in either language); none
/// for a bare digit.
pub fn comment_of(text: &str) -> Option<String> {
    // The first separator after the stars: a comment may hold either kind itself.
    let (zh, en) = (text.find('：').map(|i| (i, '：'.len_utf8())), text.find(": ").map(|i| (i, 2)));
    let (at, len) = [zh, en].into_iter().flatten().min()?;
    let comment = text[at + len..].trim();
    (!comment.is_empty()).then(|| comment.to_string())
}

/// Stars on a shop's scale mapped onto five (the analytics figures' scale): 1 stays 1, the
/// top stays 5, the rest in proportion, rounded.
pub fn on_five(stars: u8, scale: u8) -> u8 {
    if scale == 5 || scale < 2 {
        return stars.min(5);
    }
    let stars = stars.clamp(1, scale);
    let mapped = 1.0 + f32::from(stars - 1) * 4.0 / f32::from(scale - 1);
    mapped.round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_invitation_reads_as_before() {
        assert_eq!(Survey::default().invitation(Lang::ZhCn), "亲，本次服务已结束。请为我们的服务打分：回复 1-5（5 分最满意），也欢迎留下您的意见～");
        assert_eq!(
            Survey::default().invitation(Lang::En),
            "This conversation has ended. How would you rate our service? Reply with a number from 1 to 5 (5 is best). Comments are welcome too."
        );
        let s = Survey { question: "您对本次服务满意吗？".into(), scale: 3 };
        assert_eq!(s.invitation(Lang::ZhCn), "您对本次服务满意吗？回复 1-3（3 分最满意），也欢迎留下您的意见～");
        let own = Survey { question: "How did we do".into(), scale: 10 };
        assert_eq!(own.invitation(Lang::En), "How did we do: Reply with a number from 1 to 10 (10 is best). Comments are welcome too.", "a shop's own question stays as written");
        assert!(Survey::default().is_invitation(&Survey::default().invitation(Lang::En)) && !s.is_invitation("您对本次服务满意吗？"));
    }

    #[test]
    fn a_digit_reply_counts_only_on_the_shops_scale() {
        let five = Survey::default();
        assert_eq!((five.rating_reply("4"), five.rating_reply(" 5分！"), five.rating_reply("5星")), (Some(4), Some(5), Some(5)));
        assert_eq!((five.rating_reply("6"), five.rating_reply("0"), five.rating_reply("4 件")), (None, None, None));
        let three = Survey { scale: 3, ..Survey::default() };
        assert_eq!((three.rating_reply("3"), three.rating_reply("4"), three.rating_reply("5")), (Some(3), None, None));
        let ten = Survey { scale: 10, ..Survey::default() };
        assert_eq!((ten.rating_reply("10分"), ten.rating_reply("11")), (Some(10), None));
    }

    #[test]
    fn question_and_scale_are_checked_at_their_fields() {
        assert!(Survey::default().problems().is_empty());
        let bad = Survey { question: "  ".into(), scale: 11 };
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["question", "scale"]);
        assert_eq!(Survey { scale: 1, ..Survey::default() }.problems()[0].0, "scale");
        assert_eq!(Survey { question: "问".repeat(101), ..Survey::default() }.problems()[0].0, "question");
    }

    #[test]
    fn other_scales_map_onto_five_stars() {
        assert_eq!([1, 2, 3].map(|s| on_five(s, 3)), [1, 3, 5]);
        assert_eq!([1, 4, 5].map(|s| on_five(s, 5)), [1, 4, 5]);
        assert_eq!([1, 5, 8, 10].map(|s| on_five(s, 10)), [1, 3, 4, 5]);
    }

    #[test]
    fn the_comment_comes_back_out_of_the_rating_message() {
        assert_eq!(rating_text(4, Some(" 很耐心 "), Lang::ZhCn), "4 分：很耐心");
        assert_eq!(rating_text(2, Some(""), Lang::ZhCn), "2 分");
        assert_eq!((rating_text(1, None, Lang::En), rating_text(4, Some("Very patient: thanks"), Lang::En)), ("1 star".into(), "4 stars: Very patient: thanks".into()));
        assert_eq!(comment_of(&rating_text(4, Some("Very patient: thanks"), Lang::En)), Some("Very patient: thanks".into()));
        assert_eq!(comment_of("5 stars"), None);
        assert_eq!(comment_of(&rating_text(5, Some("很耐心：谢谢"), Lang::En)), Some("很耐心：谢谢".into()));
        assert_eq!(comment_of(&rating_text(5, Some("Great: thanks"), Lang::ZhCn)), Some("Great: thanks".into()));
        assert_eq!(comment_of("4 分：很耐心：谢谢"), Some("很耐心：谢谢".into()));
        assert_eq!((comment_of("2 分"), comment_of("5")), (None, None));
    }
}
