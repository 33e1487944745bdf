//! Intent evaluations: CLINC150 (with out-of-scope), Banking77, SMP2019.

use serde::Serialize;

use super::data::{is_test_row, Clinc, Labelled};
use super::metrics::{fraction, timed};
use crate::intent::{tune_threshold, ClassifierConfig, TextClassifier};
use crate::Error;

/// Accuracy of a classifier on a test set, with its training time.
#[derive(Debug, Clone, Serialize)]
pub struct AccuracyReport {
    /// Fraction of test texts with the right label.
    pub accuracy: f64,
    /// Training examples.
    pub train_size: usize,
    /// Test examples.
    pub test_size: usize,
    /// Seconds to train.
    pub train_seconds: f64,
}

/// CLINC150 figures.
#[derive(Debug, Clone, Serialize)]
pub struct ClincReport {
    /// In-scope test accuracy of the top label (no rejection; what the published tables compare).
    pub accuracy: f64,
    /// In-scope test accuracy when the out-of-scope threshold is applied (a rejection counts wrong).
    pub accuracy_with_rejection: f64,
    /// Fraction of out-of-scope test texts rejected.
    pub oos_recall: f64,
    /// Threshold on calibrated probability, tuned on the validation split.
    pub threshold: f32,
    /// Fitted softmax temperature.
    pub temperature: f32,
    /// Seconds to train.
    pub train_seconds: f64,
}

/// Trains on `train`, then accuracy on `test`.
pub fn accuracy_of(train: &Labelled, test: &Labelled, cfg: &ClassifierConfig) -> Result<AccuracyReport, Error> {
    let (model, secs) = timed(|| TextClassifier::train(train, cfg));
    let model = model?;
    let hits = test.iter().filter(|(t, l)| model.predict(t, 1).top.first().is_some_and(|p| &p.0 == l)).count();
    Ok(AccuracyReport { accuracy: fraction(hits, test.len()), train_size: train.len(), test_size: test.len(), train_seconds: secs })
}

/// CLINC150: train on train, calibrate and tune the out-of-scope threshold on val, report test.
pub fn evaluate_clinc(data: &Clinc, cfg: &ClassifierConfig) -> Result<ClincReport, Error> {
    let (model, secs) = timed(|| TextClassifier::train(&data.train, cfg));
    let mut model = model?;
    model.calibrate(&data.val);
    let val_in: Vec<(f32, bool)> = data
        .val
        .iter()
        .map(|(t, l)| {
            let p = model.predict(t, 1);
            (p.confidence, p.top.first().is_some_and(|x| &x.0 == l))
        })
        .collect();
    let val_oos: Vec<f32> = data.oos_val.iter().map(|t| model.predict(t, 1).confidence).collect();
    model.reject_below = tune_threshold(&val_in, &val_oos);
    let mut right = 0;
    let mut right_kept = 0;
    for (t, l) in &data.test {
        let p = model.predict(t, 1);
        if p.top.first().is_some_and(|x| &x.0 == l) {
            right += 1;
            if p.label.is_some() {
                right_kept += 1;
            }
        }
    }
    let rejected = data.oos_test.iter().filter(|t| model.predict(t, 1).label.is_none()).count();
    Ok(ClincReport {
        accuracy: fraction(right, data.test.len()),
        accuracy_with_rejection: fraction(right_kept, data.test.len()),
        oos_recall: fraction(rejected, data.oos_test.len()),
        threshold: model.reject_below,
        temperature: model.model.temperature,
        train_seconds: secs,
    })
}

/// Splits labelled rows by the stable hash of their text: (train, test).
pub fn hash_split(rows: &Labelled) -> (Labelled, Labelled) {
    rows.iter().cloned().partition(|(t, _)| !is_test_row(t))
}
