//! Latency of analyze with a 10k-FAQ shop built from ATEC: `latency DATASETS_DIR MESSAGES`.
use kefu_nlp::eval::data;
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let n: usize = std::env::args().nth(2).and_then(|v| v.parse().ok()).unwrap_or(1000);
    let pairs = data::parse_atec(&std::fs::read_to_string(format!("{dir}/faq/atec/atec_nlp_sim_train.csv")).unwrap_or_default());
    let smp = data::parse_smp2019(&std::fs::read_to_string(format!("{dir}/intent/smp2019/2019train.json")).unwrap_or_default()).ok();
    println!("{:?}", kefu_nlp::eval::report::latency(Some(&pairs), smp.as_ref(), n));
    let models = kefu_nlp::engine::default_models();
    let qs: Vec<String> = pairs.iter().rev().take(n).map(|p| p.q2.clone()).collect();
    let t = std::time::Instant::now();
    for (i, q) in qs.iter().enumerate() {
        kefu_nlp::analyze_with(&models, None, q);
        if (i + 1) % 1000 == 0 {
            println!("defaults only: {} msgs, {:.1} µs/msg so far", i + 1, t.elapsed().as_secs_f64() * 1e6 / (i + 1) as f64);
        }
    }
}
