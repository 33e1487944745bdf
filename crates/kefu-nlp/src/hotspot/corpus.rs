//! The team's hand-written hotspot corpus and the variants generated from it.

use crate::eval::data::{is_test_row, Labelled};
use crate::features::hash_str;

/// The corpus shipped with the crate: `level2 <TAB> message`, `#` comments.
pub const CORPUS: &str = include_str!("../../data/hotspot_corpus.tsv");

/// Characteristic words per level-2 category: `level2 <TAB> word word …`, training only.
pub const KEYWORDS: &str = include_str!("../../data/hotspot_keywords.tsv");

/// (word, level-2 label) rows of a keyword file.
pub fn parse_keywords(text: &str) -> Vec<(String, String)> {
    parse_corpus(text)
        .into_iter()
        .flat_map(|(words, label)| words.split_whitespace().map(|w| (w.to_string(), label.clone())).collect::<Vec<_>>())
        .collect()
}

/// (message, level-2 label) rows of a corpus text.
pub fn parse_corpus(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (label, msg) = l.split_once('\t')?;
            Some((msg.trim().to_string(), label.trim().to_string()))
        })
        .collect()
}

/// Splits rows into (train, dev): dev rows are those whose text hashes to 0 mod 5.
pub fn split(rows: &[(String, String)]) -> (Labelled, Labelled) {
    rows.iter().cloned().partition(|(t, _)| !is_test_row(t))
}

const PREFIXES: &[&str] = &["亲", "你好", "请问", "老板", "宝宝", "客服", "在吗 ", "hi ", "亲亲 ", "那个"];
const SUFFIXES: &[&str] = &["呢", "啊", "呀", "?", "??", "~", "😭", "🙏", "哈", "!"];
const SWAPS: &[(&str, &str)] = &[("什么", "啥"), ("怎么", "咋"), ("没有", "木有"), ("吗", "么"), ("这个", "这"), ("可以", "能")];

/// Colloquial variants of each row (prefix, suffix, slang swaps), chosen by a stable hash so
/// that training is reproducible; the originals are kept.
pub fn with_variants(rows: &[(String, String)], per_row: usize) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(rows.len() * (per_row + 1));
    for (text, label) in rows {
        out.push((text.clone(), label.clone()));
        for k in 0..per_row {
            let h = hash_str(k as u8 + 10, text);
            let mut v = text.clone();
            if !h.is_multiple_of(3) {
                let (from, to) = SWAPS[(h >> 8) as usize % SWAPS.len()];
                v = v.replacen(from, to, 1);
            }
            if h.is_multiple_of(2) {
                v = format!("{}{}", PREFIXES[(h >> 16) as usize % PREFIXES.len()], v);
            }
            if (h >> 4).is_multiple_of(2) {
                v.push_str(SUFFIXES[(h >> 24) as usize % SUFFIXES.len()]);
            }
            if &v != text {
                out.push((v, label.clone()));
            }
        }
    }
    out
}
