//! Live-stream danmaku (直播弹幕): thousands a minute, most of them chatter ("666", "主播好美").
//! Only questions become conversation messages; identical text in one live session within a
//! window is dropped as a repeat; everything else is counted. Plain data, no clock of its own.

use crate::clock::Millis;
use std::collections::HashMap;

/// Words and phrases that make a danmaku a question (besides a question mark).
const ASKING: &[&str] = &[
    "怎么", "怎样", "多少", "什么时候", "能不能", "可不可以", "有没有", "是不是", "会不会", "要不要", "几号", "几天", "几时",
    "哪里", "哪个", "哪款", "为什么", "为啥", "如何", "咋", "啥时候", "什么", "何时", "多久", "多大", "多重", "包邮",
];
/// Sentence-final particles that ask.
const FINAL_PARTICLES: &[char] = &['吗', '呢', '么', '嘛'];
/// English openings that ask.
const ENGLISH: &[&str] = &["how ", "what ", "when ", "where ", "why ", "which ", "can ", "could ", "is ", "are ", "does ", "do "];

/// Whether a danmaku asks something (a simple detector: question marks, interrogative words,
/// sentence-final 吗/呢, English question openings).
pub fn is_question(text: &str) -> bool {
    let t = text.trim();
    if t.contains('?') || t.contains('？') {
        return true;
    }
    if ASKING.iter().any(|w| t.contains(w)) {
        return true;
    }
    let last = t.trim_end_matches(|c: char| c.is_ascii_punctuation() || "。！~～…，,!".contains(c) || c.is_whitespace()).chars().last();
    if last.is_some_and(|c| FINAL_PARTICLES.contains(&c)) {
        return true;
    }
    let lower = t.to_lowercase();
    ENGLISH.iter().any(|w| lower.starts_with(w))
}

/// What becomes of one danmaku.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A question not seen in this session within the window: store it as a message.
    Question,
    /// Not a question: count it.
    Chatter,
    /// The same text in the same live session within the window: drop it.
    Repeat,
}

/// Remembers recent danmaku texts per live session to drop repeats; bounded in memory.
#[derive(Debug)]
pub struct DanmakuFilter {
    window_ms: Millis,
    max_entries: usize,
    seen: HashMap<(String, String), Millis>,
}

impl DanmakuFilter {
    /// A filter dropping repeats within `window_ms`, remembering at most `max_entries` texts.
    pub fn new(window_ms: Millis, max_entries: usize) -> Self {
        Self { window_ms, max_entries: max_entries.max(1), seen: HashMap::new() }
    }

    /// Judge one danmaku of live session `live` (callers make the key unique per channel).
    pub fn judge(&mut self, live: &str, text: &str, now: Millis) -> Verdict {
        let key = (live.to_string(), normalise(text));
        if let Some(at) = self.seen.get(&key) {
            if now - at < self.window_ms {
                return Verdict::Repeat;
            }
        }
        if self.seen.len() >= self.max_entries {
            let window = self.window_ms;
            self.seen.retain(|_, at| now - *at < window);
            if self.seen.len() >= self.max_entries {
                // Everything is recent: forget it all rather than grow without bound.
                self.seen.clear();
            }
        }
        self.seen.insert(key, now);
        if is_question(text) {
            Verdict::Question
        } else {
            Verdict::Chatter
        }
    }

    /// Texts remembered now.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// Identical up to surrounding and repeated whitespace and letter case.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions() {
        for q in ["多少钱？", "这个有M码吗", "什么时候发货", "能不能便宜点", "怎么买", "尺码偏大吗~", "how much?", "包邮吗"] {
            assert!(is_question(q), "{q}");
        }
        for c in ["666", "主播好美", "哈哈哈哈", "来了来了", "买了买了！", "good"] {
            assert!(!is_question(c), "{c}");
        }
    }

    #[test]
    fn repeats_within_the_window_are_dropped_per_session() {
        let mut f = DanmakuFilter::new(1_000, 100);
        assert_eq!(f.judge("L1", "多少钱？", 0), Verdict::Question);
        assert_eq!(f.judge("L1", " 多少钱？ ", 10), Verdict::Repeat);
        assert_eq!(f.judge("L2", "多少钱？", 10), Verdict::Question);
        assert_eq!(f.judge("L1", "666", 20), Verdict::Chatter);
        assert_eq!(f.judge("L1", "多少钱？", 1_000), Verdict::Question, "the window has passed");
    }

    #[test]
    fn memory_stays_bounded() {
        let mut f = DanmakuFilter::new(1_000_000, 50);
        for i in 0..1_000 {
            f.judge("L", &format!("text {i}"), i);
        }
        assert!(f.len() <= 50);
    }
}
