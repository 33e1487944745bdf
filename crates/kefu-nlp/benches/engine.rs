//! Benchmarks: analyze (defaults, and with a shop of 10k FAQs + intents), FAQ retrieval at
//! 300/1k/10k/100k FAQs, and training on 10k examples. Synthetic shop data from the built-in corpus.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kefu_nlp::faq::{FaqConfig, FaqEntry, FaqIndex};
use kefu_nlp::hotspot::corpus::{parse_corpus, CORPUS};
use kefu_nlp::intent::{ClassifierConfig, TextClassifier};

const PRODUCTS: &[&str] = &[
    "连衣裙", "羽绒服", "运动鞋", "面膜", "口红", "手机壳", "蓝牙耳机", "空气炸锅", "奶粉", "纸尿裤", "洗发水", "牛仔裤",
    "卫衣", "保温杯", "电饭煲", "床单", "猫粮", "狗粮", "行李箱", "双肩包", "防晒霜", "精华液", "茶叶", "坚果", "咖啡机",
];
const STORES: &[&str] = &["", "旗舰店", "直播间", "新款", "爆款"];

fn questions(n: usize) -> Vec<(String, String)> {
    let rows = parse_corpus(CORPUS);
    let mut out = Vec::with_capacity(n);
    'outer: for s in STORES {
        for p in PRODUCTS {
            for (text, label) in &rows {
                if out.len() >= n {
                    break 'outer;
                }
                out.push((format!("{p}{s} {text}"), label.clone()));
            }
        }
    }
    out
}

fn faq_index(n: usize) -> FaqIndex {
    let entries = questions(n)
        .into_iter()
        .enumerate()
        .map(|(i, (q, _))| FaqEntry { id: i.to_string(), standard_question: q, similar_questions: Vec::new(), answer: String::new() })
        .collect();
    FaqIndex::build(entries, FaqConfig::default())
}

const MESSAGES: &[&str] = &[
    "亲 羽绒服什么时候发货啊",
    "订单4398123456789012还没到 再不发我就投诉了",
    "我165 110斤穿什么码 黑色xl还有吗",
    "转人工",
    "where is my package? i want a refund",
];

fn bench_analyze(c: &mut Criterion) {
    kefu_nlp::tokenise::warm_up();
    let models = kefu_nlp::engine::default_models();
    let mut i = 0;
    c.bench_function("analyze/defaults", |b| {
        b.iter(|| {
            i += 1;
            kefu_nlp::analyze(MESSAGES[i % MESSAGES.len()])
        })
    });
    let intents = TextClassifier::train(&questions(5_000), &ClassifierConfig::default()).expect("trains");
    let shop = kefu_nlp::ShopModels { intents: Some(intents), faq: Some(faq_index(10_000)), products: None };
    c.bench_function("analyze/shop_10k_faqs_and_intents", |b| {
        b.iter(|| {
            i += 1;
            kefu_nlp::analyze_with(&models, Some(&shop), MESSAGES[i % MESSAGES.len()])
        })
    });
}

fn bench_faq(c: &mut Criterion) {
    let mut group = c.benchmark_group("faq_search");
    // 300: below `Fusion::exhaustive_up_to`, every FAQ is scored; above, the BM25 candidates.
    for n in [300, 1_000, 10_000, 100_000] {
        let index = faq_index(n);
        let mut i = 0;
        group.bench_with_input(BenchmarkId::from_parameter(n), &index, |b, index| {
            b.iter(|| {
                i += 1;
                index.search(MESSAGES[i % MESSAGES.len()], 3)
            })
        });
    }
    group.finish();
}

fn bench_training(c: &mut Criterion) {
    let data = questions(10_000);
    let mut group = c.benchmark_group("train");
    group.sample_size(10);
    group.bench_function("intent_10k_examples", |b| b.iter(|| TextClassifier::train(&data, &kefu_nlp::eval::report::intent_config())));
    group.bench_function("hotspot_default", |b| b.iter(kefu_nlp::hotspot::HotspotModel::train_default));
    group.finish();
}

criterion_group!(benches, bench_analyze, bench_faq, bench_training);
criterion_main!(benches);
