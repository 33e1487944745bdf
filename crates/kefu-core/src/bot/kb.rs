//! A shop's knowledge base: FAQs, multi-turn flows, hand-off rules and the bot's own phrases.
//! One validated document per shop, versioned whole (every save is a new version; rollback
//! saves an old one again), so an import or an edit is never half-applied.

use super::flow::Flow;
use super::handoff::HandoffPolicy;
use crate::clock::Millis;
use crate::routing::ConfigProblem;
use serde::{Deserialize, Serialize};
use super::translations::{self, FaqTranslation, PerLanguage};
use std::collections::HashSet;

/// Most FAQs one shop keeps (the index answers in microseconds far beyond this).
pub const MAX_FAQS: usize = 20_000;

/// A shop's knowledge base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeBase {
    /// The bot answers at all; off means every conversation goes to routing.
    pub enabled: bool,
    /// FAQ entries.
    pub faqs: Vec<Faq>,
    /// Multi-turn flows with slots.
    pub flows: Vec<Flow>,
    /// When the bot hands over to a person.
    pub handoff: HandoffPolicy,
    /// The bot's own phrases, in the shop's own language.
    pub phrases: BotPhrases,
    /// The bot's phrases in other languages (`en` → phrases); a language without its own
    /// uses kefu's built-in phrases of that language.
    #[cfg_attr(feature = "openapi", schema(value_type = translations::PhraseTranslations))]
    pub phrase_translations: PerLanguage<BotPhrases>,
    /// A/B experiments on answers and the hand-off threshold.
    pub experiments: Vec<super::experiment::Experiment>,
}

impl Default for KnowledgeBase {
    fn default() -> Self {
        KnowledgeBase { enabled: true, faqs: Vec::new(), flows: Vec::new(), handoff: HandoffPolicy::default(), phrases: BotPhrases::default(), phrase_translations: PerLanguage::default(), experiments: Vec::new() }
    }
}

/// One FAQ (standard question, its paraphrases, a rich answer). Flat so that a CSV row is one FAQ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Faq {
    /// Shop's id, e.g. `returns-7day`: 1-64 letters, digits, `-` or `_`.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"^[A-Za-z0-9_-]{1,64}$"))]
    pub id: String,
    /// `zh` or `en`, the language the FAQ is written in; `translations` add the other.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(zh|en)$"))]
    pub language: String,
    /// The standard question (not blank, up to 200 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 200))]
    pub question: String,
    /// Other ways customers ask it (up to 200, each like `question`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<FaqText>, max_items = 200))]
    pub similar: Vec<String>,
    /// The answer (not blank, up to 2000 characters); may hold `{placeholders}` filled from
    /// live data (see templates), each closed and named.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 2000))]
    pub answer: String,
    /// Said instead of `answer` when one of its placeholders has no data.
    pub answer_fallback: Option<String>,
    /// An image shown with the answer (an http(s) URL, up to 500 characters).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^https?://([\w.-]+|\[[0-9A-Fa-f:.]+\])(:[1-9][0-9]{0,3})?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$", max_length = 500))]
    pub image_url: Option<String>,
    /// A product card (by SKU) shown with the answer.
    pub product_sku: Option<String>,
    /// A link's title (given together with `link_url`).
    pub link_title: Option<String>,
    /// A link's URL (an http(s) URL, up to 500 characters; given together with `link_title`).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^https?://([\w.-]+|\[[0-9A-Fa-f:.]+\])(:[1-9][0-9]{0,3})?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$", max_length = 500))]
    pub link_url: Option<String>,
    /// A coupon's name or code.
    pub coupon: Option<String>,
    /// Hotspot level 1.
    pub l1: Option<String>,
    /// Hotspot level 2.
    pub l2: Option<String>,
    /// Free level-3 tag.
    pub l3: Option<String>,
    /// Answered at all.
    pub enabled: bool,
    /// Not answered before this time (ms).
    pub valid_from: Option<Millis>,
    /// Not answered after this time (ms).
    pub valid_to: Option<Millis>,
    /// Answer, then hand over to a person (e.g. complaints).
    pub transfer_to_human: bool,
    /// The same FAQ in other languages (`en` → question, similar, answer): customers who
    /// write in one get its answer.
    #[cfg_attr(feature = "openapi", schema(value_type = translations::FaqTranslations))]
    pub translations: PerLanguage<FaqTranslation>,
}

/// A question text of an FAQ: not blank, up to 200 characters (describes `Faq::similar`).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"\S")]
#[allow(dead_code)]
pub(super) struct FaqText(String);

impl Default for Faq {
    fn default() -> Self {
        Faq {
            id: String::new(),
            language: "zh".into(),
            question: String::new(),
            similar: Vec::new(),
            answer: String::new(),
            answer_fallback: None,
            image_url: None,
            product_sku: None,
            link_title: None,
            link_url: None,
            coupon: None,
            l1: None,
            l2: None,
            l3: None,
            enabled: true,
            valid_from: None,
            valid_to: None,
            transfer_to_human: false,
            translations: PerLanguage::default(),
        }
    }
}

impl Faq {
    /// Whether the bot may answer with it at `now`.
    pub fn live_at(&self, now: Millis) -> bool {
        self.enabled && self.valid_from.is_none_or(|t| now >= t) && self.valid_to.is_none_or(|t| now <= t)
    }
}

/// What the bot says in its own words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BotPhrases {
    /// When it does not understand.
    pub fallback: String,
    /// Before suggestions.
    pub suggest: String,
    /// When it hands over.
    pub handing_off: String,
    /// Offer to return to a paused flow; `{flow}` is the flow's name.
    pub offer_return: String,
}

impl BotPhrases {
    /// Each phrase with its field name.
    pub fn texts(&self) -> [(&'static str, &str); 4] {
        [("fallback", self.fallback.as_str()), ("suggest", self.suggest.as_str()), ("handing_off", self.handing_off.as_str()), ("offer_return", self.offer_return.as_str())]
    }
}

impl Default for BotPhrases {
    /// kefu's own phrases in Chinese (a new knowledge base's).
    fn default() -> Self {
        super::translations::default_phrases("zh")
    }
}

impl KnowledgeBase {
    /// Every problem with the document, each at its JSON path.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.faqs.len() > MAX_FAQS {
            out.push(problem("faqs".into(), &format!("at most {MAX_FAQS} FAQs")));
        }
        let mut ids = HashSet::new();
        for (i, f) in self.faqs.iter().enumerate() {
            for p in faq_problems(f) {
                out.push(ConfigProblem { path: format!("faqs[{i}].{}", p.path), message: p.message });
            }
            if !ids.insert(f.id.as_str()) {
                out.push(problem(format!("faqs[{i}].id"), "is used by another FAQ"));
            }
        }
        let mut flow_ids = HashSet::new();
        for (i, f) in self.flows.iter().enumerate() {
            for p in f.problems() {
                out.push(ConfigProblem { path: format!("flows[{i}].{}", p.path), message: p.message });
            }
            if !flow_ids.insert(f.id.as_str()) {
                out.push(problem(format!("flows[{i}].id"), "is used by another flow"));
            }
        }
        out.extend(translations::phrase_problems(self));
        for p in self.handoff.problems() {
            out.push(ConfigProblem { path: format!("handoff.{}", p.path), message: p.message });
        }
        let mut experiment_ids = HashSet::new();
        for (i, e) in self.experiments.iter().enumerate() {
            for p in e.problems(|id| self.faq(id).is_some()) {
                out.push(ConfigProblem { path: format!("experiments[{i}].{}", p.path), message: p.message });
            }
            if !experiment_ids.insert(e.id.as_str()) {
                out.push(problem(format!("experiments[{i}].id"), "is used by another experiment"));
            }
        }
        out
    }

    /// Every text the bot may send, with its path: answers, fallbacks, variants, prompts, phrases.
    pub fn bot_texts(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        for (i, f) in self.faqs.iter().enumerate() {
            out.extend(f.bot_texts().into_iter().map(|(field, t)| (format!("faqs[{i}].{field}"), t)));
        }
        for (i, f) in self.flows.iter().enumerate() {
            out.push((format!("flows[{i}].answer"), &f.answer));
            for (j, slot) in f.slots.iter().enumerate() {
                out.push((format!("flows[{i}].slots[{j}].prompt"), &slot.prompt));
            }
        }
        for (i, e) in self.experiments.iter().enumerate() {
            for (j, v) in e.variants.iter().enumerate() {
                if let Some(t) = &v.answer {
                    out.push((format!("experiments[{i}].variants[{j}].answer"), t));
                }
            }
        }
        out.extend(self.phrases.texts().into_iter().map(|(name, t)| (format!("phrases.{name}"), t)));
        for (language, p) in self.phrase_translations.iter() {
            out.extend(p.texts().into_iter().map(|(name, t)| (format!("phrase_translations.{language}.{name}"), t)));
        }
        out
    }

    /// Texts the bot would send that hold a word the shop's dictionary blocks. The bot's
    /// replies are written here, not by an agent at send time, so they are checked when saved.
    pub fn blocked_words(&self, words: &kefu_nlp::sensitive::Dictionary) -> Vec<ConfigProblem> {
        blocked_words_in(self.bot_texts(), words)
    }

    /// The FAQ with this id.
    pub fn faq(&self, id: &str) -> Option<&Faq> {
        self.faqs.iter().find(|f| f.id == id)
    }
}

impl Faq {
    /// The texts of this FAQ the bot may send, by field path.
    pub fn bot_texts(&self) -> Vec<(String, &str)> {
        let mut out = vec![("answer".to_string(), self.answer.as_str())];
        out.extend(self.answer_fallback.as_deref().map(|t| ("answer_fallback".to_string(), t)));
        out.extend(self.link_title.as_deref().map(|t| ("link_title".to_string(), t)));
        for (language, t) in self.translations.iter() {
            out.push((format!("translations.{language}.answer"), t.answer.as_str()));
            out.extend(t.answer_fallback.as_deref().map(|a| (format!("translations.{language}.answer_fallback"), a)));
        }
        out
    }
}

/// A problem for every word the dictionary blocks in the given (path, text) pairs.
pub fn blocked_words_in<'a>(texts: impl IntoIterator<Item = (String, &'a str)>, words: &kefu_nlp::sensitive::Dictionary) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    for (path, text) in texts {
        for hit in words.scan(text).into_iter().filter(|h| h.action == kefu_nlp::sensitive::Action::Block) {
            out.push(problem(path.clone(), &format!("holds the blocked word \u{201c}{}\u{201d} ({})", hit.word, hit.category)));
        }
    }
    out
}

/// Problems of one FAQ, with paths relative to it (also used by the importer per row).
pub fn faq_problems(f: &Faq) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    if !super::valid_id(&f.id) {
        out.push(problem("id".into(), "must be 1-64 characters of letters, digits, - or _"));
    }
    if !matches!(f.language.as_str(), "zh" | "en") {
        out.push(problem("language".into(), "must be zh or en"));
    }
    if !text_ok(&f.question, 200) {
        out.push(problem("question".into(), "must be 1-200 characters"));
    }
    if f.similar.len() > 200 {
        out.push(problem("similar".into(), "at most 200 similar questions"));
    }
    for (j, s) in f.similar.iter().enumerate() {
        if !text_ok(s, 200) {
            out.push(problem(format!("similar[{j}]"), "must be 1-200 characters"));
        }
    }
    if !text_ok(&f.answer, 2000) {
        out.push(problem("answer".into(), "must be 1-2000 characters"));
    }
    if super::template::placeholders(&f.answer).is_err() {
        out.push(problem("answer".into(), "has an unclosed or empty {placeholder}"));
    }
    for (field, url) in [("image_url", &f.image_url), ("link_url", &f.link_url)] {
        if url.as_deref().is_some_and(|u| crate::channels::validate_target_url(u).is_err() || u.chars().count() > 500) {
            out.push(problem(field.into(), "must be an http(s) URL of at most 500 characters"));
        }
    }
    if f.link_url.is_some() != f.link_title.is_some() {
        out.push(problem("link_title".into(), "a link needs both a title and a URL"));
    }
    if let (Some(a), Some(b)) = (f.valid_from, f.valid_to) {
        if a > b {
            out.push(problem("valid_to".into(), "must not be before valid_from"));
        }
    }
    out.extend(translations::translation_problems(f));
    out
}

fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max
}

/// A problem at `path`.
pub(super) fn problem(path: String, message: &str) -> ConfigProblem {
    ConfigProblem { path, message: message.into() }
}

/// One saved version of a knowledge base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KbVersion {
    /// Shop.
    pub shop_id: crate::ids::ShopId,
    /// 1, 2, 3 …
    pub version: i64,
    /// The document as JSON.
    pub doc: String,
    /// Who saved it (none for the demo seed).
    pub author: Option<crate::ids::UserId>,
    /// What the change was (`edit`, `import`, `rollback to 3`, …).
    pub note: String,
    /// When.
    pub created_at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq(id: &str) -> Faq {
        Faq { id: id.into(), question: "怎么退货".into(), answer: "七天无理由退货".into(), ..Faq::default() }
    }

    #[test]
    fn a_good_document_has_no_problems() {
        let kb = KnowledgeBase { faqs: vec![faq("a"), faq("b")], ..KnowledgeBase::default() };
        assert!(kb.problems().is_empty(), "{:?}", kb.problems());
    }

    #[test]
    fn problems_name_their_paths() {
        let mut bad = faq("a");
        bad.answer = "剩余{stock件".into();
        bad.link_url = Some("ftp://x".into());
        let kb = KnowledgeBase { faqs: vec![faq("a"), bad], ..KnowledgeBase::default() };
        let paths: Vec<String> = kb.problems().into_iter().map(|p| p.path).collect();
        assert!(paths.contains(&"faqs[1].id".to_string()), "{paths:?}");
        assert!(paths.contains(&"faqs[1].answer".to_string()), "{paths:?}");
        assert!(paths.contains(&"faqs[1].link_url".to_string()), "{paths:?}");
    }

    #[test]
    fn blocked_words_in_bot_texts_are_problems() {
        use kefu_nlp::sensitive::{Action, Dictionary, WordEntry};
        let words = Dictionary::build(vec![
            WordEntry { word: "加微信".into(), category: "引流".into(), action: Action::Block },
            WordEntry { word: "最便宜".into(), category: "广告".into(), action: Action::Warn },
        ])
        .expect("builds");
        let mut kb = KnowledgeBase { faqs: vec![faq("a"), faq("b")], ..KnowledgeBase::default() };
        assert!(kb.blocked_words(&words).is_empty());
        kb.faqs[1].answer = "全网最便宜，详情加 微 信".into();
        kb.phrases.fallback = "请加微信问".into();
        let found = kb.blocked_words(&words);
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        // Blocked words only (a warning word is the shop's call), spaced-out spellings too.
        assert_eq!(paths, vec!["faqs[1].answer", "phrases.fallback"], "{found:?}");
        assert!(found[0].message.contains("加微信"), "{found:?}");
    }

    #[test]
    fn validity_window() {
        let mut f = faq("a");
        f.valid_from = Some(100);
        f.valid_to = Some(200);
        assert!(!f.live_at(99) && f.live_at(150) && !f.live_at(201));
        f.enabled = false;
        assert!(!f.live_at(150));
    }
}
