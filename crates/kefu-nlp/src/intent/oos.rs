//! Out-of-scope threshold: chosen on held-out data, never on the test set.

/// Threshold on the top probability that maximises in-scope accuracy + out-of-scope recall.
///
/// `in_scope` holds (top probability, was the top label right); `out_of_scope` the top
/// probabilities of texts that belong to no class. Balanced because held-out sets usually have
/// far fewer out-of-scope texts, and plain accuracy would then ignore them.
pub fn tune_threshold(in_scope: &[(f32, bool)], out_of_scope: &[f32]) -> f32 {
    if in_scope.is_empty() || out_of_scope.is_empty() {
        return 0.0;
    }
    let mut candidates: Vec<f32> = in_scope.iter().map(|x| x.0).chain(out_of_scope.iter().copied()).collect();
    candidates.push(0.0);
    candidates.sort_unstable_by(f32::total_cmp);
    candidates.dedup();
    let mut best = (0.0f32, f64::NEG_INFINITY);
    for &t in &candidates {
        let acc = in_scope.iter().filter(|&&(p, ok)| ok && p >= t).count() as f64 / in_scope.len() as f64;
        let rec = out_of_scope.iter().filter(|&&p| p < t).count() as f64 / out_of_scope.len() as f64;
        if acc + rec > best.1 {
            best = (t, acc + rec);
        }
    }
    best.0
}
