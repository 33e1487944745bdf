//! Stochastic gradient training with lazily scaled L2 decay (so a step touches only active weights).

use serde::{Deserialize, Serialize};

use super::LinearModel;
use crate::features::SparseVec;

/// Training objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// Multinomial logistic regression.
    Softmax,
    /// Crammer–Singer multiclass hinge (a linear SVM).
    Hinge,
}

/// Hyper-parameters of SGD training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Objective.
    pub loss: Loss,
    /// Passes over the data.
    pub epochs: usize,
    /// Initial step size, decayed linearly to a tenth.
    pub learning_rate: f32,
    /// L2 regularisation strength.
    pub l2: f32,
    /// Seed of the shuffling order (training is deterministic for a seed).
    pub seed: u64,
    /// Models trained with different shuffles whose weights are averaged (1 = a single model).
    #[serde(default = "one")]
    pub average_of: usize,
}

fn one() -> usize {
    1
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { loss: Loss::Softmax, epochs: 12, learning_rate: 0.5, l2: 1e-5, seed: 7, average_of: 1 }
    }
}

/// Small deterministic PRNG (xorshift64*), enough for shuffling.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

impl LinearModel {
    /// Trains on feature vectors `xs` with class indices `ys` (each < `classes`).
    pub fn train(xs: &[SparseVec], ys: &[usize], dim: usize, classes: usize, cfg: &TrainConfig) -> LinearModel {
        let mut model = Self::train_one(xs, ys, dim, classes, cfg);
        // Averaging SGD runs that saw the data in different orders smooths out the last steps' noise.
        for i in 1..cfg.average_of.max(1) {
            let other = Self::train_one(xs, ys, dim, classes, &TrainConfig { seed: cfg.seed.wrapping_add(i as u64 * 7919), ..cfg.clone() });
            model.weights.iter_mut().zip(&other.weights).for_each(|(a, b)| *a += b);
            model.bias.iter_mut().zip(&other.bias).for_each(|(a, b)| *a += b);
        }
        let n = cfg.average_of.max(1) as f32;
        model.weights.iter_mut().for_each(|w| *w /= n);
        model.bias.iter_mut().for_each(|b| *b /= n);
        model
    }

    fn train_one(xs: &[SparseVec], ys: &[usize], dim: usize, classes: usize, cfg: &TrainConfig) -> LinearModel {
        let k = classes.max(1);
        let mut w = vec![0.0f32; dim * k];
        let mut bias = vec![0.0f32; k];
        let mut scale = 1.0f64;
        let mut order: Vec<usize> = (0..xs.len().min(ys.len())).collect();
        let mut rng = Rng::new(cfg.seed);
        let total = (cfg.epochs * order.len()).max(1) as f32;
        let mut step = 0f32;
        let mut s = vec![0.0f32; k];
        let mut grad: Vec<(usize, f32)> = Vec::with_capacity(k);
        for _ in 0..cfg.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (x, y) = (&xs[i], ys[i]);
                if y >= k {
                    continue;
                }
                let eta = cfg.learning_rate * (1.0 - 0.9 * step / total);
                step += 1.0;
                s.copy_from_slice(&bias);
                let inv = scale as f32;
                for &(j, v) in x {
                    let row = &w[j as usize * k..(j as usize + 1) * k];
                    for (acc, wv) in s.iter_mut().zip(row) {
                        *acc += v * inv * wv;
                    }
                }
                grad.clear();
                match cfg.loss {
                    Loss::Softmax => {
                        super::softmax(&mut s, 1.0);
                        for (c, &p) in s.iter().enumerate() {
                            let g = if c == y { p - 1.0 } else { p };
                            // Classes the model already rules out contribute nothing worth a write.
                            if g.abs() > 1e-4 {
                                grad.push((c, g));
                            }
                        }
                    }
                    Loss::Hinge => {
                        let mut rival = (usize::MAX, f32::NEG_INFINITY);
                        for (c, &v) in s.iter().enumerate() {
                            if c != y && v > rival.1 {
                                rival = (c, v);
                            }
                        }
                        if rival.0 != usize::MAX && s[y] - rival.1 < 1.0 {
                            grad.push((y, -1.0));
                            grad.push((rival.0, 1.0));
                        }
                    }
                }
                scale *= 1.0 - (eta * cfg.l2) as f64;
                if scale < 1e-6 {
                    for v in w.iter_mut() {
                        *v *= scale as f32;
                    }
                    scale = 1.0;
                }
                let f = eta / scale as f32;
                for &(c, g) in &grad {
                    bias[c] -= eta * g * 0.1;
                }
                for &(j, v) in x {
                    let row = &mut w[j as usize * k..(j as usize + 1) * k];
                    for &(c, g) in &grad {
                        row[c] -= f * g * v;
                    }
                }
            }
        }
        for v in w.iter_mut() {
            *v *= scale as f32;
        }
        LinearModel { dim, classes: k, weights: w, bias, temperature: 1.0 }
    }
}
