//! One message per line on stdin, one JSON analysis per line on stdout.
use std::io::BufRead;
fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let a = kefu_nlp::analyze(&line);
        println!("{}", serde_json::json!({"text": line, "analysis": a}));
    }
}
