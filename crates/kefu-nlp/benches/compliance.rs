//! Compliance benchmarks: building a 500k-word sensitive dictionary, scanning ~1 MB of shop
//! chat with it and with the built-in list, a raw Aho–Corasick over the same words and text as
//! the baseline (no folding, no position map, no hits built), and PII detection on the same text.
//! All data is generated deterministically here.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kefu_nlp::sensitive::{Action, Dictionary, WordEntry};

/// xorshift64*: a fixed seed gives the same words and text on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` words: 90% of 2–6 CJK characters from the unified block U+4E00..U+9FA5, 10% of 3–8
/// ASCII letters, plus the words the chat templates contain so that scans do find something.
fn generated_words(n: usize) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut words: Vec<String> = ["加微信", "刷单", "全网最低价", "好评返现", "私下转账", "vx"].iter().map(|w| w.to_string()).collect();
    while words.len() < n {
        let word: String = if rng.below(10) == 0 {
            let len = 3 + rng.below(6);
            (0..len).map(|_| (b'a' + rng.below(26) as u8) as char).collect()
        } else {
            let len = 2 + rng.below(5);
            (0..len).filter_map(|_| char::from_u32(0x4e00 + rng.below(0x9fa5 - 0x4e00) as u32)).collect()
        };
        words.push(word);
    }
    words
}

fn entries(words: &[String]) -> Vec<WordEntry> {
    words.iter().enumerate().map(|(i, w)| WordEntry { word: w.clone(), category: format!("c{}", i % 8), action: Action::Flag }).collect()
}

/// Shop chat templates; `{p}` is a product, `{n}` a number. Some carry sensitive words or PII.
const TEMPLATES: &[&str] = &[
    "亲，这件{p}有XL码吗",
    "啥时候发货呀，我{n}号就要用",
    "退款进度怎么查，订单2405{n}123456789",
    "这个颜色好看吗？😊",
    "我165cm 110斤穿什么码合适",
    "可以开发票吗，公司抬头",
    "快递到哪了，三天了还没动",
    "能不能便宜一点，两件{p}包邮吗",
    "收到的{p}有个洞，怎么处理",
    "尺码偏大还是偏小",
    "有没有优惠券可以用",
    "我想换个颜色，黑色换白色",
    "发顺丰还是中通",
    "七天无理由退货吗",
    "亲，本店{p}全网最低价，放心拍",
    "有问题可以加 微 信 聊，vx: shop{n}",
    "您好，您的{p}已经发出，单号YT{n}88990011",
    "我的电话是138 1234 {n}，到了打我电话",
    "寄到浙江省杭州市西湖区文三路{n}号",
    "好的，已经为您备注，请耐心等待",
    "Where is my order? It has been {n} days.",
    "这款{p}是正品吗，有没有防伪码",
    "什么时候有活动，双十一会降价吗",
    "麻烦帮我改一下地址，谢谢！！",
    "你们这个质量太差了，我要投诉",
    "已经签收了但是没收到货",
    "这个是{p}的尺码表，您参考一下",
    "好评返现五元，记得截图哦",
    "收到了，很满意，下次还来",
    "亲亲，{p}库存还有{n}件",
];

const PRODUCTS: &[&str] = &["连衣裙", "羽绒服", "运动鞋", "面膜", "口红", "手机壳", "蓝牙耳机", "空气炸锅", "奶粉", "牛仔裤", "卫衣", "保温杯"];

/// Messages of generated chat totalling at least `bytes`.
fn chat_messages(bytes: usize) -> Vec<String> {
    let mut rng = Rng(42);
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        let t = TEMPLATES[rng.below(TEMPLATES.len() as u64) as usize];
        let p = PRODUCTS[rng.below(PRODUCTS.len() as u64) as usize];
        let m = t.replace("{p}", p).replace("{n}", &(1000 + rng.below(9000)).to_string());
        total += m.len() + 1;
        out.push(m);
    }
    out
}

fn bench_compliance(c: &mut Criterion) {
    let words = generated_words(500_000);
    let big_entries = entries(&words);
    let messages = chat_messages(1_000_000);
    let text = messages.join("\n");

    let mut group = c.benchmark_group("sensitive_build");
    group.sample_size(10);
    group.bench_function("dictionary_500k_words", |b| b.iter(|| Dictionary::build(big_entries.iter().cloned()).map(|d| d.len())));
    group.bench_function("raw_aho_corasick_500k_words", |b| {
        b.iter(|| aho_corasick::AhoCorasick::builder().match_kind(aho_corasick::MatchKind::LeftmostLongest).build(&words).map(|a| a.patterns_len()))
    });
    group.finish();

    let big = Dictionary::build(big_entries.iter().cloned()).expect("builds");
    let builtin = Dictionary::builtin();
    let raw = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&words)
        .expect("builds");
    eprintln!(
        "text {} bytes in {} messages; hits: 500k {}, builtin {}, raw {}; raw kind {:?}",
        text.len(),
        messages.len(),
        big.scan(&text).len(),
        builtin.scan(&text).len(),
        raw.find_iter(&text).count(),
        raw.kind()
    );

    let mut group = c.benchmark_group("scan_1mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    for (name, dict) in [("ours_500k", &big), ("ours_builtin", &builtin)] {
        group.bench_function(BenchmarkId::new(name, "one_text"), |b| b.iter(|| dict.scan(&text).len()));
        group.bench_function(BenchmarkId::new(name, "per_message"), |b| {
            b.iter(|| messages.iter().map(|m| dict.scan(m).len()).sum::<usize>())
        });
    }
    group.bench_function(BenchmarkId::new("baseline_raw_ac_500k", "one_text"), |b| b.iter(|| raw.find_iter(&text).count()));
    group.bench_function(BenchmarkId::new("baseline_raw_ac_500k", "per_message"), |b| {
        b.iter(|| messages.iter().map(|m| raw.find_iter(m).count()).sum::<usize>())
    });
    group.bench_function(BenchmarkId::new("pii_detect", "one_text"), |b| b.iter(|| kefu_nlp::pii::detect(&text).len()));
    group.bench_function(BenchmarkId::new("pii_detect", "per_message"), |b| {
        b.iter(|| messages.iter().map(|m| kefu_nlp::pii::detect(m).len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, bench_compliance);
criterion_main!(benches);
