//! Intent classification: TF-IDF features, a linear model, calibrated scores, out-of-scope rejection.

mod oos;

pub use oos::tune_threshold;

use serde::{Deserialize, Serialize};

use crate::features::{FeatureConfig, SparseVec, Vectoriser};
use crate::linear::{fit_temperature, LinearModel, TrainConfig};
use crate::normalise::normalise;
use crate::Error;

/// Everything needed to train a text classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifierConfig {
    /// Features to extract.
    pub features: FeatureConfig,
    /// Minimum number of training texts a feature must occur in.
    pub min_df: u32,
    /// Optimiser settings.
    pub train: TrainConfig,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig { features: FeatureConfig::default(), min_df: 1, train: TrainConfig::default() }
    }
}

/// A trained text classifier with an optional "none of these" threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextClassifier {
    /// Class names, indexed by class id.
    pub labels: Vec<String>,
    /// Text → features.
    pub vectoriser: Vectoriser,
    /// Features → scores.
    pub model: LinearModel,
    /// Below this calibrated probability the answer is "out of scope".
    pub reject_below: f32,
}

/// One classification result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Best label, or None when its probability is under the rejection threshold.
    pub label: Option<String>,
    /// Calibrated probability of the best label.
    pub confidence: f32,
    /// Best labels with their probabilities, most likely first.
    pub top: Vec<(String, f32)>,
}

impl TextClassifier {
    /// Trains from (text, label) examples; texts are normalised here.
    pub fn train<T: AsRef<str>, L: AsRef<str>>(examples: &[(T, L)], cfg: &ClassifierConfig) -> Result<Self, Error> {
        if examples.is_empty() {
            return Err(Error::NoTrainingData);
        }
        let mut labels: Vec<String> = examples.iter().map(|(_, l)| l.as_ref().to_string()).collect();
        labels.sort();
        labels.dedup();
        let texts: Vec<String> = examples.iter().map(|(t, _)| normalise(t.as_ref())).collect();
        let ys: Vec<usize> = examples
            .iter()
            .map(|(_, l)| labels.binary_search_by(|x| x.as_str().cmp(l.as_ref())).unwrap_or(0))
            .collect();
        let vectoriser = Vectoriser::fit(cfg.features.clone(), &texts, cfg.min_df);
        let xs: Vec<SparseVec> = texts.iter().map(|t| vectoriser.transform(t)).collect();
        let model = LinearModel::train(&xs, &ys, vectoriser.dim(), labels.len(), &cfg.train);
        Ok(TextClassifier { labels, vectoriser, model, reject_below: 0.0 })
    }

    /// Features of raw text.
    pub fn features(&self, text: &str) -> SparseVec {
        self.vectoriser.transform(&normalise(text))
    }

    /// Calibrated probability of every label for raw text.
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        self.model.probabilities(&self.features(text))
    }

    /// Best label of raw text with the `k` most likely alternatives.
    pub fn predict(&self, text: &str, k: usize) -> Prediction {
        let p = self.probabilities(text);
        let mut idx: Vec<usize> = (0..p.len()).collect();
        idx.sort_unstable_by(|&a, &b| p[b].total_cmp(&p[a]));
        let top: Vec<(String, f32)> = idx.iter().take(k.max(1)).map(|&i| (self.labels[i].clone(), p[i])).collect();
        let confidence = top.first().map(|t| t.1).unwrap_or(0.0);
        let label = top.first().filter(|t| t.1 >= self.reject_below).map(|t| t.0.clone());
        Prediction { label, confidence, top }
    }

    /// Fits the softmax temperature on held-out labelled examples (labels unknown here are skipped).
    pub fn calibrate<T: AsRef<str>, L: AsRef<str>>(&mut self, held_out: &[(T, L)]) {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for (t, l) in held_out {
            if let Ok(y) = self.labels.binary_search_by(|x| x.as_str().cmp(l.as_ref())) {
                xs.push(self.features(t.as_ref()));
                ys.push(y);
            }
        }
        self.model.temperature = fit_temperature(&self.model, &xs, &ys);
    }

    /// Index of a label.
    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.binary_search_by(|x| x.as_str().cmp(label)).ok()
    }
}
