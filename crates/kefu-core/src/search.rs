//! Terms of the blind search index over sealed message text: the same normalisation as the
//! classifiers (width, case, traditional → simplified), jieba words, and character bigrams of
//! every Chinese run. The store hashes each term under a key, so only these functions ever
//! see the words; see docs/ARCHITECTURE.md ("History and search") for what the index leaks.

use kefu_nlp::normalise::normalise;
use kefu_nlp::tokenise::{for_each_run, for_each_word, RunKind};

/// Most terms kept for one message (a pasted essay still indexes its first part).
pub const MAX_TERMS_PER_MESSAGE: usize = 512;

/// Distinct index terms of a message's text, in first-seen order.
pub fn index_terms(text: &str) -> Vec<String> {
    let normalised = normalise(text);
    let mut terms: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        if !t.is_empty() && terms.len() < MAX_TERMS_PER_MESSAGE && !terms.iter().any(|x| x == t) {
            terms.push(t.to_string());
        }
    };
    for_each_word(&normalised, |w| add(w.trim()));
    for_each_run(&normalised, |kind, run| {
        if kind == RunKind::Cjk {
            for_each_bigram(run, &mut add);
        }
    });
    terms
}

/// The terms a query needs (all of them, AND): bigrams of its Chinese runs (one character
/// alone stands for itself), its Latin words whole. Empty when the query has nothing to find.
pub fn query_terms(query: &str) -> Vec<String> {
    let normalised = normalise(query);
    let mut terms: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        if !t.is_empty() && !terms.iter().any(|x| x == t) {
            terms.push(t.to_string());
        }
    };
    for_each_run(&normalised, |kind, run| match kind {
        RunKind::Cjk if run.chars().nth(1).is_none() => add(run),
        RunKind::Cjk => for_each_bigram(run, &mut add),
        RunKind::Latin => add(run.trim_matches('\'')),
        RunKind::Symbol => {}
    });
    terms
}

/// Whether a message's text really contains every piece of the query: bigram hits only make
/// candidates (the bigrams may stand apart), this settles them after opening the text.
pub fn text_matches(text: &str, query: &str) -> bool {
    let text = normalise(text);
    normalise(query).split(' ').filter(|p| !p.is_empty()).all(|p| text.contains(p))
}

/// A short piece of `text` around the first query piece, for the result list.
pub fn snippet(text: &str, query: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_string();
    }
    let folded: Vec<String> = chars.iter().map(|c| normalise(&c.to_string())).collect();
    let first = normalise(query).split(' ').find(|p| !p.is_empty()).map(str::to_string).unwrap_or_default();
    let first_char = first.chars().next().map(String::from).unwrap_or_default();
    let at = folded.iter().position(|f| !first_char.is_empty() && *f == first_char).unwrap_or(0);
    let start = at.saturating_sub(width / 3).min(chars.len() - width);
    let mut out: String = chars[start..start + width].iter().collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if start + width < chars.len() {
        out.push('…');
    }
    out
}

fn for_each_bigram(run: &str, add: &mut impl FnMut(&str)) {
    let idx: Vec<usize> = run.char_indices().map(|(i, _)| i).chain(std::iter::once(run.len())).collect();
    for w in idx.windows(3) {
        add(&run[w[0]..w[2]]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_terms_are_among_the_index_terms_of_matching_text() {
        let text = "您好，我想退貨，訂單ORDER-123還沒發貨";
        let index = index_terms(text);
        for q in ["退货", "想退货", "order", "还没发货", "發貨"] {
            let terms = query_terms(q);
            assert!(!terms.is_empty(), "{q}");
            for t in &terms {
                assert!(index.contains(t), "{q}: {t} not in {index:?}");
            }
            assert!(text_matches(text, q), "{q}");
        }
        assert!(!text_matches(text, "退款"));
        assert!(query_terms("，！").is_empty());
    }

    #[test]
    fn snippet_is_cut_around_the_hit() {
        let text = format!("{}退货的事{}", "很".repeat(40), "好".repeat(40));
        let s = snippet(&text, "退货", 20);
        assert!(s.contains("退货") && s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(snippet("短句", "x", 20), "短句");
    }
}
