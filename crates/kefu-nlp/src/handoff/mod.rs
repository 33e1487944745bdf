//! Hand-off requests: the customer asks for a human (人工/真人/human/agent), unless they decline one.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

const ASKS: &[&str] = &[
    "人工", "真人", "活人", "客服小姐姐", "客服小哥", "找客服", "叫客服", "换个客服", "换客服", "店长", "你们老板",
    "不要机器人", "别让机器人", "机器人听不懂", "不想跟机器人", "是机器人吗", "human", "agent", "real person",
    "representative", "operator", "talk to someone", "speak to someone", "live person",
];

/// Phrases that contain an ask but decline it ("不用转人工", "no need for an agent").
const DECLINES: &[&str] = &[
    "不用转人工", "不用人工", "不需要人工", "不要人工", "不用找人工", "不转人工", "别转人工", "无需人工", "不用真人",
    "不需要真人", "人工智能", "非人工", "人工费", "人工成本", "人工合成", "人工养殖", "人工种植", "no need for a human",
    "no need for an agent", "don't need a human", "don't need an agent", "dont need a human", "no human", "agent fee",
];

static ASK: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(ASKS).ok());
static DECLINE: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(DECLINES).ok());

/// True when normalised text asks for a human agent.
pub fn wants_human(normalised: &str) -> bool {
    let (Some(ask), Some(decline)) = (ASK.as_ref(), DECLINE.as_ref()) else { return false };
    // Blank out declined phrases first, then look for an ask in what is left.
    let mut rest = normalised.to_string();
    for m in decline.find_iter(normalised) {
        rest.replace_range(m.start()..m.end(), &" ".repeat(m.end() - m.start()));
    }
    ask.find_iter(&rest).any(|m| is_word_boundary(&rest, m.start(), m.end()))
}

/// English asks must be whole words ("agent" but not "agents'" in "reagents").
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let first_ascii = text[start..end].bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if !first_ascii {
        return true;
    }
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_ascii_alphabetic() || c == 's');
    before && after
}

#[cfg(test)]
mod tests {
    use super::wants_human;

    #[test]
    fn asks_and_declines() {
        for t in ["转人工", "我要人工客服", "叫个真人来", "i want to talk to a human", "agent please", "换个客服"] {
            assert!(wants_human(t), "{t}");
        }
        for t in ["不用转人工 我自己看看", "这是人工智能吗", "什么时候发货", "no need for an agent thanks", "reagent"] {
            assert!(!wants_human(t), "{t}");
        }
    }
}
