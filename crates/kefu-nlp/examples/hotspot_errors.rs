//! Prints the hotspot dev-set messages the model gets wrong (for improving the corpus).
use kefu_nlp::hotspot::{corpus, default_config, HotspotModel};

fn main() {
    let rows = corpus::parse_corpus(corpus::CORPUS);
    let (train, dev) = corpus::split(&rows);
    let model = HotspotModel::train(&train, &[], &default_config()).expect("trains");
    for (text, label) in &dev {
        let c = model.classify(text);
        if &c.l2 != label {
            println!("{label}\t->\t{}\t{:.2}\t{text}", c.l2, c.confidence);
        }
    }
}
