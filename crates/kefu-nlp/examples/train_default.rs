//! Reproduces data/default_models.bin: `train_default [DATASETS_DIR] [OUT]`.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let out = std::env::args().nth(2).unwrap_or_else(|| "crates/kefu-nlp/data/default_models.bin".into());
    let csv = std::fs::read_to_string(format!("{dir}/sentiment/online_shopping_10_cats/online_shopping_10_cats.csv")).ok();
    let t = std::time::Instant::now();
    let models = kefu_nlp::model::train_default(csv.as_deref()).expect("trains");
    let bytes = models.to_bytes();
    println!("trained in {:?}, {} bytes, review set used: {}", t.elapsed(), bytes.len(), csv.is_some());
    std::fs::write(&out, &bytes).expect("writes");
    let back = kefu_nlp::model::DefaultModels::from_bytes(&bytes).expect("reads back");
    for s in ["亲 什么时候发货啊", "衣服质量太差了 我要退货", "转人工", "谢谢 很满意"] {
        println!("{s} -> {:?}", kefu_nlp::analyze_with(&back, None, s));
    }
}
