//! Tokenisation: jieba words for Chinese runs, plain words for Latin runs, one shared dictionary.

use std::cell::RefCell;
use std::sync::{LazyLock, RwLock};

use jieba_rs::Jieba;

use crate::normalise::is_cjk;

/// One jieba per process: building the dictionary costs ~0.2 s and tens of MB.
static JIEBA: LazyLock<RwLock<Jieba>> = LazyLock::new(|| RwLock::new(Jieba::new()));

/// Adds shop vocabulary (product names, brand words) to the shared dictionary.
pub fn add_shop_words<'a>(words: impl IntoIterator<Item = &'a str>) {
    let mut jieba = JIEBA.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    for w in words {
        let w = w.trim();
        if !w.is_empty() {
            jieba.add_word(w, None, None);
        }
    }
    // Cuts remembered on this thread may now be wrong.
    RECENT.with(|r| r.borrow_mut().clear());
}

/// Forces the shared dictionary to load now rather than on the first message.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// Kind of a run of characters, which decides how it is split and n-grammed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Chinese ideographs.
    Cjk,
    /// ASCII letters and digits.
    Latin,
    /// Anything else worth keeping (emoji, other scripts, ? and !).
    Symbol,
}

/// Calls `f` for each maximal run of one kind; spaces and most punctuation separate runs.
pub fn for_each_run<'a>(text: &'a str, mut f: impl FnMut(RunKind, &'a str)) {
    let mut start = 0;
    let mut kind: Option<RunKind> = None;
    for (i, c) in text.char_indices() {
        let k = classify(c);
        if k != kind || k == Some(RunKind::Symbol) {
            if let Some(prev) = kind {
                f(prev, &text[start..i]);
            }
            start = i;
            kind = k;
        }
    }
    if let Some(prev) = kind {
        f(prev, &text[start..]);
    }
}

fn classify(c: char) -> Option<RunKind> {
    if is_cjk(c) {
        Some(RunKind::Cjk)
    } else if c.is_ascii_alphanumeric() || c == '\'' {
        Some(RunKind::Latin)
    } else if c == '?' || c == '!' || ((c as u32) >= 0x2100 && !c.is_alphanumeric() && !c.is_whitespace()) {
        Some(RunKind::Symbol)
    } else if c.is_alphanumeric() {
        Some(RunKind::Latin)
    } else {
        None
    }
}

thread_local! {
    // One message is cut several times per analysis (features, FAQ terms, lexicon, word
    // vectors); remembering the last few cuts saves the repeated jieba work.
    static RECENT: RefCell<Vec<(String, Spans)>> = const { RefCell::new(Vec::new()) };
}
const RECENT_CUTS: usize = 4;

/// Byte ranges of the words of one text.
type Spans = Vec<(usize, usize)>;

/// Calls `f` with each word of already-normalised text, in order.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let cached = RECENT.with(|r| r.borrow().iter().find(|(t, _)| t == text).map(|(_, spans)| spans.clone()));
    let spans = match cached {
        Some(spans) => spans,
        None => {
            let mut spans = Vec::new();
            let base = text.as_ptr() as usize;
            cut(text, |w| {
                let start = w.as_ptr() as usize - base;
                spans.push((start, start + w.len()));
            });
            RECENT.with(|r| {
                let mut r = r.borrow_mut();
                if r.len() >= RECENT_CUTS {
                    r.remove(0);
                }
                r.push((text.to_string(), spans.clone()));
            });
            spans
        }
    };
    for (s, e) in spans {
        if let Some(w) = text.get(s..e) {
            f(w);
        }
    }
}

/// Cuts text into words with jieba (no cache); every word is a sub-slice of `text`.
fn cut<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    for_each_run(text, |kind, run| match kind {
        RunKind::Cjk => {
            if run.chars().nth(1).is_none() {
                f(run);
                return;
            }
            let jieba = JIEBA.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            for token in jieba.cut(run, true) {
                f(token.word);
            }
        }
        RunKind::Latin => f(run.trim_matches('\'')),
        RunKind::Symbol => f(run),
    });
}

/// Words of already-normalised text, owned.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| {
        if !w.is_empty() {
            out.push(w.to_string())
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_mixed_text() {
        let w = words("亲 xl码的什么时候发货? 😡");
        assert!(w.contains(&"xl".to_string()), "{w:?}");
        assert!(w.contains(&"发货".to_string()), "{w:?}");
        assert!(w.contains(&"?".to_string()) && w.contains(&"😡".to_string()), "{w:?}");
    }
}
