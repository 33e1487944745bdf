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
    /// One-vs-rest squared hinge, every class against the others (as LinearSVC).
    SquaredHingeOvr,
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
    /// A second model with another objective whose scores are added with this weight (the
    /// models are linear in the same features, so the mix is one model again: no cost at
    /// prediction). Each model is first scaled to unit RMS score spread on the training data.
    #[serde(default)]
    pub mix: Option<(Loss, f32)>,
    /// Class balancing: each example's step is scaled by (mean class size / its class size)
    /// to this power (0 = off, 1 = every class weighs the same in total).
    #[serde(default)]
    pub class_balance: f32,
    /// The weights returned are the mean of the end-of-epoch weights of this many last epochs
    /// (0 or 1 = the last weights only).
    #[serde(default)]
    pub average_epochs: usize,
}

fn one() -> usize {
    1
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { loss: Loss::Softmax, epochs: 12, learning_rate: 0.5, l2: 1e-5, seed: 7, average_of: 1, mix: None, class_balance: 0.0, average_epochs: 0 }
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
        let Some((loss, weight)) = cfg.mix else {
            return Self::train_averaged(xs, ys, dim, classes, cfg);
        };
        let mut model = Self::train_averaged(xs, ys, dim, classes, &TrainConfig { mix: None, ..cfg.clone() });
        let other = Self::train_averaged(xs, ys, dim, classes, &TrainConfig { mix: None, loss, ..cfg.clone() });
        let (a, b) = (1.0 / model.score_spread(xs), weight / other.score_spread(xs));
        model.weights.iter_mut().zip(&other.weights).for_each(|(x, y)| *x = *x * a + y * b);
        model.bias.iter_mut().zip(&other.bias).for_each(|(x, y)| *x = *x * a + y * b);
        model
    }

    /// Root mean square of scores around each example's mean score (1 when there is nothing).
    fn score_spread(&self, xs: &[SparseVec]) -> f32 {
        let (mut sum, mut n) = (0.0f64, 0usize);
        for x in xs.iter().step_by((xs.len() / 2000).max(1)) {
            let s = self.scores(x);
            let mean = s.iter().sum::<f32>() / s.len().max(1) as f32;
            sum += s.iter().map(|v| ((v - mean) * (v - mean)) as f64).sum::<f64>();
            n += s.len();
        }
        if sum > 0.0 { (sum / n as f64).sqrt() as f32 } else { 1.0 }
    }

    fn train_averaged(xs: &[SparseVec], ys: &[usize], dim: usize, classes: usize, cfg: &TrainConfig) -> LinearModel {
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
        let mut class_weight = vec![1.0f32; k];
        if cfg.class_balance > 0.0 {
            let mut count = vec![0usize; k];
            order.iter().filter(|&&i| ys[i] < k).for_each(|&i| count[ys[i]] += 1);
            let present = count.iter().filter(|&&c| c > 0).count().max(1);
            let mean = count.iter().sum::<usize>() as f32 / present as f32;
            for (w, &c) in class_weight.iter_mut().zip(&count) {
                if c > 0 {
                    *w = (mean / c as f32).powf(cfg.class_balance);
                }
            }
        }
        let averaged = cfg.average_epochs.min(cfg.epochs);
        let (mut sum_w, mut sum_b) = (Vec::new(), vec![0.0f32; k]);
        if averaged > 1 {
            sum_w = vec![0.0f32; dim * k];
        }
        for epoch in 0..cfg.epochs {
            if averaged > 1 && epoch > 0 && epoch + averaged > cfg.epochs {
                snapshot(&w, scale, &bias, &mut sum_w, &mut sum_b);
            }
            rng.shuffle(&mut order);
            for &i in &order {
                let (x, y) = (&xs[i], ys[i]);
                if y >= k {
                    continue;
                }
                let eta = cfg.learning_rate * (1.0 - 0.9 * step / total);
                step += 1.0;
                let push = eta * class_weight[y];
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
                    Loss::SquaredHingeOvr => {
                        for (c, &v) in s.iter().enumerate() {
                            let t = if c == y { 1.0 } else { -1.0 };
                            let slack = 1.0 - t * v;
                            if slack > 0.0 {
                                grad.push((c, -t * slack));
                            }
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
                let f = push / scale as f32;
                for &(c, g) in &grad {
                    bias[c] -= push * g * 0.1;
                }
                for &(j, v) in x {
                    let row = &mut w[j as usize * k..(j as usize + 1) * k];
                    for &(c, g) in &grad {
                        row[c] -= f * g * v;
                    }
                }
            }
        }
        if averaged > 1 {
            snapshot(&w, scale, &bias, &mut sum_w, &mut sum_b);
            let n = averaged as f32;
            sum_w.iter_mut().for_each(|v| *v /= n);
            sum_b.iter_mut().for_each(|v| *v /= n);
            return LinearModel { dim, classes: k, weights: sum_w, bias: sum_b, temperature: 1.0 };
        }
        for v in w.iter_mut() {
            *v *= scale as f32;
        }
        LinearModel { dim, classes: k, weights: w, bias, temperature: 1.0 }
    }
}

/// Adds the current (scaled) weights and biases to running sums.
fn snapshot(w: &[f32], scale: f64, bias: &[f32], sum_w: &mut [f32], sum_b: &mut [f32]) {
    let s = scale as f32;
    sum_w.iter_mut().zip(w).for_each(|(a, &x)| *a += x * s);
    sum_b.iter_mut().zip(bias).for_each(|(a, &x)| *a += x);
}
