//! Chooses the FAQ fusion weights and decline thresholds on the DEV part of the paraphrase set
//! (devsets/snacks): `cargo run -p kefu-nlp --example faq_tune [pad]`, where `pad` adds that many
//! distractor FAQs (built-in corpus questions) to see how the scores move with shop size.
//! Prints the best settings and their dev figures; the test part is never looked at here.
use kefu_nlp::eval::devset::{Part, SNACKS};
use kefu_nlp::faq::{FaqConfig, FaqEntry, FaqIndex, Fusion, Signals};
use kefu_nlp::normalise::normalise;

struct Q {
    right: Option<usize>,
    signals: Vec<Signals>,
    /// Per FAQ: shares a content word with the question.
    on_topic: Vec<bool>,
}

/// `faq_tune probe TEXT`: the views of each FAQ of a small shop for one message.
fn probe(text: &str) {
    let e = |id: &str, q: &str, sim: &[&str], a: &str| FaqEntry { id: id.into(), standard_question: q.into(), similar_questions: sim.iter().map(|s| s.to_string()).collect(), answer: a.into() };
    let index = FaqIndex::build(
        vec![
            e("shipping", "什么时候发货", &["多久发货", "几天能发货", "啥时候发货"], "付款后48小时内发货"),
            e("delivery", "用什么快递配送", &["发什么快递", "配送方式是什么"], "默认中通快递，可备注顺丰"),
            e("returns", "怎么退货", &["如何退货", "退货流程"], "七天无理由退货"),
            e("refund-time", "退款多久到账", &["退款什么时候到"], "原路退回，1-3个工作日"),
        ],
        FaqConfig::default(),
    );
    let n = normalise(text);
    println!("units {:?}", kefu_nlp::faq::content_units(&n));
    for s in index.signals(&n) {
        println!("{} {:?} fused {:.3} on_topic {}", index.entries[s.faq].id, s, index.config.fusion.score(&s), index.on_topic(&n, s.faq));
    }
    println!("{:?}", index.search(text, 3));
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("probe") {
        return probe(&std::env::args().nth(2).unwrap_or_default());
    }
    let pad: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let set = SNACKS.parse().expect("parses");
    let mut entries: Vec<FaqEntry> = set.faqs.iter().map(|f| FaqEntry { id: f.id.clone(), standard_question: f.question.clone(), similar_questions: vec![], answer: f.answer.clone() }).collect();
    let corpus = kefu_nlp::hotspot::corpus::parse_corpus(kefu_nlp::hotspot::corpus::CORPUS);
    for (i, (text, _)) in corpus.iter().cycle().take(pad).enumerate() {
        entries.push(FaqEntry { id: format!("pad{i}"), standard_question: text.clone(), similar_questions: vec![], answer: String::new() });
    }
    let index = FaqIndex::build(entries, FaqConfig::default());
    let pos = |id: &str| index.entries.iter().position(|e| e.id == id);
    let dev: Vec<Q> = set
        .questions
        .iter()
        .filter(|q| q.part == Part::Dev)
        .map(|q| {
            let n = normalise(&q.text);
            Q { right: q.faq_id.as_deref().and_then(pos), signals: index.signals(&n), on_topic: (0..index.entries.len()).map(|f| index.on_topic(&n, f)).collect() }
        })
        .collect();
    let answerable = dev.iter().filter(|q| q.right.is_some()).count() as f64;
    let unanswerable = dev.len() as f64 - answerable;
    let grid = [0.0f32, 0.1, 0.2, 0.3, 0.5];
    let mut best: Vec<(f64, String)> = Vec::new();
    let gate = std::env::var("NO_TOPIC_GATE").is_err();
    // FIXED=1: only the default weights, with the off-topic score floor HI swept.
    let fixed = std::env::var("FIXED").is_ok();
    let d = Fusion::default();
    let his: Vec<f32> = if fixed { (0..=16).map(|i| 0.5 + i as f32 * 0.05).collect() } else { vec![f32::MAX] };
    for &hi in &his {
    for &bm25 in &[0.0f32, 0.1] {
        for &cq in &grid {
            for &ca in &grid {
                for &vq in &grid {
                    for &va in &grid {
                        if bm25 + cq + ca + vq + va == 0.0 {
                            continue;
                        }
                        if fixed && (bm25, cq, ca, vq, va) != (d.bm25, d.cos_question, d.cos_answer, d.vec_question, d.vec_answer) {
                            continue;
                        }
                        let f = Fusion { bm25, cos_question: cq, cos_answer: ca, vec_question: vq, vec_answer: va, ..Fusion::default() };
                        // (right first?, lift, margin, answerable?, right in top 3?)
                        let rows: Vec<(bool, f32, f32, bool, bool)> = dev
                            .iter()
                            .map(|q| {
                                let mut s: Vec<(usize, f32)> = q.signals.iter().map(|s| (s.faq, f.score(s))).collect();
                                let mean = s.iter().map(|x| x.1).sum::<f32>() / s.len().max(1) as f32;
                                s.sort_by(|a, b| b.1.total_cmp(&a.1));
                                let margin = if s.len() > 1 { s[0].1 - s[1].1 } else { 0.0 };
                                let top3 = q.right.is_some_and(|r| s.iter().take(3).any(|x| x.0 == r));
                                let lift = if gate && !q.on_topic[s[0].0] && s[0].1 < hi.min(d.unshared_answer_at + if fixed { 10.0 } else { 0.0 }) { -1.0 } else { s[0].1 - mean };
                                (q.right == Some(s[0].0), lift, margin, q.right.is_some(), top3)
                            })
                            .collect();
                        let rank1 = rows.iter().filter(|r| r.0).count() as f64 / answerable;
                        let top3 = rows.iter().filter(|r| r.4).count() as f64 / answerable;
                        // Best decision with ≥ 80 % of the unanswerable declined.
                        let mut dec = (0.0, 0.0f32, 0.0f32, 0.0);
                        for li in 0..40 {
                            let lift = li as f32 * 0.01;
                            for mi in 0..15 {
                                let m = mi as f32 * 0.01;
                                let answered = |r: &&(bool, f32, f32, bool, bool)| r.1 >= lift && r.2 >= m;
                                let top1 = rows.iter().filter(|r| r.3 && r.0).filter(answered).count() as f64 / answerable;
                                let declined = rows.iter().filter(|r| !r.3).filter(|r| !answered(r)).count() as f64 / unanswerable;
                                if declined >= 0.8 && top1 > dec.0 {
                                    dec = (top1, lift, m, declined);
                                }
                            }
                        }
                        best.push((dec.0 + 0.001 * rank1, format!("hi={hi:.2} w={bm25} {cq} {ca} {vq} {va}: rank1 {:.1} top3 {:.1} | top1 {:.1} declined-unans {:.1} at lift {:.2} margin {:.2}", rank1 * 100.0, top3 * 100.0, dec.0 * 100.0, dec.3 * 100.0, dec.1, dec.2)));
                    }
                }
            }
        }
    }
    }
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{} FAQs, dev {answerable} answerable / {unanswerable} unanswerable", index.entries.len());
    for (_, line) in best.iter().take(15) {
        println!("{line}");
    }
    println!("default {d:?}");
}
