//! Strong emotion: anger and threats (platform complaint, 12315, bad review) that warrant a human.
//!
//! Two kinds of trigger (issue 22): a threat (投诉, 差评, 12315 …) can be taken back ("不会给
//! 差评") or merely asked about ("差评了可以追评吗"), an insult or outburst (骗子, 气死, 垃圾服务)
//! cannot ("别敷衍我" is still angry). Product words that contain a trigger (垃圾袋, 报警器,
//! 曝光补偿) are blanked out first.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Threats to escalate; negated or asked about, they are not.
const THREATS: &[&str] = &[
    "投诉", "12315", "差评", "举报", "曝光", "工商局", "消协", "消费者协会", "市场监管", "起诉", "律师", "报警", "维权",
    "退一赔三", "假一赔", "告你们", "黑猫", "complaint", "lawyer", "report you", "sue you",
];

/// Insults and outbursts: anger however they are phrased.
const OUTBURSTS: &[&str] = &[
    "骗子", "骗人", "骗我", "坑人", "黑店", "垃圾", "气死", "生气", "愤怒", "火大", "滚蛋", "滚开", "你滚", "妈的", "tmd",
    "他妈", "操你", "cnm", "傻逼", "傻b", "有病吧", "有病啊", "你有病", "脑子有问题", "眼瞎", "恶心死", "太恶心", "真恶心",
    "太过分", "欺人太甚", "忍无可忍", "受够", "忍不了", "无耻", "什么玩意", "什么破", "一个破", "去死", "死哪", "装死",
    "敷衍", "烦死", "要疯了", "抢钱", "离谱", "没人回", "没人理", "再也不来", "太让人失望", "fuck", "shit", "scam",
    "ridiculous", "angry", "furious", "useless", "worst", "unacceptable", "the hell", "wtf", "😡", "🤬", "💢", "👊", "😤",
];

/// Words that contain a trigger but are goods or harmless phrases.
const HARMLESS: &[&str] = &[
    "垃圾袋", "垃圾桶", "垃圾分类", "垃圾篓", "报警器", "曝光补偿", "曝光度", "曝光时间", "shit happens", "辣死", "笑死",
    "不生气", "别生气",
];

/// Words of impatience that, with repeated ?/! in the raw text, mean anger ("还要我等多久？？？").
const IMPATIENT: &[&str] = &["多久", "到底", "还要", "还不", "怎么还", "几遍", "没人", "呢", "等了"];

static THREAT_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(THREATS).ok());
static OUTBURST_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(OUTBURSTS).ok());
static HARMLESS_AC: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(HARMLESS).ok());

/// Trigger phrases found in normalised text (threats not taken back or asked about, outbursts).
pub fn triggers(normalised: &str) -> Vec<&'static str> {
    let (Some(threat), Some(outburst), Some(harmless)) = (THREAT_AC.as_ref(), OUTBURST_AC.as_ref(), HARMLESS_AC.as_ref()) else {
        return Vec::new();
    };
    let mut text = normalised.to_string();
    for m in harmless.find_iter(normalised) {
        text.replace_range(m.start()..m.end(), &" ".repeat(m.end() - m.start()));
    }
    let mut found: Vec<&'static str> = threat
        .find_iter(&text)
        .filter(|m| !is_negated(&text[..m.start()]) && !is_question(&text, m.start(), m.end()))
        .map(|m| THREATS[m.pattern().as_usize()])
        .collect();
    found.extend(outburst.find_iter(&text).filter(|m| is_word(&text, m.start(), m.end())).map(|m| OUTBURSTS[m.pattern().as_usize()]));
    // "滚" alone (not 滚筒, 滚动) is an outburst when it is the whole message.
    if text.trim_matches(|c: char| !c.is_alphanumeric()) == "滚" {
        found.push("滚");
    }
    found.dedup();
    found
}

/// "不会给差评", "不投诉": a negation in the three characters before the trigger.
fn is_negated(before: &str) -> bool {
    let near: String = before.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
    ["不", "没", "别", "不会", "不想"].iter().any(|n| near.ends_with(n)) || near.contains("不会") || near.contains("不想")
}

/// A threat word inside a yes/no question ("差评了可以追评吗", "假一赔三吗", "举报有奖是真的吗").
fn is_question(text: &str, start: usize, end: usize) -> bool {
    const MARKS: &[char] = &[',', '.', '!', ';', '，', '。', '！', '；'];
    let clause_end = text[end..].find(MARKS).map_or(text.len(), |i| end + i);
    let clause_start = text[..start].rfind(MARKS).map_or(0, |i| i + 1);
    let clause = text[clause_start..clause_end].trim_end_matches(['?', '？', ' ']);
    clause.ends_with('吗') || clause.contains("是不是") || clause.contains("好奇")
}

/// English triggers must be whole words ("scam" but not "scampi").
fn is_word(text: &str, start: usize, end: usize) -> bool {
    if !text[start..end].bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let before = text[..start].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_ascii_alphabetic());
    before && after
}

/// Repeated ? or ! in the raw message (normalisation squeezes them) with words of impatience.
pub fn is_impatient(raw: &str, normalised: &str) -> bool {
    let marks: Vec<char> = raw.chars().collect();
    let repeated = marks.windows(2).any(|w| w.iter().all(|c| matches!(c, '?' | '？' | '!' | '！')));
    repeated && IMPATIENT.iter().any(|w| normalised.contains(w))
}

/// True when the text shows strong emotion: a trigger, or heavy negativity with shouting.
pub fn is_strong(normalised: &str, lexicon_polarity: f32) -> bool {
    if !triggers(normalised).is_empty() {
        return true;
    }
    let shouting = normalised.contains('!');
    lexicon_polarity <= -3.0 || (lexicon_polarity <= -2.0 && shouting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threats_and_reassurance() {
        assert!(is_strong("再不发货我就打12315投诉你们", 0.0));
        assert!(is_strong("给你差评", 0.0));
        assert!(!is_strong("放心不会给差评的", 0.0));
        assert!(!is_strong("什么时候发货", 0.0));
    }

    #[test]
    fn goods_and_questions_are_not_anger() {
        for t in ["垃圾袋有卖吗", "报警器要装电池吗", "差评了可以追评吗", "是正品吗,假一赔三吗", "滚筒洗衣机有吗"] {
            assert!(!is_strong(t, 0.0), "{t}");
        }
        for t in ["别敷衍我!", "滚", "退一赔三懂不懂", "this is ridiculous", "垃圾服务"] {
            assert!(is_strong(t, 0.0), "{t}");
        }
    }

    #[test]
    fn impatience_needs_repeated_marks() {
        assert!(is_impatient("还要我等多久？？？", "还要我等多久?"));
        assert!(!is_impatient("还要等多久？", "还要等多久?"));
        assert!(!is_impatient("包邮吗？？", "包邮吗?"));
    }
}
