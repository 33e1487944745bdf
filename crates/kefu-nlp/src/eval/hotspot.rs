//! The hotspot dev set: level-1 and level-2 accuracy of a model trained on the rest of the corpus.

use serde::Serialize;

use super::metrics::{fraction, timed};
use crate::hotspot::{corpus, parent_of, HotspotModel};
use crate::Error;

/// Dev-set figures.
#[derive(Debug, Clone, Serialize)]
pub struct HotspotReport {
    /// Level-1 accuracy.
    pub l1: f64,
    /// Level-2 accuracy.
    pub l2: f64,
    /// Training rows (before variants).
    pub train_size: usize,
    /// Dev rows.
    pub dev_size: usize,
    /// Seconds to train.
    pub train_seconds: f64,
}

/// Trains on the corpus minus its dev rows and scores the dev rows.
pub fn evaluate_hotspot(corpus_text: &str) -> Result<HotspotReport, Error> {
    evaluate_hotspot_with(corpus_text, &crate::hotspot::default_config())
}

/// [`evaluate_hotspot`] with other training settings.
pub fn evaluate_hotspot_with(corpus_text: &str, cfg: &crate::intent::ClassifierConfig) -> Result<HotspotReport, Error> {
    let rows = corpus::parse_corpus(corpus_text);
    let (train, dev) = corpus::split(&rows);
    let (model, secs) = timed(|| HotspotModel::train(&train, &[], cfg));
    let model = model?;
    let (mut l1, mut l2) = (0, 0);
    for (text, label) in &dev {
        let c = model.classify(text);
        l2 += usize::from(&c.l2 == label);
        l1 += usize::from(Some(c.l1.as_str()) == parent_of(label));
    }
    Ok(HotspotReport { l1: fraction(l1, dev.len()), l2: fraction(l2, dev.len()), train_size: train.len(), dev_size: dev.len(), train_seconds: secs })
}
