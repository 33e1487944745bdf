//! The bot in more than one language: an FAQ carries its answer per language, the bot's own
//! phrases exist per language, and each turn answers in the language the customer wrote in
//! when the shop has it, else in the shop's own (the FAQ's first) language.

use super::kb::{problem, BotPhrases, Faq, KnowledgeBase};
use crate::routing::ConfigProblem;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Languages a knowledge base may be written in.
pub const LANGUAGES: &[&str] = &["zh", "en"];

/// One value per language kefu speaks (a fixed set, so the document says exactly which keys
/// there may be).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerLanguage<T> {
    /// Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<T>,
    /// English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<T>,
}

impl<T> Default for PerLanguage<T> {
    fn default() -> Self {
        PerLanguage { zh: None, en: None }
    }
}

impl<T> PerLanguage<T> {
    /// The value for `language`, if there is one.
    pub fn get(&self, language: &str) -> Option<&T> {
        match language {
            "zh" => self.zh.as_ref(),
            "en" => self.en.as_ref(),
            _ => None,
        }
    }

    /// Set the value for `language` (`zh` or `en`; others are ignored).
    pub fn insert(&mut self, language: &str, value: T) {
        match language {
            "zh" => self.zh = Some(value),
            "en" => self.en = Some(value),
            _ => {}
        }
    }

    /// Each language that has a value, with it.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &T)> {
        [("zh", self.zh.as_ref()), ("en", self.en.as_ref())].into_iter().filter_map(|(l, v)| v.map(|v| (l, v)))
    }

    /// No language has a value.
    pub fn is_empty(&self) -> bool {
        self.zh.is_none() && self.en.is_none()
    }
}

/// How `PerLanguage<FaqTranslation>` reads in the API document (utoipa derives no generics here).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct FaqTranslations {
    /// Chinese.
    zh: Option<FaqTranslation>,
    /// English.
    en: Option<FaqTranslation>,
}

/// How `PerLanguage<BotPhrases>` reads in the API document.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct PhraseTranslations {
    /// Chinese.
    zh: Option<BotPhrases>,
    /// English.
    en: Option<BotPhrases>,
}

/// An FAQ in another language: how customers ask it there and what the bot answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FaqTranslation {
    /// The standard question in this language (not blank, up to 200 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 200))]
    pub question: String,
    /// Other ways customers ask it in this language (up to 200, each like `question`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::kb::FaqText>, max_items = 200))]
    pub similar: Vec<String>,
    /// The answer in this language (not blank, up to 2000 characters; same placeholders).
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S", max_length = 2000))]
    pub answer: String,
    /// Said instead of `answer` when one of its placeholders has no data.
    pub answer_fallback: Option<String>,
}

/// kefu's built-in phrases in `language` (`zh`, `en`), from the customer catalogue; a shop
/// that has not written its own for a language uses these.
pub fn default_phrases(language: &str) -> BotPhrases {
    let lang = kefu_i18n::Lang::parse(language).unwrap_or_default();
    BotPhrases {
        fallback: kefu_i18n::render(lang, "customer-bot-fallback"),
        suggest: kefu_i18n::render(lang, "customer-bot-suggest"),
        handing_off: kefu_i18n::render(lang, "customer-bot-handing-off"),
        // `{flow}` stays a bot placeholder, filled with the flow's name when said.
        offer_return: kefu_i18n::Message::new("customer-bot-offer-return").arg("flow", "{flow}").render(lang),
    }
}

impl Faq {
    /// Whether customers writing in `language` get an answer from it.
    pub fn speaks(&self, language: &str) -> bool {
        self.language == language || self.translations.get(language).is_some()
    }

    /// The question as shown to a customer writing in `language` (the FAQ's own otherwise).
    pub fn question_in(&self, language: &str) -> &str {
        self.translations.get(language).map_or(self.question.as_str(), |t| t.question.as_str())
    }

    /// The answer and its fallback for a customer writing in `language`.
    pub fn answer_in(&self, language: &str) -> (&str, Option<&str>) {
        match self.translations.get(language) {
            Some(t) => (t.answer.as_str(), t.answer_fallback.as_deref()),
            None => (self.answer.as_str(), self.answer_fallback.as_deref()),
        }
    }

    /// Every way a customer may ask it, in every language (what the index learns).
    pub fn all_questions(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.question).chain(&self.similar).chain(self.translations.iter().flat_map(|(_, t)| std::iter::once(&t.question).chain(&t.similar)))
    }

    /// The languages of `wanted` this FAQ has no answer in (the knowledge-base page lists them).
    pub fn missing_languages<'a>(&self, wanted: &[&'a str]) -> Vec<&'a str> {
        wanted.iter().copied().filter(|l| !self.speaks(l)).collect()
    }
}

impl KnowledgeBase {
    /// Every language the bot can answer in: the FAQs' own and their translations'.
    pub fn languages(&self) -> Vec<String> {
        let mut out: Vec<String> = self.faqs.iter().flat_map(|f| std::iter::once(f.language.clone()).chain(f.translations.iter().map(|(l, _)| l.to_string()))).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The shop's own language: the one most FAQs are written in (zh for an empty base).
    pub fn home_language(&self) -> &str {
        let en = self.faqs.iter().filter(|f| f.language == "en").count();
        if en * 2 > self.faqs.len() {
            "en"
        } else {
            "zh"
        }
    }

    /// The bot's phrases for a customer writing in `language`: the shop's own for its home
    /// language, its translation where written, else the built-in phrases of that language.
    pub fn phrases_in(&self, language: &str) -> Cow<'_, BotPhrases> {
        // The shop's phrases are its home language's, unless they are still kefu's Chinese
        // defaults in a knowledge base written in another language.
        if language == self.home_language() && (language == "zh" || self.phrases != BotPhrases::default()) {
            return Cow::Borrowed(&self.phrases);
        }
        match self.phrase_translations.get(language) {
            Some(p) => Cow::Borrowed(p),
            None => Cow::Owned(default_phrases(language)),
        }
    }
}

/// Problems of an FAQ's translations, with paths relative to the FAQ.
pub fn translation_problems(f: &Faq) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    for (language, t) in f.translations.iter() {
        let at = |field: &str| format!("translations.{language}.{field}");
        if language == f.language {
            out.push(problem(format!("translations.{language}"), "is the FAQ's own language"));
        }
        if !text_ok(&t.question, 200) {
            out.push(problem(at("question"), "must be 1-200 characters"));
        }
        if t.similar.len() > 200 {
            out.push(problem(at("similar"), "at most 200 similar questions"));
        }
        for (j, s) in t.similar.iter().enumerate() {
            if !text_ok(s, 200) {
                out.push(problem(format!("{}[{j}]", at("similar")), "must be 1-200 characters"));
            }
        }
        if !text_ok(&t.answer, 2000) {
            out.push(problem(at("answer"), "must be 1-2000 characters"));
        }
        if super::template::placeholders(&t.answer).is_err() {
            out.push(problem(at("answer"), "has an unclosed or empty {placeholder}"));
        }
    }
    out
}

/// Problems of the per-language phrases, with paths from the document's root.
pub fn phrase_problems(kb: &KnowledgeBase) -> Vec<ConfigProblem> {
    let mut out = Vec::new();
    for (language, p) in kb.phrase_translations.iter() {
        for (field, text) in p.texts() {
            if !text_ok(text, 500) {
                out.push(problem(format!("phrase_translations.{language}.{field}"), "must be 1-500 characters"));
            }
        }
    }
    out
}

fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipping() -> Faq {
        let mut f = Faq { id: "shipping".into(), question: "什么时候发货".into(), answer: "48小时内发货".into(), ..Faq::default() };
        f.translations.insert("en", FaqTranslation { question: "When will my order ship?".into(), answer: "Within 48 hours of payment.".into(), ..FaqTranslation::default() });
        f
    }

    #[test]
    fn an_faq_answers_in_the_language_asked() {
        let f = shipping();
        assert!(f.speaks("zh") && f.speaks("en"));
        assert_eq!(f.answer_in("en").0, "Within 48 hours of payment.");
        assert_eq!(f.answer_in("zh").0, "48小时内发货");
        assert_eq!(f.question_in("en"), "When will my order ship?");
        assert_eq!(f.all_questions().count(), 2);
        let zh_only = Faq { id: "x".into(), question: "q".into(), answer: "a".into(), ..Faq::default() };
        assert_eq!(zh_only.missing_languages(LANGUAGES), vec!["en"]);
        assert!(f.missing_languages(LANGUAGES).is_empty());
    }

    #[test]
    fn phrases_fall_back_to_the_built_in_ones_of_the_language() {
        let mut kb = KnowledgeBase { faqs: vec![shipping()], ..KnowledgeBase::default() };
        assert_eq!(kb.home_language(), "zh");
        assert_eq!(kb.phrases_in("zh").fallback, BotPhrases::default().fallback);
        assert!(kb.phrases_in("en").fallback.starts_with("Sorry"));
        kb.phrase_translations.insert("en", BotPhrases { fallback: "Pardon?".into(), ..default_phrases("en") });
        assert_eq!(kb.phrases_in("en").fallback, "Pardon?");
        assert_eq!(kb.languages(), vec!["en".to_string(), "zh".to_string()]);
    }

    #[test]
    fn translation_problems_name_their_paths() {
        let mut f = shipping();
        f.translations.insert("zh", FaqTranslation { question: " ".into(), answer: "a{x".into(), ..FaqTranslation::default() });
        let paths: Vec<String> = translation_problems(&f).into_iter().map(|p| p.path).collect();
        assert!(paths.contains(&"translations.zh".to_string()), "{paths:?}");
        assert!(paths.contains(&"translations.zh.question".to_string()), "{paths:?}");
        assert!(paths.contains(&"translations.zh.answer".to_string()), "{paths:?}");
        // Only the languages kefu speaks are keys at all.
        assert!(serde_json::from_str::<PerLanguage<FaqTranslation>>(r#"{"fr": {"question": "q", "answer": "a"}}"#).is_err());
        assert!(translation_problems(&shipping()).is_empty());
    }
}
