//! Sentiment (positive / neutral / negative) and the strong-emotion flag.

mod emotion;
mod lexicon;

pub use emotion::{is_impatient, is_strong, triggers};
pub use lexicon::polarity;

use serde::{Deserialize, Serialize};

use crate::features::SparseVec;
use crate::intent::{ClassifierConfig, TextClassifier};
use crate::normalise::normalise;
use crate::tokenise::words;
use crate::Error;

/// Label of a negative example.
pub const NEGATIVE: &str = "negative";
/// Label of a neutral example.
pub const NEUTRAL: &str = "neutral";
/// Label of a positive example.
pub const POSITIVE: &str = "positive";

/// Polarity of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// Praise, thanks, satisfaction.
    Positive,
    /// Questions and statements without feeling.
    Neutral,
    /// Complaint, disappointment, anger.
    Negative,
}

/// Sentiment of one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Overall polarity.
    pub polarity: Polarity,
    /// P(positive) − P(negative) after combining model and lexicon, in −1..1.
    pub score: f32,
    /// Anger or a threat to escalate: the bot should hand over.
    pub strong_emotion: bool,
}

/// The trained sentiment model plus the lexicon.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentimentModel {
    /// Classifier over `negative` / `neutral` / `positive` (neutral may be absent).
    pub classifier: TextClassifier,
}

/// Settings of the sentiment model: long reviews need only words, bigrams and short char n-grams.
pub fn default_config() -> ClassifierConfig {
    let mut cfg = ClassifierConfig::default();
    // Measured on the review set: hinge beat softmax by ~0.4 point, NB-style contrast weighting
    // with char 4-grams added ~0.3 more; word vectors did not help.
    cfg.train.loss = crate::linear::Loss::Hinge;
    cfg.train.l2 = 5e-5;
    cfg.features.cjk_chars = (1, 4);
    cfg.contrast_weight = 1.0;
    cfg.min_df = 2;
    cfg
}

impl SentimentModel {
    /// Trains from (text, label) with labels among [`NEGATIVE`], [`NEUTRAL`], [`POSITIVE`].
    pub fn train<T: AsRef<str>, L: AsRef<str>>(examples: &[(T, L)], cfg: &ClassifierConfig) -> Result<Self, Error> {
        Ok(SentimentModel { classifier: TextClassifier::train(examples, cfg)? })
    }

    /// Probability of each label for normalised text, in the classifier's label order.
    fn probs(&self, normalised: &str) -> Vec<(String, f32)> {
        let x = self.classifier.features_of_normalised(normalised);
        let p = self.classifier.model.probabilities(&x);
        self.classifier.labels.iter().cloned().zip(p).collect()
    }

    /// Positive-vs-negative decision only (for binary data sets): true when positive.
    pub fn is_positive(&self, text: &str) -> bool {
        let n = normalise(text);
        let (pos, neg) = self.pos_neg(&n);
        pos >= neg
    }

    fn pos_neg(&self, normalised: &str) -> (f32, f32) {
        let mut pos = 0.0;
        let mut neg = 0.0;
        for (l, p) in self.probs(normalised) {
            if l == POSITIVE {
                pos = p;
            } else if l == NEGATIVE {
                neg = p;
            }
        }
        (pos, neg)
    }

    /// Sentiment of a raw message.
    pub fn analyse(&self, text: &str) -> Sentiment {
        let n = normalise(text);
        self.analyse_normalised(&n, &words(&n))
    }

    /// Sentiment of normalised text whose words are already cut.
    pub fn analyse_normalised(&self, normalised: &str, words: &[String]) -> Sentiment {
        self.analyse_features(normalised, words, &self.classifier.features_of_normalised(normalised))
    }

    /// Sentiment of normalised text with its words and this model's features already computed.
    pub fn analyse_features(&self, normalised: &str, words: &[String], x: &SparseVec) -> Sentiment {
        let lex = polarity(words);
        let p = self.classifier.model.probabilities(x);
        let probs: Vec<(String, f32)> = self.classifier.labels.iter().cloned().zip(p).collect();
        let get = |name: &str| probs.iter().find(|(l, _)| l == name).map(|x| x.1).unwrap_or(0.0);
        let (pos, neg, neu) = (get(POSITIVE), get(NEGATIVE), get(NEUTRAL));
        // The lexicon nudges the model: short messages give the model little to go on.
        let score = ((pos - neg) + 0.25 * lex.clamp(-2.0, 2.0)).clamp(-1.0, 1.0);
        let strong = is_strong(normalised, lex);
        let polarity = if strong || (score < -0.3 && neg > neu * 0.5) {
            Polarity::Negative
        } else if score > 0.3 && pos > neu * 0.5 {
            Polarity::Positive
        } else {
            Polarity::Neutral
        };
        Sentiment { polarity, score, strong_emotion: strong }
    }
}
