//! Hand-off requests: the customer asks for a person (人工/真人/human/agent, or asks to be put
//! through to 客服/店长/老板/someone), unless they decline one, quote one, or ask about one.
//!
//! Words are read in their place (issue 22): 人工 and 真人 ask on their own, but 客服, 老板,
//! 店长 and a bare 人 ask only after a request verb (找/叫/换/让 …), since customers greet the
//! seller as 老板 and mention 客服 in passing; any of them is no ask when it is declined
//! (不用转人工), quoted (刚才人工客服说 …) or the subject of a question (人工客服几点上班).

mod context;

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use context::{asks_about_staff, has_request_verb, is_declined, is_quoted};

/// Words that name a person on their own: seeing one is an ask unless context says otherwise.
const PERSON: &[&str] = &[
    "人工", "真人", "活人", "转人功", "转人公", "客服小姐姐", "客服小哥", "human", "agent", "real person", "live person",
    "representative", "operator",
];

/// Staff words that ask only after a request verb ("找你们老板", not "老板，这个有货吗").
const STAFF: &[&str] = &[
    "客服", "店长", "老板", "负责人", "工作人员", "同事", "主管", "经理", "管理员", "manager", "supervisor", "someone", "somebody",
];

/// Asks without a person word: rejecting the bot, or calling for "a person".
const REJECTS_BOT: &[&str] = &[
    "不要机器人", "别让机器人", "机器人听不懂", "不想跟机器人", "不想和机器人", "破机器人", "垃圾机器人", "不要自动回复",
    "别用自动回复", "别自动回复", "找个人", "叫个人", "找人", "叫人", "换人", "换个人", "来个人", "跟人说", "和人说", "跟人聊",
    "人呢", "人都死", "not a bot", "not a robot", "talk to someone", "speak to someone",
];

/// Compounds that contain a person word but are about something else (人工智能, 人工费).
const NOT_ASKS: &[&str] = &[
    "人工智能", "非人工", "人工费", "人工成本", "人工合成", "人工养殖", "人工种植", "人工湖", "真人秀", "真人版", "agent fee",
    "找人代", "叫人代",
];

static PERSON_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(PERSON).ok());
static STAFF_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(STAFF).ok());
static REJECT_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(REJECTS_BOT).ok());
static NOT_ASK_AC: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(NOT_ASKS).ok());

/// True when normalised text asks for a human agent.
pub fn wants_human(normalised: &str) -> bool {
    let (Some(person), Some(staff), Some(reject), Some(not_ask)) = (PERSON_AC.as_ref(), STAFF_AC.as_ref(), REJECT_AC.as_ref(), NOT_ASK_AC.as_ref())
    else {
        return false;
    };
    // Blank out compounds that are not asks, then read each remaining person word in place.
    let mut rest = normalised.to_string();
    for m in not_ask.find_iter(normalised) {
        rest.replace_range(m.start()..m.end(), &" ".repeat(m.end() - m.start()));
    }
    let text = rest.as_str();
    let in_place = |start: usize, end: usize| {
        let (before, after) = (&text[..start], &text[end..]);
        is_word_boundary(text, start, end) && !is_declined(before) && !is_quoted(before, after) && !asks_about_staff(before, after)
    };
    if reject.find_iter(text).any(|m| !is_declined(&text[..m.start()]) && !is_quoted(&text[..m.start()], &text[m.end()..])) {
        return true;
    }
    if person.find_iter(text).any(|m| in_place(m.start(), m.end())) {
        return true;
    }
    if staff.find_iter(text).any(|m| has_request_verb(&text[..m.start()]) && in_place(m.start(), m.end())) {
        return true;
    }
    // "找个懂的人来": someone fetched, with a few words between the verb and 人.
    text.match_indices('人').any(|(i, _)| {
        let before = &text[..i];
        text[i + '人'.len_utf8()..].starts_with('来') && context::calls_someone(before) && !is_declined(before)
    })
}

/// English asks must be whole words ("agent" but neither "agents" nor "reagent").
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let first_ascii = text[start..end].bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if !first_ascii {
        return true;
    }
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_ascii_alphabetic());
    before && after
}

#[cfg(test)]
mod tests {
    use super::wants_human;

    #[test]
    fn asks_and_declines() {
        for t in ["转人工", "我要人工客服", "叫个真人来", "i want to talk to a human", "agent please", "换个客服", "我要找你们老板", "能找个懂的人来吗"] {
            assert!(wants_human(t), "{t}");
        }
        for t in ["不用转人工 我自己看看", "这是人工智能吗", "什么时候发货", "no need for an agent thanks", "reagent", "别给我转人工,慢"] {
            assert!(!wants_human(t), "{t}");
        }
    }

    #[test]
    fn boss_and_person_alone_do_not_ask() {
        for t in ["你们老板叫什么名字", "老板,这个有货吗", "老板发货了吗", "送人的话有礼盒吗", "本人身高170穿什么码", "这款让人很失望"] {
            assert!(!wants_human(t), "{t}");
        }
    }

    #[test]
    fn quotes_and_questions_about_staff_do_not_ask() {
        for t in ["刚才人工客服说可以退", "人工客服跟我说已经退款了", "上次找人工处理过", "人工客服几点上班", "你是真人吗", "谢谢人工客服", "the agent said yes"] {
            assert!(!wants_human(t), "{t}");
        }
        for t in ["让客服跟我说话", "能让你们老板跟我说吗", "人工客服在吗"] {
            assert!(wants_human(t), "{t}");
        }
    }
}
