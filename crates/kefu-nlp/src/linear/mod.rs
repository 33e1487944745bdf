//! Multiclass linear models over sparse features, trained by SGD, with temperature calibration.

mod calibrate;
mod train;

pub use calibrate::fit_temperature;
pub use train::{Loss, TrainConfig};

use serde::{Deserialize, Serialize};

use crate::features::SparseVec;

/// A linear scorer: one weight per (feature, class), row-major by feature, plus biases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearModel {
    /// Number of feature columns.
    pub dim: usize,
    /// Number of classes.
    pub classes: usize,
    /// `dim × classes` weights.
    pub weights: Vec<f32>,
    /// One bias per class.
    pub bias: Vec<f32>,
    /// Softmax temperature that makes probabilities honest on held-out data.
    pub temperature: f32,
}

impl LinearModel {
    /// Raw class scores of a feature vector.
    pub fn scores(&self, x: &SparseVec) -> Vec<f32> {
        let mut s = self.bias.clone();
        self.add_scores(x, &mut s);
        s
    }

    fn add_scores(&self, x: &SparseVec, s: &mut [f32]) {
        let k = self.classes;
        for &(j, v) in x {
            let row = &self.weights[j as usize * k..(j as usize + 1) * k];
            for (acc, w) in s.iter_mut().zip(row) {
                *acc += v * w;
            }
        }
    }

    /// Calibrated class probabilities of a feature vector.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        let mut s = self.scores(x);
        softmax(&mut s, self.temperature);
        s
    }

    /// Best class and its calibrated probability.
    pub fn predict(&self, x: &SparseVec) -> (usize, f32) {
        let p = self.probabilities(x);
        argmax(&p)
    }
}

/// In-place softmax of scores divided by `temperature`.
pub fn softmax(s: &mut [f32], temperature: f32) {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = ((*v - max) / t).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in s.iter_mut() {
            *v /= sum;
        }
    }
}

/// Index and value of the largest element (0, -inf for an empty slice).
pub fn argmax(v: &[f32]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, &x) in v.iter().enumerate() {
        if x > best.1 {
            best = (i, x);
        }
    }
    best
}
