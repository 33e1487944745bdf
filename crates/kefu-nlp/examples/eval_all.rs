//! The full evaluation as `kefu nlu eval` runs it: `eval_all [DATASETS_DIR] [--quick]`.
use kefu_nlp::eval::report::{run_eval, DatasetTexts, FILES};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/datasets".into());
    let quick = std::env::args().any(|a| a == "--quick");
    let mut data = DatasetTexts::default();
    for (i, f) in FILES.iter().enumerate() {
        data.set(i, std::fs::read_to_string(format!("{dir}/{f}")).ok());
    }
    let report = run_eval(&data, quick).expect("eval");
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
