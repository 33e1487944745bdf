//! The one-call API: `analyze(text)` with the default models, plus shop intents, FAQ and catalogue.

use std::sync::{Arc, LazyLock, RwLock};

use serde::{Deserialize, Serialize};

use crate::entities::{extract, Entity, Gazetteer};
use crate::faq::{FaqAnswer, FaqIndex};
use crate::handoff::wants_human;
use crate::intent::{Prediction, TextClassifier};
use crate::lang::{detect, Language};
use crate::model::{train_default, DefaultModels};
use crate::normalise::normalise;
use crate::sentiment::Polarity;
use crate::tokenise::words;

/// Weights shipped in the repository, made by `kefu nlu train-default`.
const SHIPPED: &[u8] = include_bytes!("../../data/default_models.bin");

/// Everything kefu reads from one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// zh / en / other.
    pub language: Language,
    /// Hotspot level 1.
    pub l1: String,
    /// Hotspot level 2.
    pub l2: String,
    /// Calibrated probability of the level-2 category.
    pub category_confidence: f32,
    /// Polarity.
    pub sentiment: Polarity,
    /// Sentiment score in −1..1.
    pub sentiment_score: f32,
    /// Anger or an escalation threat.
    pub strong_emotion: bool,
    /// The customer asks for a human.
    pub wants_human: bool,
    /// Slots found.
    pub entities: Vec<Entity>,
    /// Shop intent, when the shop has an intent model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub intent: Option<Prediction>,
    /// Best FAQ, when the shop has an FAQ index.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub faq: Option<FaqAnswer>,
}

/// A shop's own models, trained at run time from its knowledge base.
#[derive(Debug, Clone, Default)]
pub struct ShopModels {
    /// Intent classifier.
    pub intents: Option<TextClassifier>,
    /// FAQ index.
    pub faq: Option<FaqIndex>,
    /// Product names for entity extraction.
    pub products: Option<Gazetteer>,
}

/// Suggestions returned with an FAQ answer.
const FAQ_TOP_K: usize = 3;

static DEFAULT: LazyLock<RwLock<Arc<DefaultModels>>> = LazyLock::new(|| RwLock::new(Arc::new(load_shipped())));

/// The shipped default models; if the file is missing or of another format, they are trained
/// from the team's corpora in a fraction of a second instead (sentiment then lacks the review set).
fn load_shipped() -> DefaultModels {
    DefaultModels::from_bytes(SHIPPED).or_else(|_| train_default(None)).unwrap_or_else(|_| empty_models())
}

fn empty_models() -> DefaultModels {
    // Only reachable if training on the built-in corpora fails, which the tests rule out.
    let rows = vec![("你好".to_string(), "问候闲聊".to_string())];
    let hotspot = crate::hotspot::HotspotModel::train(&rows, &[], &Default::default()).unwrap_or_else(|_| unreachable!());
    let sentiment = crate::sentiment::SentimentModel::train(&[("好", "positive")], &Default::default()).unwrap_or_else(|_| unreachable!());
    DefaultModels { format_version: crate::model::FORMAT_VERSION, hotspot, sentiment }
}

/// The default models now in use (cheap: an `Arc` clone).
pub fn default_models() -> Arc<DefaultModels> {
    DEFAULT.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Replaces the default models atomically; requests already running finish on the old ones.
pub fn install_default_models(models: DefaultModels) {
    *DEFAULT.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(models);
}

/// Analyses one message with the default models.
pub fn analyze(text: &str) -> Analysis {
    analyze_with(&default_models(), None, text)
}

/// Analyses one message with given default models and, optionally, a shop's models.
pub fn analyze_with(models: &DefaultModels, shop: Option<&ShopModels>, text: &str) -> Analysis {
    let n = normalise(text);
    let hot = &models.hotspot.classifier.vectoriser;
    let sen = &models.sentiment.classifier.vectoriser;
    // One feature extraction (the expensive part: jieba) serves every model with the same config.
    let mut raw = Vec::with_capacity(128);
    hot.config.extract(&n, &mut raw);
    let category = models.hotspot.classify_normalised(&n, &models.hotspot.classifier.features_from_hashes(&raw, &n));
    let sc = &models.sentiment.classifier;
    let sentiment_x = if sen.config.same_extraction(&hot.config) { sc.features_from_hashes(&raw, &n) } else { sc.features_of_normalised(&n) };
    let sentiment = models.sentiment.analyse_features(&n, &words(&n), &sentiment_x);
    let intent = shop.and_then(|s| s.intents.as_ref()).map(|c| {
        let x = if c.vectoriser.config.same_extraction(&hot.config) { c.features_from_hashes(&raw, &n) } else { c.features_of_normalised(&n) };
        c.predict_features(&x, 3)
    });
    let faq = shop.and_then(|s| s.faq.as_ref()).map(|f| f.search_normalised(&n, FAQ_TOP_K));
    Analysis {
        language: detect(&n),
        l1: category.l1,
        l2: category.l2,
        category_confidence: category.confidence,
        sentiment: sentiment.polarity,
        sentiment_score: sentiment.score,
        // Repeated ?/! are squeezed by normalisation, so impatience is read from the raw text.
        strong_emotion: sentiment.strong_emotion || crate::sentiment::is_impatient(text, &n),
        wants_human: wants_human(&n),
        entities: extract(&n, shop.and_then(|s| s.products.as_ref())),
        intent,
        faq,
    }
}
