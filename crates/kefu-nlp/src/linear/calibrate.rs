//! Temperature scaling: one scalar that turns raw scores into honest probabilities.

use super::LinearModel;
use crate::features::SparseVec;

/// Temperature minimising the negative log-likelihood of held-out `(xs, ys)`; 1.0 without data.
pub fn fit_temperature(model: &LinearModel, xs: &[SparseVec], ys: &[usize]) -> f32 {
    if xs.is_empty() {
        return 1.0;
    }
    let scores: Vec<Vec<f32>> = xs.iter().map(|x| model.scores(x)).collect();
    let nll = |t: f32| -> f64 {
        let mut total = 0.0f64;
        for (s, &y) in scores.iter().zip(ys) {
            let mut p = s.clone();
            super::softmax(&mut p, t);
            total -= (p.get(y).copied().unwrap_or(0.0).max(1e-9) as f64).ln();
        }
        total
    };
    // Log-spaced grid then a local refinement: NLL in T is smooth and unimodal in practice.
    let mut best = (1.0f32, f64::INFINITY);
    for i in -30..=30 {
        let t = 10f32.powf(i as f32 / 15.0);
        let v = nll(t);
        if v < best.1 {
            best = (t, v);
        }
    }
    for i in -10..=10 {
        let t = best.0 * 10f32.powf(i as f32 / 150.0);
        let v = nll(t);
        if v < best.1 {
            best = (t, v);
        }
    }
    best.0
}
