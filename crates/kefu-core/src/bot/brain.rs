//! A shop's trained bot: its knowledge base with the FAQ index, the flow triggers and the
//! catalogue gazetteer built from it. Built off the request path (training takes
//! milliseconds to seconds) and swapped in whole, so answering never waits for training.

use super::kb::KnowledgeBase;
use aho_corasick::AhoCorasick;
use kefu_nlp::engine::ShopModels;
use kefu_nlp::entities::Gazetteer;
use kefu_nlp::faq::{FaqConfig, FaqEntry, FaqHit, FaqIndex};
use std::collections::HashMap;

/// A flow's example sentences are few and short, and a flow starts a multi-turn exchange, so a
/// flow picked by its examples also wants this much surface overlap (Dice of character bigrams
/// with its closest example). FAQs no longer have such a gate: kefu-nlp's fused score decides
/// (see `kefu_nlp::faq::fusion`), as a surface gate blocked nearly every paraphrase.
pub const FLOW_OVERLAP: f32 = 0.3;

/// A shop's bot, ready to answer.
pub struct Brain {
    /// The knowledge-base version it was trained from (0 = none).
    pub version: i64,
    /// The knowledge base.
    pub kb: KnowledgeBase,
    /// FAQ index and product gazetteer for `kefu_nlp::engine::analyze_with`.
    pub models: ShopModels,
    /// Flow triggers indexed like FAQs (entry id = flow id).
    flow_examples: Option<FaqIndex>,
    /// Flow keywords; pattern i starts flow `flow_of_keyword[i]`.
    flow_keywords: Option<AhoCorasick>,
    flow_of_keyword: Vec<usize>,
    /// Normalised product name → SKU.
    pub skus: HashMap<String, String>,
    /// Languages the FAQs are written or translated in.
    languages: Vec<String>,
}

impl Brain {
    /// Train from a knowledge base and the shop's product names (name, sku).
    pub fn train(version: i64, kb: KnowledgeBase, products: &[(String, String)]) -> Brain {
        let entries: Vec<FaqEntry> = kb
            .faqs
            .iter()
            .filter(|f| f.enabled)
            .map(|f| FaqEntry { id: f.id.clone(), standard_question: f.question.clone(), similar_questions: f.all_questions().skip(1).cloned().collect(), answer: f.answer.clone() })
            .collect();
        let faq = (!entries.is_empty()).then(|| FaqIndex::build(entries, FaqConfig::default()));
        let flow_entries: Vec<FaqEntry> = kb
            .flows
            .iter()
            .filter(|f| !f.examples.is_empty())
            .map(|f| FaqEntry { id: f.id.clone(), standard_question: f.examples[0].clone(), similar_questions: f.examples[1..].to_vec(), answer: String::new() })
            .collect();
        let flow_examples = (!flow_entries.is_empty()).then(|| FaqIndex::build(flow_entries, FaqConfig::default()));
        let mut words = Vec::new();
        let mut flow_of_keyword = Vec::new();
        for (i, f) in kb.flows.iter().enumerate() {
            for k in f.keywords.iter().map(|k| kefu_nlp::normalise::normalise(k)).filter(|k| !k.is_empty()) {
                words.push(k);
                flow_of_keyword.push(i);
            }
        }
        let flow_keywords = (!words.is_empty()).then(|| AhoCorasick::new(&words).ok()).flatten();
        let names: Vec<&str> = products.iter().map(|(n, _)| n.as_str()).collect();
        let gazetteer = (!names.is_empty()).then(|| Gazetteer::new(&names).ok()).flatten();
        let skus = products.iter().map(|(n, s)| (kefu_nlp::normalise::normalise(n), s.clone())).collect();
        let languages = kb.languages();
        Brain { version, kb, models: ShopModels { intents: None, faq, products: gazetteer }, flow_examples, flow_keywords, flow_of_keyword, skus, languages }
    }

    /// A bot with nothing to say (the shop has no knowledge base).
    pub fn empty() -> Brain {
        Brain::train(0, KnowledgeBase { enabled: false, ..KnowledgeBase::default() }, &[])
    }

    /// Whether the bot takes new conversations at all.
    pub fn answers(&self) -> bool {
        self.kb.enabled && (!self.kb.faqs.is_empty() || !self.kb.flows.is_empty())
    }

    /// The flow this message starts, with its confidence (1 for a keyword).
    pub fn flow_for(&self, normalised: &str, raw: &str) -> Option<(usize, f32)> {
        if let Some(m) = self.flow_keywords.as_ref().and_then(|k| k.find(normalised)) {
            return Some((self.flow_of_keyword[m.pattern().as_usize()], 1.0));
        }
        let index = self.flow_examples.as_ref()?;
        let found = index.search(raw, 1);
        let id = found.faq_id?;
        let i = self.kb.flows.iter().position(|f| f.id == id)?;
        let overlap = self.kb.flows[i].examples.iter().map(|e| dice(normalised, e)).fold(0.0, f32::max);
        (overlap >= FLOW_OVERLAP).then_some((i, found.score))
    }

    /// FAQ hits that may be answered at `now`, best first: in the message's language when the
    /// shop writes FAQs in it (a Chinese shop still answers "XL有货吗", read as English).
    pub fn live_hits<'a>(&'a self, hits: &'a [FaqHit], language: &'a str, now: i64) -> impl Iterator<Item = &'a FaqHit> + 'a {
        let by_language = self.speaks(language);
        hits.iter().filter(move |h| self.kb.faq(&h.faq_id).is_some_and(|f| f.live_at(now) && (!by_language || f.speaks(language))))
    }

    /// The language to answer a message in that the bot did not read (a hand-off before any
    /// bot turn): the message's own when the shop answers in it, else the shop's.
    pub fn language_for(&self, text: &str) -> &str {
        match kefu_nlp::lang::detect(text) {
            kefu_nlp::lang::Language::En if self.speaks("en") => "en",
            kefu_nlp::lang::Language::Zh if self.speaks("zh") => "zh",
            _ => self.kb.home_language(),
        }
    }

    /// Whether some FAQ answers customers who write in `language`.
    pub fn speaks(&self, language: &str) -> bool {
        self.languages.iter().any(|l| l == language)
    }
}

/// Dice coefficient of the character bigrams of two texts (letters and digits only).
fn dice(normalised: &str, other: &str) -> f32 {
    let grams = |t: &str| {
        let chars: Vec<char> = t.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        let mut g: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    };
    let (a, b) = (grams(normalised), grams(&kefu_nlp::normalise::normalise(other)));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut b_left = b.clone();
    let mut common = 0;
    for g in &a {
        if let Some(pos) = b_left.iter().position(|x| x == g) {
            b_left.swap_remove(pos);
            common += 1;
        }
    }
    2.0 * common as f32 / (a.len() + b.len()) as f32
}

#[cfg(test)]
mod tests {
    #[test]
    fn dice_of_bigrams() {
        assert_eq!(super::dice("啥时候发货", "啥时候发货"), 1.0);
        assert!(super::dice("今天天气怎么样", "怎么退货") < super::FLOW_OVERLAP);
        assert!(super::dice("亲啥时候发货呀", "啥时候发货") > 0.7);
        assert_eq!(super::dice("退", "退货"), 0.0);
    }
}
