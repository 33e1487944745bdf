//! One bot turn (kefu-nlp analysis with the shop's models + the pure decision) over a shop
//! with 1,000 and 10,000 FAQs and a 3-slot flow, and training such a shop's brain.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kefu_core::bot::{respond, Brain, DialogueState, Faq, Flow, KnowledgeBase, Slot, Turn};

const BRANDS: [&str; 20] = ["华为", "小米", "苹果", "联想", "美的", "格力", "海尔", "索尼", "佳能", "飞利浦", "三星", "荣耀", "安踏", "李宁", "耐克", "优衣库", "宜家", "九阳", "戴森", "大疆"];
const THINGS: [&str; 25] = ["手机", "平板", "笔记本", "耳机", "音箱", "充电宝", "路由器", "手表", "相机", "冰箱", "洗衣机", "空调", "电视", "烤箱", "电饭煲", "吸尘器", "加湿器", "电风扇", "吹风机", "剃须刀", "跑鞋", "羽绒服", "背包", "保温杯", "台灯"];
const ASPECTS: [&str; 20] = ["保修期是多久", "怎么退货", "什么时候发货", "有没有优惠", "怎么安装", "坏了怎么修", "能开发票吗", "尺寸是多少", "有几种颜色", "重量多少", "耗电吗", "噪音大吗", "是正品吗", "能用多久", "怎么清洗", "包邮吗", "有赠品吗", "可以分期吗", "支持七天无理由吗", "发什么快递"];

fn kb(n: usize) -> KnowledgeBase {
    let mut faqs = Vec::with_capacity(n);
    'all: for a in ASPECTS {
        for b in BRANDS {
            for t in THINGS {
                if faqs.len() == n {
                    break 'all;
                }
                let id = format!("f{}", faqs.len());
                faqs.push(Faq { id, question: format!("{b}{t}{a}"), similar: vec![format!("请问{b}的{t}{a}"), format!("{t}{a}")], answer: format!("{b}{t}：请见详情页"), ..Faq::default() });
            }
        }
    }
    let slot = |name: &str, kind: &str| Slot { name: name.into(), kind: kind.into(), prompt: format!("请问{name}？"), values: Vec::new(), ..Slot::default() };
    let flow = Flow {
        id: "stock".into(),
        name: "库存".into(),
        examples: vec!["这个还有货吗".into()],
        keywords: vec!["有货".into(), "库存".into()],
        slots: vec![slot("product", "product"), slot("size", "size"), slot("colour", "colour")],
        answer: "{product}{colour}{size}剩余{stock}件".into(),
        ..Flow::default()
    };
    KnowledgeBase { faqs, flows: vec![flow], ..KnowledgeBase::default() }
}

fn turn(brain: &Brain, text: &str) {
    let n = kefu_nlp::normalise::normalise(text);
    let analysis = kefu_nlp::engine::analyze_with(&kefu_nlp::engine::default_models(), Some(&brain.models), text);
    let mut state = DialogueState::default();
    black_box(respond(brain, &mut state, &Turn { text, normalised: &n, analysis: &analysis, now: 0, customer: "c" }));
}

fn bench(c: &mut Criterion) {
    let products = vec![("加绒连帽卫衣".to_string(), "HD-1".to_string())];
    for n in [1_000, 10_000] {
        let brain = Brain::train(1, kb(n), &products);
        let mut g = c.benchmark_group(format!("bot turn, {n} FAQs"));
        g.bench_function("FAQ question", |b| b.iter(|| turn(&brain, "请问小米的耳机保修期是多久")));
        g.bench_function("flow start", |b| b.iter(|| turn(&brain, "加绒连帽卫衣XL有货吗")));
        g.bench_function("unknown", |b| b.iter(|| turn(&brain, "今天天气怎么样")));
        g.finish();
    }
    let mut g = c.benchmark_group("bot training");
    g.sample_size(10);
    for n in [1_000, 10_000] {
        let doc = kb(n);
        g.bench_function(format!("{n} FAQs"), |b| b.iter(|| black_box(Brain::train(1, doc.clone(), &products))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
