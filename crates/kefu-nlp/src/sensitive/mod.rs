//! Sensitive words: a dictionary of words with a category and an action, and a scanner that
//! finds them through the tricks people use to slip past filters (微 信, 微.信, 微信, 微信).
//!
//! Matching runs over a compact, folded copy of the text (see `stream`): full-width → half-width,
//! traditional → simplified, lower case, and every whitespace, punctuation, symbol, emoji and
//! invisible character dropped. Hits are reported in byte offsets of the original text.

mod builtin;
mod dictionary;
mod stream;

use serde::{Deserialize, Serialize};

pub use dictionary::Dictionary;

/// What an outbound reply must do when it contains a word (an inbound message is only flagged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The reply is not sent.
    Block,
    /// The agent is warned and may send anyway.
    Warn,
    /// The reply is sent and the hit recorded for review.
    Flag,
}

impl Action {
    /// How strict the action is: Block 2, Warn 1, Flag 0.
    pub fn severity(self) -> u8 {
        match self {
            Action::Block => 2,
            Action::Warn => 1,
            Action::Flag => 0,
        }
    }
}

/// One dictionary word with its category and the action an outbound hit on it takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WordEntry {
    /// The word as listed.
    pub word: String,
    /// Category name (a list name such as 广告类型, or an id such as `fraud`).
    pub category: String,
    /// Action on an outbound hit.
    pub action: Action,
}

/// One word found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The dictionary form of the word (as first listed), not the text as written.
    pub word: String,
    /// Category of the word.
    pub category: String,
    /// Action of the word.
    pub action: Action,
    /// Byte offset in the original text where the word starts.
    pub start: usize,
    /// Byte offset in the original text where the word ends (any separators inside included).
    pub end: usize,
}

/// Words of a list file: one a line, trimmed; blank lines and lines starting with `#` skipped.
pub fn parse_list(category: &str, action: Action, text: &str) -> Vec<WordEntry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|word| WordEntry { word: word.to_string(), category: category.to_string(), action })
        .collect()
}

/// Chinese category names map by keyword so that both 色情类型 and 色情词库 are porn; English ids
/// map exactly (case-insensitive). The lists that mix everything (其他, 补充, GFW补充, 零时-Tencent,
/// 网易前端过滤, COVID-19, 新思想启蒙) hold everyday words too (丝袜, 狗粮, 香港, 妈), so they only flag.
const BLOCK_KEYWORDS: &[&str] = &["政治", "反动", "色情", "暴恐", "恐怖", "涉枪", "涉爆", "非法网址", "诈骗", "赌博", "毒品"];
const BLOCK_IDS: &[&str] = &["politics", "porn", "violence", "terror", "weapons", "fraud", "illegal_link", "gambling", "drugs"];
const WARN_KEYWORDS: &[&str] = &["广告", "竞品", "贪腐", "民生"];
const WARN_IDS: &[&str] = &["advertising", "competitor", "corruption", "livelihood"];

/// Action for a category name; unknown categories only flag. The table is in the crate README.
pub fn default_action(category: &str) -> Action {
    let id = category.trim().to_ascii_lowercase();
    if BLOCK_IDS.contains(&id.as_str()) || BLOCK_KEYWORDS.iter().any(|k| category.contains(k)) {
        Action::Block
    } else if WARN_IDS.contains(&id.as_str()) || WARN_KEYWORDS.iter().any(|k| category.contains(k)) {
        Action::Warn
    } else {
        Action::Flag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_list_trims_and_skips_comments() {
        let words = parse_list("广告类型", Action::Warn, "# 注释\n  最佳 \n\n全网最低\r\n#另一个\n");
        let w: Vec<&str> = words.iter().map(|e| e.word.as_str()).collect();
        assert_eq!(w, ["最佳", "全网最低"]);
        assert!(words.iter().all(|e| e.category == "广告类型" && e.action == Action::Warn));
    }

    #[test]
    fn default_actions_follow_the_table() {
        for c in ["政治类型", "反动词库", "色情词库", "色情类型", "暴恐词库", "涉枪涉爆", "非法网址", "politics", "Fraud", "illegal_link"] {
            assert_eq!(default_action(c), Action::Block, "{c}");
        }
        for c in ["广告类型", "贪腐词库", "民生词库", "advertising", "competitor"] {
            assert_eq!(default_action(c), Action::Warn, "{c}");
        }
        for c in ["零时-Tencent", "其他词库", "GFW补充词库", "whatever", ""] {
            assert_eq!(default_action(c), Action::Flag, "{c}");
        }
    }

    #[test]
    fn actions_serialise_in_snake_case() {
        assert_eq!(serde_json::to_string(&Action::Block).ok().as_deref(), Some("\"block\""));
        assert!(Action::Block.severity() > Action::Warn.severity() && Action::Warn.severity() > Action::Flag.severity());
    }
}
