//! Language detection: zh / en / other, by script counts (messages are too short for n-gram models).

use serde::{Deserialize, Serialize};

use crate::normalise::is_cjk;

/// Language of a message, for routing and the per-language knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Chinese (including Chinese mixed with Latin sizes, brands, slang).
    Zh,
    /// English.
    En,
    /// Another language, or no letters at all.
    Other,
}

/// Language of (normalised or raw) text.
pub fn detect(text: &str) -> Language {
    let (mut cjk, mut latin, mut kana_hangul, mut other) = (0usize, 0usize, 0usize, 0usize);
    let mut latin_words = 0;
    let mut in_word = false;
    for c in text.chars() {
        let is_latin = c.is_ascii_alphabetic();
        if is_latin && !in_word {
            latin_words += 1;
        }
        in_word = is_latin;
        match c {
            c if is_cjk(c) => cjk += 1,
            _ if is_latin => latin += 1,
            '\u{3040}'..='\u{30ff}' | '\u{ac00}'..='\u{d7af}' | '\u{1100}'..='\u{11ff}' => kana_hangul += 1,
            c if c.is_alphabetic() => other += 1,
            _ => {}
        }
    }
    if kana_hangul > 0 && kana_hangul * 4 >= cjk {
        return Language::Other;
    }
    // One Chinese character per two Latin letters is enough: "xl码有吗" is Chinese.
    if cjk > 0 && cjk * 2 >= latin / 2 {
        return Language::Zh;
    }
    if latin > other && latin_words >= 1 && latin >= 2 {
        return Language::En;
    }
    if cjk > 0 {
        return Language::Zh;
    }
    Language::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(detect("亲 xl码还有吗"), Language::Zh);
        assert_eq!(detect("where is my package?"), Language::En);
        assert_eq!(detect("Где мой заказ"), Language::Other);
        assert_eq!(detect("この商品はありますか"), Language::Other);
        assert_eq!(detect("👍👍"), Language::Other);
        assert_eq!(detect("my order 没到"), Language::Zh);
    }
}
