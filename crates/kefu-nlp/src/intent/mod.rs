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
    /// Weight of the averaged word-vector columns (0 = TF-IDF only).
    #[serde(default)]
    pub dense_weight: f32,
    /// NB-SVM-style contrast: each column's IDF is scaled by 1 + this × its largest
    /// class-vs-rest log-count ratio, so telling words weigh more (0 = plain TF-IDF).
    #[serde(default)]
    pub contrast_weight: f32,
    /// Words are averaged into the word-vector columns with weight IDF^this (0 = plain mean;
    /// words unseen in training count with the largest IDF).
    #[serde(default)]
    pub dense_idf_power: f32,
    /// Weight of the max-pooled word vectors, appended after the averaged ones (0 = none).
    /// Like `dense_idf_power`, not kept by the default-model codec (no default model uses them).
    #[serde(default)]
    pub max_pool_weight: f32,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig { features: FeatureConfig::default(), min_df: 1, train: TrainConfig::default(), dense_weight: 0.0, contrast_weight: 0.0, dense_idf_power: 0.0, max_pool_weight: 0.0 }
    }
}

/// Settings for shop intent models, chosen on CLINC150's validation split and a validation
/// part carved out of Banking77's training file (`examples/tune.rs`): the hinge loss beat
/// softmax by ~1 point at a third of the training time; each feature block normalised on its
/// own (+0.5 on CLINC150 val; Chinese char n-grams weighted 2, +0.4 in SMP2019 cross-validation)
/// and the word vectors (with word-pair vectors) at 0.7 (+0.3): see EVAL.md.
pub fn recommended_config() -> ClassifierConfig {
    let mut cfg = ClassifierConfig::default();
    cfg.train.loss = crate::linear::Loss::Hinge;
    cfg.train.l2 = 5e-5;
    cfg.features.block_weights = Some([1.0, 1.0, 1.0, 2.0]);
    cfg.dense_weight = 0.7;
    cfg
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
    /// Weight of the word-vector columns appended after the TF-IDF columns (0 = none).
    #[serde(default)]
    pub dense_weight: f32,
    /// See [`ClassifierConfig::dense_idf_power`].
    #[serde(default)]
    pub dense_idf_power: f32,
    /// See [`ClassifierConfig::max_pool_weight`] (only with `dense_weight` > 0).
    #[serde(default)]
    pub max_pool_weight: f32,
}

/// Scales each column's IDF by 1 + `weight` × max over classes of |log P(f | c) / P(f | not c)|
/// (document presence counts, add-one smoothed).
fn contrast(v: &mut Vectoriser, texts: &[String], ys: &[usize], classes: usize, weight: f32) {
    let dim = v.dim();
    let mut present = vec![0u32; dim * classes];
    let mut docs = vec![0u32; classes];
    for (t, &y) in texts.iter().zip(ys) {
        docs[y] += 1;
        for (j, _) in v.transform(t) {
            present[j as usize * classes + y] += 1;
        }
    }
    let total: u32 = docs.iter().sum();
    for j in 0..dim {
        let row = &present[j * classes..(j + 1) * classes];
        let all: u32 = row.iter().sum();
        let mut best = 0.0f32;
        for c in 0..classes {
            let inside = (row[c] as f32 + 1.0) / (docs[c] as f32 + 2.0);
            let outside = ((all - row[c]) as f32 + 1.0) / ((total - docs[c]) as f32 + 2.0);
            best = best.max((inside / outside).ln().abs());
        }
        v.idf[j] *= 1.0 + weight * best;
    }
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
        let mut vectoriser = Vectoriser::fit(cfg.features.clone(), &texts, cfg.min_df);
        if cfg.contrast_weight > 0.0 {
            contrast(&mut vectoriser, &texts, &ys, labels.len(), cfg.contrast_weight);
        }
        let dense_weight = if crate::embed::vectors().is_some() { cfg.dense_weight } else { 0.0 };
        let mut dense_dim = if dense_weight > 0.0 { crate::embed::vectors().map_or(0, |v| v.dim()) } else { 0 };
        if cfg.max_pool_weight > 0.0 {
            dense_dim *= 2;
        }
        let mut c = TextClassifier { labels, vectoriser, model: LinearModel::train(&[], &[], 0, 1, &cfg.train), reject_below: 0.0, dense_weight, dense_idf_power: cfg.dense_idf_power, max_pool_weight: cfg.max_pool_weight };
        let xs: Vec<SparseVec> = texts.iter().map(|t| c.features_of_normalised(t)).collect();
        c.model = LinearModel::train(&xs, &ys, c.vectoriser.dim() + dense_dim, c.labels.len(), &cfg.train);
        Ok(c)
    }

    /// Features of raw text.
    pub fn features(&self, text: &str) -> SparseVec {
        self.features_of_normalised(&normalise(text))
    }

    /// Features of normalised text.
    pub fn features_of_normalised(&self, normalised: &str) -> SparseVec {
        let mut buf = Vec::with_capacity(128);
        self.vectoriser.config.extract(normalised, &mut buf);
        self.features_from_hashes(&buf, normalised)
    }

    /// Features from raw hashes already extracted with this classifier's feature config.
    pub fn features_from_hashes(&self, hashes: &[u64], normalised: &str) -> SparseVec {
        let mut x = self.vectoriser.weigh(hashes);
        if self.dense_weight > 0.0 && self.dense_idf_power != 0.0 {
            let v = &self.vectoriser;
            let unseen = ((1.0 + v.documents as f32).ln() + 1.0).powf(self.dense_idf_power);
            crate::embed::append_weighted_dense(&mut x, normalised, v.dim(), self.dense_weight, |w| {
                v.idf_of(v.config.word_hash(w)).map_or(unseen, |idf| idf.powf(self.dense_idf_power))
            });
        } else if self.dense_weight > 0.0 {
            crate::embed::append_dense(&mut x, normalised, self.vectoriser.dim(), self.dense_weight);
        }
        if self.dense_weight > 0.0 && self.max_pool_weight > 0.0 {
            let dim = crate::embed::vectors().map_or(0, |v| v.dim());
            crate::embed::append_max_pooled(&mut x, normalised, self.vectoriser.dim() + dim, self.max_pool_weight);
        }
        x
    }

    /// Calibrated probability of every label for raw text.
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        self.model.probabilities(&self.features(text))
    }

    /// Best label of raw text with the `k` most likely alternatives.
    pub fn predict(&self, text: &str, k: usize) -> Prediction {
        self.predict_features(&self.features(text), k)
    }

    /// Best label for an already computed feature vector.
    pub fn predict_features(&self, x: &SparseVec, k: usize) -> Prediction {
        let p = self.model.probabilities(x);
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
