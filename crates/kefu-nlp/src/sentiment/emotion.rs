//! Strong emotion: anger and threats (platform complaint, 12315, bad review) that warrant a human.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Phrases that on their own mean the customer is angry or threatening to escalate.
const TRIGGERS: &[&str] = &[
    "投诉", "12315", "差评", "举报", "曝光", "工商局", "消协", "消费者协会", "市场监管", "起诉", "律师",
    "报警", "维权", "退一赔三", "假一赔", "骗子", "骗人", "坑人", "黑店", "垃圾", "气死", "滚蛋", "妈的", "tmd",
    "他妈", "操你", "cnm", "傻逼", "傻b", "有病", "恶心死", "太过分", "欺人太甚", "忍无可忍", "无耻", "什么玩意",
    "什么破", "去死", "fuck", "shit", "scam", "lawyer", "report you", "😡", "🤬", "💢", "👊", "😤",
];

static MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(TRIGGERS).ok());

/// Trigger phrases found in normalised text.
pub fn triggers(normalised: &str) -> Vec<&'static str> {
    let Some(m) = MATCHER.as_ref() else { return Vec::new() };
    let mut found: Vec<&'static str> = m.find_iter(normalised).map(|x| TRIGGERS[x.pattern().as_usize()]).collect();
    found.dedup();
    // "不会给差评" / "不投诉" are reassurances, not threats.
    found.retain(|t| !is_negated(normalised, t));
    found
}

fn is_negated(text: &str, trigger: &str) -> bool {
    let Some(pos) = text.find(trigger) else { return false };
    let before: String = text[..pos].chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
    ["不", "没", "别", "不会", "不想"].iter().any(|n| before.ends_with(n) || before.contains("不会"))
}

/// True when the text shows strong emotion: a trigger, or heavy negativity with shouting.
pub fn is_strong(normalised: &str, lexicon_polarity: f32) -> bool {
    if !triggers(normalised).is_empty() {
        return true;
    }
    let shouting = normalised.contains('!') || normalised.contains("??");
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
}
