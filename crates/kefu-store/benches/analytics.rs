//! Analytics at scale on SQLite: fill the event log with `KEFU_BENCH_MESSAGES` messages worth
//! of conversations (default 200,000; the documented run uses 10,000,000 = 1 M conversations)
//! over 30 days, fold them into rollups (the same `Fold` the consumer runs, in memory, rows
//! bulk-inserted), then report median latencies of the dashboard and hotspot queries against
//! the same answers computed by a full scan of the event rows.
//!
//! `cargo bench -p kefu-store --bench analytics` (set `KEFU_BENCH_MESSAGES`, and
//! `KEFU_BENCH_DIR` to keep the database). Not run by `cargo test`.

use kefu_core::analytics::fold::Fold;
use kefu_core::analytics::hotspots::{by_key, SourceFilter};
use kefu_core::analytics::metrics::{Figures, Totals};
use kefu_core::analytics::store::AnalyticsStore;
use kefu_core::analytics::{Dim, Grain, RollupKey, HOUR_MS};
use kefu_core::customer::Channel;
use kefu_core::event::{Event, EventKind as K};
use kefu_core::ids::*;
use kefu_core::message::SenderKind;
use kefu_core::seal::PlainSealer;
use kefu_core::store::Store;
use kefu_store::{SqlStore, StoreOptions};
use sqlx::{Connection, Executor};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DAY: i64 = 24 * HOUR_MS;
const START: i64 = 1_792_800_000_000; // 2026-10-24 00:00 UTC
const L2: [(&str, &[&str]); 5] = [
    ("商品问题", &["尺码规格", "材质成分", "使用方法", "真伪质量", "库存现货", "商品对比推荐"]),
    ("活动优惠", &["优惠券", "满减折扣", "直播间福利", "价格保护", "赠品"]),
    ("购买操作", &["下单支付", "修改订单", "取消订单", "发票", "账号问题"]),
    ("售后问题", &["退货退款", "换货", "质量投诉", "维修保修", "退款进度"]),
    ("物流问题", &["发货时间", "物流查询", "快递异常", "配送范围", "催发货"]),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One conversation of ~10 messages: bot-only, bot → human or human-only.
fn conversation(shop: ShopId, agents: &[UserId], rng: &mut Rng, out: &mut Vec<Event>) {
    let (c, cu) = (ConversationId::new(), CustomerId::new());
    let mut t = START + rng.below(30 * DAY as u64) as i64;
    let mut e = |t: i64, kind: K| out.push(Event::conversation(shop, c, cu, t, kind));
    let channels = [Channel::Widget, Channel::Dm, Channel::Comment, Channel::OrderMessage];
    e(t, K::ConversationCreated { channel: channels[rng.below(4) as usize] });
    let (l1, l2s) = L2[rng.below(5) as usize];
    let tags = if rng.below(3) == 0 { vec![format!("标签{}", rng.below(20))] } else { vec![] };
    e(t, K::ConversationCategorised { l1: l1.into(), l2: l2s[rng.below(l2s.len() as u64) as usize].into(), tags });
    let kind = rng.below(3);
    let agent = agents[rng.below(agents.len() as u64) as usize];
    let mut human = kind == 2;
    if human {
        e(t, K::ConversationRouted { team: Some(format!("team{}", rng.below(5))), priority: 0, rule: None, vip: false });
        e(t + 1, K::ConversationAssigned { agent_id: agent, by: None });
    }
    for m in 0..5 {
        t += 1_000 + rng.below(120_000) as i64;
        e(t, K::MessageReceived { message_id: MessageId::new() });
        t += 1_000 + rng.below(90_000) as i64;
        if !human && kind == 1 && m == 2 {
            e(t, K::HandedOff { reason: ["asked_for_human", "unknown_streak", "strong_emotion"][rng.below(3) as usize].into() });
            e(t, K::ConversationRouted { team: Some(format!("team{}", rng.below(5))), priority: 0, rule: None, vip: false });
            e(t + 1, K::ConversationAssigned { agent_id: agent, by: None });
            human = true;
            t += 5_000 + rng.below(60_000) as i64;
        }
        e(t, K::MessageSent { message_id: MessageId::new(), sender_kind: if human { SenderKind::Agent } else { SenderKind::Bot } });
        if !human && m == 0 {
            e(t, K::BotAnswered { faq_id: "faq".into(), variant: None });
        }
    }
    if human {
        e(t + 30_000, K::ConversationResolved { by: Some(agent) });
        if rng.below(3) == 0 {
            e(t + 60_000, K::ConversationRated { stars: 1 + rng.below(5) as u8, scale: 5, comment_id: None, agent_id: Some(agent) });
        }
    } else {
        e(t + 600_000, K::ConversationClosed { by: None, reason: "inactivity".into() });
    }
}

async fn load(db: &str, messages: u64) -> (ShopId, u64, usize) {
    let shop = ShopId::new();
    let agents: Vec<UserId> = (0..50).map(|_| UserId::new()).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut conn = sqlx::AnyConnection::connect(db).await.expect("connect");
    // Loading only: nobody else uses the file, durability is not the point here.
    for p in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF"] {
        conn.execute(p).await.expect("pragma");
    }
    let mut sums: HashMap<RollupKey, i64> = HashMap::new();
    let (mut events_total, conversations) = (0u64, messages / 10);
    let mut done = 0;
    let (mut fold_time, mut insert_time) = (Duration::ZERO, Duration::ZERO);
    while done < conversations {
        let n = (conversations - done).min(10_000);
        let t = Instant::now();
        let mut events = Vec::new();
        for _ in 0..n {
            conversation(shop, &agents, &mut rng, &mut events);
        }
        done += n;
        events_total += events.len() as u64;
        let mut fold = Fold::default();
        events.iter().for_each(|e| fold.apply(e));
        for (k, v) in fold.deltas() {
            *sums.entry(k).or_insert(0) += v;
        }
        fold_time += t.elapsed();
        let t = Instant::now();
        let mut tx = conn.begin().await.expect("begin");
        for chunk in events.chunks(400) {
            let mut sql = String::from("INSERT INTO event (id, shop_id, kind, conversation_id, customer_id, payload, created_at) VALUES ");
            for i in 0..chunk.len() {
                let b = i * 7;
                sql.push_str(&format!("{}(${}, ${}, ${}, ${}, ${}, ${}, ${})", if i > 0 { "," } else { "" }, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7));
            }
            let mut q = sqlx::query(&sql);
            for ev in chunk {
                q = q
                    .bind(ev.id.to_string())
                    .bind(ev.shop_id.to_string())
                    .bind(ev.kind.name())
                    .bind(ev.conversation_id.map(|i| i.to_string()))
                    .bind(ev.customer_id.map(|i| i.to_string()))
                    .bind(serde_json::to_string(&ev.kind).expect("payload"))
                    .bind(ev.at);
            }
            q.execute(&mut *tx).await.expect("insert events");
        }
        tx.commit().await.expect("commit");
        insert_time += t.elapsed();
    }
    println!("  generating and folding events: {:.1} s; inserting events: {:.1} s", fold_time.as_secs_f64(), insert_time.as_secs_f64());
    let t = Instant::now();
    // Day rows as the store keeps them: the hourly deltas summed per UTC day.
    let mut days: HashMap<RollupKey, i64> = HashMap::new();
    for (k, v) in sums.iter().filter(|(k, _)| k.grain == Grain::Hour) {
        *days.entry(RollupKey { grain: Grain::Day, bucket: k.bucket.div_euclid(DAY) * DAY, ..k.clone() }).or_insert(0) += v;
    }
    sums.extend(days);
    let mut rows: Vec<(RollupKey, i64)> = sums.into_iter().filter(|(_, v)| *v != 0).collect();
    // In primary-key order: appends to the B-trees instead of random inserts.
    rows.sort_by(|a, b| (a.0.grain, a.0.dim.as_str(), a.0.bucket, &a.0.key, &a.0.metric).cmp(&(b.0.grain, b.0.dim.as_str(), b.0.bucket, &b.0.key, &b.0.metric)));
    let mut tx = conn.begin().await.expect("begin");
    for chunk in rows.chunks(500) {
        for grain in [Grain::Hour, Grain::Minute, Grain::Day] {
            let part: Vec<&(RollupKey, i64)> = chunk.iter().filter(|(k, _)| k.grain == grain).collect();
            if part.is_empty() {
                continue;
            }
            let table = match grain {
                Grain::Hour => "analytics_hour",
                Grain::Minute => "analytics_minute",
                Grain::Day => "analytics_day",
            };
            let mut sql = format!("INSERT INTO {table} (shop_id, dim, bucket, key, metric, value) VALUES ");
            for i in 0..part.len() {
                let b = i * 6;
                sql.push_str(&format!("{}(${}, ${}, ${}, ${}, ${}, ${})", if i > 0 { "," } else { "" }, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
            }
            let mut q = sqlx::query(&sql);
            for (k, v) in part {
                q = q.bind(k.shop_id.clone()).bind(k.dim.as_str()).bind(k.bucket).bind(k.key.clone()).bind(k.metric.clone()).bind(*v);
            }
            q.execute(&mut *tx).await.expect("insert rollups");
        }
    }
    tx.commit().await.expect("commit");
    conn.execute("ANALYZE").await.expect("analyze");
    println!("  inserting rollup rows: {:.1} s", t.elapsed().as_secs_f64());
    (shop, events_total, rows.len())
}

/// The dashboard's reads: shop figures now and before, an agent breakdown, per-hour series.
async fn dashboard(s: &SqlStore, shop: ShopId, from: i64, to: i64) -> Figures {
    let totals = |f: i64, t: i64| async move {
        let rows = s.rollup_sums(shop, Grain::Hour, Dim::Shop, f, t, &[]).await.expect("sums");
        rows.into_iter().map(|(_, m, v)| (m, v)).collect::<Totals>()
    };
    let now = Figures::from_totals(&totals(from, to).await, (to - from) as f64 / DAY as f64);
    let _before = totals(from - (to - from), from).await;
    let agents = s.rollup_sums(shop, Grain::Hour, Dim::Agent, from, to, &[]).await.expect("agents");
    assert!(!agents.is_empty());
    s.rollup_series(shop, series_grain(from, to), Dim::Shop, Some(""), from, to, &["conv".into()]).await.expect("series");
    now
}

/// The hotspot view's reads: l1, l2 and tags now and before, and l1 per hour.
async fn hotspots(s: &SqlStore, shop: ShopId, from: i64, to: i64) -> BTreeMap<String, i64> {
    let m = SourceFilter::All.metrics();
    let mut l2 = BTreeMap::new();
    for (dim, f, t) in [(Dim::L1, from, to), (Dim::L2, from, to), (Dim::Tag, from, to), (Dim::L1, from - (to - from), from), (Dim::L2, from - (to - from), from), (Dim::Tag, from - (to - from), from)] {
        let rows = s.rollup_sums(shop, Grain::Hour, dim, f, t, &m).await.expect("sums");
        if dim == Dim::L2 && f == from {
            l2 = by_key(&rows, SourceFilter::All);
        }
    }
    s.rollup_series(shop, series_grain(from, to), Dim::L1, None, from, to, &m).await.expect("series");
    l2
}

/// The same answers from the raw log: every event of the shop, folded (what a dashboard
/// without rollups would have to do).
async fn scan(s: &SqlStore, shop: ShopId, from: i64, to: i64) -> (Figures, BTreeMap<String, i64>) {
    let mut fold = Fold::default();
    let mut after = 0;
    loop {
        let page = s.events(shop, after, 10_000).await.expect("events");
        let Some((last, _)) = page.last() else { break };
        after = *last;
        page.iter().for_each(|(_, e)| fold.apply(e));
    }
    let mut shop_t = Totals::new();
    let mut l2 = Vec::new();
    for (k, v) in fold.deltas().into_iter().filter(|(k, _)| k.grain == Grain::Hour && k.bucket >= from && k.bucket < to) {
        match k.dim {
            Dim::Shop => *shop_t.entry(k.metric).or_insert(0) += v,
            Dim::L2 => l2.push((k.key, k.metric, v)),
            _ => {}
        }
    }
    (Figures::from_totals(&shop_t, (to - from) as f64 / DAY as f64), by_key(&l2, SourceFilter::All))
}

/// As the server's views: periods over three days are charted per day.
fn series_grain(from: i64, to: i64) -> Grain {
    if to - from > 3 * DAY { Grain::Day } else { Grain::Hour }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn timed<T, F: std::future::Future<Output = T>>(runs: usize, mut f: impl FnMut() -> F) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f().await);
        times.push(t.elapsed());
    }
    (median(times), last.expect("at least one run"))
}

fn main() {
    let messages: u64 = std::env::var("KEFU_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async move {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = std::env::var("KEFU_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| tmp.path().to_path_buf());
        let url = format!("sqlite://{}", dir.join("analytics-bench.db").display());
        SqlStore::open(&url, Arc::new(PlainSealer), StoreOptions::default()).await.expect("migrate").close().await;
        let started = Instant::now();
        let (shop, events, rollup_rows) = load(&url, messages).await;
        println!("loaded {messages} messages ({} conversations, {events} events, {rollup_rows} rollup rows) in {:.1} s", messages / 10, started.elapsed().as_secs_f64());
        let store = SqlStore::open(&url, Arc::new(PlainSealer), StoreOptions::default()).await.expect("open");
        let (d1, d30, last7) = ((START + 29 * DAY, START + 30 * DAY), (START, START + 30 * DAY), (START + 23 * DAY, START + 30 * DAY));
        let runs = 21;
        for (name, (from, to)) in [("1 day", d1), ("7 days", last7), ("30 days", d30)] {
            let (dt, _) = timed(runs, || dashboard(&store, shop, from, to)).await;
            let (ht, _) = timed(runs, || hotspots(&store, shop, from, to)).await;
            println!("rollups, {name}: dashboard median {:.2} ms, hotspots median {:.2} ms ({runs} runs)", ms(dt), ms(ht));
        }
        let (from, to) = d30;
        let (dt, figures) = timed(runs, || dashboard(&store, shop, from, to)).await;
        let (ht, l2) = timed(runs, || hotspots(&store, shop, from, to)).await;
        let scan_runs = if messages > 2_000_000 { 1 } else { 3 };
        let (st, (scan_figures, scan_l2)) = timed(scan_runs, || scan(&store, shop, from, to)).await;
        assert_eq!(scan_figures, figures, "the scan and the rollups must agree");
        assert_eq!(scan_l2, l2, "the scan and the rollups must agree");
        let count_sql = "SELECT COUNT(*) FROM event WHERE shop_id = $1 AND kind = 'conversation_created' AND created_at >= $2 AND created_at < $3";
        let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let n: i64 = sqlx::query_scalar(count_sql).bind(shop.to_string()).bind(from).bind(to).fetch_one(&mut conn).await.expect("count");
            times.push(t.elapsed());
            assert_eq!(n, figures.conversations);
        }
        let ct = median(times);
        println!("full scan of the event rows, 30 days (fold, same answers): median {:.0} ms ({scan_runs} runs) = {:.0}x the dashboard, {:.0}x the hotspots", ms(st), ms(st) / ms(dt), ms(st) / ms(ht));
        println!("plain SQL COUNT of conversations over the event rows, 30 days: median {:.0} ms = {:.0}x the whole dashboard", ms(ct), ms(ct) / ms(dt));
        println!("30-day figures: {} conversations, response rate {:?}, FRT {:?} s, bot resolution {:?}", figures.conversations, figures.response_rate, figures.first_response_secs, figures.bot_resolution_rate);
        store.close().await;
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
