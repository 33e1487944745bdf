//! End-to-end checks of the public API that need no data set.

use kefu_nlp::engine::{analyze, analyze_with, ShopModels};
use kefu_nlp::entities::EntityKind;
use kefu_nlp::eval::data::{is_test_row, parse_csv};
use kefu_nlp::eval::faq::auc;
use kefu_nlp::eval::metrics::quantile;
use kefu_nlp::faq::{parse_faq_tsv, FaqConfig, FaqIndex};
use kefu_nlp::intent::{tune_threshold, ClassifierConfig, TextClassifier};
use kefu_nlp::lang::Language;
use kefu_nlp::model::{train_default, DefaultModels};
use kefu_nlp::sentiment::Polarity;

#[test]
fn analyze_reads_a_colloquial_message() {
    let a = analyze("亲 订单4398123456789012怎么还不发货啊 再不发我就投诉了!!");
    assert_eq!(a.language, Language::Zh);
    assert_eq!(a.l1, "物流问题", "{a:?}");
    assert!(a.strong_emotion, "{a:?}");
    assert_eq!(a.sentiment, Polarity::Negative, "{a:?}");
    assert!(a.entities.iter().any(|e| e.kind == EntityKind::OrderId));
    assert!(!a.wants_human);
    assert!(analyze("转人工").wants_human);
    assert!(!analyze("不用转人工了 谢谢").wants_human);
    assert_eq!(analyze("where is my package").language, Language::En);
}

#[test]
fn default_models_round_trip_through_bytes() {
    let models = train_default(None).expect("trains from the built-in corpora");
    let bytes = models.to_bytes();
    let back = DefaultModels::from_bytes(&bytes).expect("reads back");
    for text in ["什么时候发货", "衣服有破洞 我要退货", "优惠券怎么用", "谢谢 很满意"] {
        let (a, b) = (analyze_with(&models, None, text), analyze_with(&back, None, text));
        assert_eq!((&a.l1, &a.l2, a.sentiment), (&b.l1, &b.l2, b.sentiment), "{text}");
    }
    assert!(DefaultModels::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    assert!(DefaultModels::from_bytes(b"not a model").is_err());
}

#[test]
fn intent_classifier_trains_fast_and_rejects() {
    let rows: Vec<(String, String)> = [
        ("什么时候发货", "ship"), ("几天能发货", "ship"), ("啥时候发出", "ship"), ("多久发货呀", "ship"),
        ("怎么退款", "refund"), ("我要退款", "refund"), ("退款怎么申请", "refund"), ("能退钱吗", "refund"),
        ("穿多大码", "size"), ("尺码怎么选", "size"), ("165穿什么码", "size"), ("码数偏大吗", "size"),
    ]
    .iter()
    .map(|(t, l)| (t.to_string(), l.to_string()))
    .collect();
    let mut c = TextClassifier::train(&rows, &ClassifierConfig::default()).expect("trains");
    assert_eq!(c.predict("亲 什么时候能发货", 3).label.as_deref(), Some("ship"));
    assert_eq!(c.predict("我想退款", 3).label.as_deref(), Some("refund"));
    c.reject_below = 0.99;
    assert_eq!(c.predict("今天天气不错", 3).label, None);
    assert!(TextClassifier::train::<String, String>(&[], &ClassifierConfig::default()).is_err());
}

#[test]
fn threshold_separates_in_and_out_of_scope() {
    let t = tune_threshold(&[(0.9, true), (0.8, true), (0.7, true)], &[(0.3), (0.2), (0.75)]);
    assert!(t > 0.3 && t <= 0.7, "{t}");
}

#[test]
fn faq_table_and_search() {
    let table = "faq_id\tstandard_question\tsimilar_questions\tanswer\nship\t什么时候发货\t多久发货|几天发\t48小时内\nsize\t尺码怎么选\t穿多大码\t看尺码表\n";
    let index = FaqIndex::build(parse_faq_tsv(table).expect("parses"), FaqConfig::default());
    let a = index.search("亲 几天能发货呀", 2);
    assert_eq!(a.faq_id.as_deref(), Some("ship"), "{a:?}");
    assert!(parse_faq_tsv("id\tq\n1\tx\n").is_err());
    let shop = ShopModels { faq: Some(index), ..Default::default() };
    let m = kefu_nlp::engine::default_models();
    assert!(analyze_with(&m, Some(&shop), "多久发货").faq.is_some_and(|f| f.faq_id.as_deref() == Some("ship")));
}

#[test]
fn helpers() {
    assert_eq!(parse_csv("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n")[1], vec!["x,1".to_string(), "say \"hi\"".to_string()]);
    let mut v = vec![3.0, 1.0, 2.0, 4.0, 5.0];
    assert_eq!(quantile(&mut v, 0.5), 3.0);
    assert!((auc(&[0.9, 0.8], &[0.1, 0.2]) - 1.0).abs() < 1e-9);
    assert_eq!(is_test_row("x"), is_test_row("x"));
}

#[test]
fn odd_inputs_do_not_panic() {
    let long = "啊".repeat(20_000) + &"x".repeat(5_000);
    let odd = [
        "", " ", "\u{0}\u{1}\u{7f}", "😡😡😡", "？？？！！！", "1", "12345678901234567890123456789", "¥", "160/", "/84a",
        "ÀÉÎõü ñ", "Где мой заказ", "この商品", "عربى", "\u{200b}\u{feff}", "周", "星期", "3月", "12号", "订单:", "http://",
        "www.", "\t\n\r", "'''", "a'b", long.as_str(), "均码均码", "xl码xl码", "两两两件", "北京北京市朝阳区",
    ];
    let faq = FaqIndex::build(parse_faq_tsv("faq_id\tstandard_question\n1\t发货\n").expect("parses"), FaqConfig::default());
    for t in odd {
        let a = analyze(t);
        assert!(!a.l2.is_empty());
        let _ = faq.search(t, 3);
        for e in &a.entities {
            assert!(e.start <= e.end && e.end <= kefu_nlp::normalise::normalise(t).len(), "{t:?} {e:?}");
        }
    }
    let empty = FaqIndex::build(Vec::new(), FaqConfig::default());
    assert!(empty.search("发货", 3).faq_id.is_none());
}

#[test]
fn random_mixtures_do_not_panic() {
    let alphabet: Vec<char> = "0123456789abcxlmsAB/.:-¥$ 号月日周星期件个两码色红黑省市区路订单花呗不用转人工投诉😡!?，。《》\u{200b}\u{3000}ＡＢ１２".chars().collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3_000 {
        let mut s = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for k in 0..(x % 40) {
            s.push(alphabet[((x >> (k % 50)) as usize + k as usize * 7) % alphabet.len()]);
        }
        let a = analyze(&s);
        assert!(!a.l1.is_empty(), "{s:?}");
    }
}
