//! Whether a message and an FAQ share a content word: a question about quantum mechanics
//! that ends in 是什么 is not about "是什么面料", and "what is the meaning of life" is not about
//! "What is it made of?". Function words (question words, particles, pronouns) do not count.

use crate::tokenise::for_each_word;

/// Chinese words that carry no topic.
const ZH_FUNCTION: &[&str] = &[
    "是什么", "什么", "怎么", "怎么样", "怎样", "如何", "为什么", "为啥", "多少", "哪里", "哪儿", "哪个", "哪些", "可以", "能不能", "可不可以",
    "有没有", "是不是", "请问", "一下", "你们", "我们", "他们", "自己", "这个", "那个", "这些", "那些", "还是", "还有", "就是", "但是",
    "因为", "所以", "如果", "的话", "现在", "时候", "知道", "告诉", "问问", "想问", "一个", "一些", "吗", "呢",
];

/// English words that carry no topic.
const EN_FUNCTION: &[&str] = &[
    "the", "and", "for", "you", "your", "are", "was", "were", "what", "whats", "when", "where", "which", "who", "whom", "why", "how",
    "can", "could", "would", "should", "will", "does", "did", "doing", "have", "has", "had", "this", "that", "these", "those", "with",
    "from", "into", "about", "there", "their", "them", "they", "its", "it's", "not", "any", "some", "please", "pls", "plz", "thanks",
    "hello", "hey", "want", "need", "know", "tell", "get", "got", "just", "also", "then", "than", "our", "out", "all", "one", "is", "it",
    "of", "to", "in", "on", "my", "me", "do", "be", "an", "or", "if", "so", "at", "by", "we", "us", "made", "make", "meaning",
];

/// A rough English stem ("shipping" → "shipp", "refunds" → "refund"): enough to match forms.
fn stem(w: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(suffix) {
            if s.len() >= 3 {
                return s;
            }
        }
    }
    w
}

/// The content units of normalised text: Latin word stems of 3+ letters and the character
/// bigrams of Chinese words of 2+ characters, function words left out.
pub fn content_units(normalised: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(normalised, |w| {
        let chars: Vec<char> = w.chars().collect();
        if chars.iter().all(|c| c.is_ascii_alphanumeric()) {
            if chars.len() >= 3 && chars.iter().any(|c| c.is_ascii_alphabetic()) && !EN_FUNCTION.contains(&w) {
                out.push(stem(w).to_string());
            }
        } else if chars.len() >= 2 && chars.iter().all(|&c| crate::normalise::is_cjk(c)) && !ZH_FUNCTION.contains(&w) {
            out.extend(chars.windows(2).map(|p| p.iter().collect::<String>()));
        }
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// True when the message shares a content unit with any of `texts` (normalised).
pub fn shares_content<'a>(message: &str, texts: impl IntoIterator<Item = &'a str>) -> bool {
    let mine = content_units(message);
    if mine.is_empty() {
        return false;
    }
    texts.into_iter().any(|t| shares_units(&mine, &content_units(t), t))
}

/// True when some of a message's content units (`mine`) are among an FAQ text's (`theirs`,
/// sorted) or, for Chinese bigrams, inside the text itself (its words may be cut otherwise).
pub fn shares_units(mine: &[String], theirs: &[String], text: &str) -> bool {
    mine.iter().any(|u| theirs.binary_search(u).is_ok() || (!u.is_ascii() && text.contains(u.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise;

    #[test]
    fn function_words_do_not_make_a_topic() {
        assert!(!shares_content(&normalise("量子力学的基本原理是什么"), [normalise("是什么面料").as_str()]));
        assert!(!shares_content(&normalise("what is the meaning of life"), [normalise("What is it made of?").as_str()]));
        assert!(shares_content(&normalise("拍了好几天了还没发货"), [normalise("下单后多久发货 现货订单付款后48小时内发货").as_str()]));
        assert!(shares_content(&normalise("when will you ship my order"), [normalise("When is my order shipped?").as_str()]));
    }
}
