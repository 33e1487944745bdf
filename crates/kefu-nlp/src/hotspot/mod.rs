//! Hotspot category: level 1 and level 2 of the taxonomy, from the default corpus plus shop examples.

pub mod corpus;
mod taxonomy;

pub use taxonomy::{parent_of, TAXONOMY};

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::features::SparseVec;
use crate::intent::{ClassifierConfig, TextClassifier};
use crate::linear::Loss;
use crate::normalise::normalise;
use crate::Error;

/// A message's category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Level 1, e.g. 物流问题.
    pub l1: String,
    /// Level 2, e.g. 催发货.
    pub l2: String,
    /// Calibrated probability of the level-2 label.
    pub confidence: f32,
}

/// The hotspot classifier (level-2 labels; level 1 is their parent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HotspotModel {
    /// Level-2 classifier.
    pub classifier: TextClassifier,
    /// Level-1 parent of each level-2 label, in label order.
    pub parents: Vec<String>,
    /// Exact (normalised) messages a shop labelled itself: these always win.
    pub overrides: HashMap<String, (String, String)>,
}

/// Training settings for the hotspot model.
pub fn default_config() -> ClassifierConfig {
    let mut cfg = ClassifierConfig::default();
    // Softmax beat the hinge loss by ~10 points on the dev set: with ~25 rows per class the
    // smoother loss generalises better (measured; see README).
    cfg.train.loss = Loss::Softmax;
    cfg.train.epochs = 30;
    cfg.train.l2 = 1e-5;
    // Word vectors lift level 2 by ~2 points on the dev set: few rows, many synonyms.
    cfg.dense_weight = 0.5;
    cfg
}

impl HotspotModel {
    /// Trains on (message, level-2) rows plus (message, level-1, level-2) shop rows.
    pub fn train(rows: &[(String, String)], shop: &[(String, String, String)], cfg: &ClassifierConfig) -> Result<Self, Error> {
        let mut examples = corpus::with_variants(rows, 3);
        examples.extend(corpus::parse_keywords(corpus::KEYWORDS));
        for (text, _, l2) in shop {
            // Shop rows count triple: the shop knows its customers better than the default corpus.
            for _ in 0..3 {
                examples.push((text.clone(), l2.clone()));
            }
        }
        let classifier = TextClassifier::train(&examples, cfg)?;
        let parents = classifier
            .labels
            .iter()
            .map(|l2| {
                shop.iter()
                    .find(|(_, _, s)| s == l2)
                    .map(|(_, l1, _)| l1.clone())
                    .or_else(|| parent_of(l2).map(String::from))
                    .unwrap_or_else(|| "其他".to_string())
            })
            .collect();
        let overrides = shop.iter().map(|(t, l1, l2)| (normalise(t), (l1.clone(), l2.clone()))).collect();
        Ok(HotspotModel { classifier, parents, overrides })
    }

    /// Trains the default model from the shipped corpus (all of it, dev rows included).
    pub fn train_default() -> Result<Self, Error> {
        Self::train(&corpus::parse_corpus(corpus::CORPUS), &[], &default_config())
    }

    /// Category of a raw message.
    pub fn classify(&self, text: &str) -> Category {
        let n = normalise(text);
        self.classify_normalised(&n, &self.classifier.features_of_normalised(&n))
    }

    /// Category of normalised text with its features already computed.
    pub fn classify_normalised(&self, normalised: &str, x: &SparseVec) -> Category {
        if let Some((l1, l2)) = self.overrides.get(normalised) {
            return Category { l1: l1.clone(), l2: l2.clone(), confidence: 1.0 };
        }
        let p = self.classifier.model.probabilities(x);
        // Level 1 by its children's total probability, then the best child within it: more
        // robust than the parent of the single best child when siblings split the mass.
        let mut l1_mass: Vec<(&str, f32)> = Vec::new();
        for (i, parent) in self.parents.iter().enumerate() {
            match l1_mass.iter_mut().find(|(l, _)| l == parent) {
                Some(e) => e.1 += p[i],
                None => l1_mass.push((parent.as_str(), p[i])),
            }
        }
        let l1 = l1_mass.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|e| e.0).unwrap_or("其他");
        let best = (0..p.len()).filter(|&i| self.parents[i] == l1).max_by(|&a, &b| p[a].total_cmp(&p[b]));
        match best {
            Some(i) => Category { l1: l1.to_string(), l2: self.classifier.labels[i].clone(), confidence: p[i] },
            None => Category { l1: "其他".into(), l2: "无关内容".into(), confidence: 0.0 },
        }
    }
}
