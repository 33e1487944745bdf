//! History search at scale on SQLite: `KEFU_BENCH_MESSAGES` sealed messages (default 200,000;
//! the target is 1,000,000) in conversations of 10, with their blind-index rows, then the p50
//! and p95 of `SqlStore::search` for three kinds of query (a common word, a rare order
//! number, two words together) beside the same answers found by the baseline: open every
//! message of the shop and scan the text (what search costs without an index).
//!
//! `cargo bench -p kefu-store --bench search` (set `KEFU_BENCH_MESSAGES`, and `KEFU_BENCH_DIR`
//! to keep the database). Not run by `cargo test`.

use kefu_core::ids::*;
use kefu_core::seal::Sealer;
use kefu_store::keys::KeyRing;
use kefu_store::{SearchQuery, SqlStore, StoreOptions};
use sqlx::{Connection, Executor, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};

const START: i64 = 1_792_800_000_000;
const OPENERS: [&str; 8] = ["你好", "在吗", "亲", "请问", "麻烦问下", "客服你好", "您好", "hello"];
const TOPICS: [&str; 12] = [
    "我想退货，衣服尺码偏小", "快递到哪里了，三天还没收到", "这件连衣裙有黑色L码吗", "订单能改地址吗",
    "收到的杯子破损了，要求换货", "优惠券怎么用不了", "什么时候发货", "发票可以开公司抬头吗",
    "退款什么时候到账", "直播间的赠品没有收到", "质量太差了，起球严重", "能便宜一点吗，买两件",
];
const PRODUCTS: [&str; 10] = ["羊毛大衣", "真丝衬衫", "运动鞋", "保温杯", "蓝牙耳机", "面霜", "牛仔裤", "羽绒服", "双肩包", "猫粮"];
const REPLIES: [&str; 6] = ["亲，已为您查询", "好的，马上为您处理", "抱歉给您带来不便", "请提供一下订单号", "已经安排补发", "感谢您的耐心等待"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn text(rng: &mut Rng, i: u64) -> String {
    if i % 2 == 1 {
        return format!("{}，{}", rng.pick(&REPLIES), rng.pick(&PRODUCTS));
    }
    format!("{}，{}的{}，订单号 ord{}", rng.pick(&OPENERS), rng.pick(&PRODUCTS), rng.pick(&TOPICS), rng.next() % 10_000_000)
}

async fn load(db: &str, store: &SqlStore, ring: &KeyRing, shop: ShopId, messages: u64) {
    let mut conn = sqlx::AnyConnection::connect(db).await.expect("connect");
    for p in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF"] {
        conn.execute(p).await.expect("pragma");
    }
    let key = ring.search_key();
    let shop_s = shop.to_string();
    sqlx::query("INSERT INTO shop (id, name, widget_key, created_at) VALUES ($1, 'bench', $2, 0)")
        .bind(shop_s.clone())
        .bind(shop_s.clone())
        .execute(&mut conn)
        .await
        .expect("shop");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut done, mut terms_total) = (0u64, 0u64);
    let t = Instant::now();
    while done < messages {
        let n = (messages - done).min(10_000);
        let mut tx = conn.begin().await.expect("begin");
        let mut term_rows: Vec<(i64, i64, String)> = Vec::new();
        for c in 0..n / 10 {
            let (cu, conv) = (CustomerId::new().to_string(), ConversationId::new().to_string());
            let name = ring.seal(&format!("顾客{}", done + c)).expect("seal");
            let at0 = START + ((done + c * 10) as i64) * 2_000;
            sqlx::query("INSERT INTO customer (id, shop_id, name_key_id, name, last_seq, tags, created_at) VALUES ($1, $2, $3, $4, 10, '[]', $5)")
                .bind(cu.clone()).bind(shop_s.clone()).bind(name.key_id).bind(name.bytes).bind(at0)
                .execute(&mut *tx).await.expect("customer");
            sqlx::query("INSERT INTO conversation (id, shop_id, customer_id, channel, status, source, priority, created_at, updated_at, resolved_at) VALUES ($1, $2, $3, 'widget', 'resolved', 'human_only', 0, $4, $5, $5)")
                .bind(conv.clone()).bind(shop_s.clone()).bind(cu.clone()).bind(at0).bind(at0 + 20_000)
                .execute(&mut *tx).await.expect("conversation");
            for s in 0..10u64 {
                let body = text(&mut rng, s);
                let sealed = ring.seal(&body).expect("seal");
                let id = MessageId::new().to_string();
                let at = at0 + s as i64 * 2_000;
                sqlx::query("INSERT INTO message (id, shop_id, conversation_id, customer_id, seq, direction, sender_kind, channel, content_key_id, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'widget', $8, $9, $10)")
                    .bind(id.clone()).bind(shop_s.clone()).bind(conv.clone()).bind(cu.clone()).bind(s as i64 + 1)
                    .bind(if s % 2 == 0 { "in" } else { "out" }).bind(if s % 2 == 0 { "customer" } else { "agent" })
                    .bind(sealed.key_id).bind(sealed.bytes).bind(at)
                    .execute(&mut *tx).await.expect("message");
                for h in kefu_store::term_hashes(&key, &shop_s, &kefu_core::search::index_terms(&body)) {
                    term_rows.push((h, at, id.clone()));
                }
            }
        }
        terms_total += term_rows.len() as u64;
        for chunk in term_rows.chunks(200) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4)).collect();
            let sql = format!("INSERT INTO search_term (shop_id, term, created_at, message_id) VALUES {}", values.join(", "));
            let mut q = sqlx::query(&sql).bind(shop_s.clone());
            for (h, at, id) in chunk {
                q = q.bind(*h).bind(*at).bind(id.clone());
            }
            q.execute(&mut *tx).await.expect("terms");
        }
        tx.commit().await.expect("commit");
        done += n;
        eprintln!("  loaded {done} messages, {terms_total} index rows ({:.0} s)", t.elapsed().as_secs_f64());
    }
    conn.execute("ANALYZE").await.expect("analyze");
    let _ = store;
}

/// The baseline: open every message of the shop, newest first, keep the first 20 matches.
async fn scan(db: &str, ring: &KeyRing, shop: &str, q: &str) -> usize {
    let mut conn = sqlx::AnyConnection::connect(db).await.expect("connect");
    let rows = sqlx::query("SELECT content_key_id, content FROM message WHERE shop_id = $1 ORDER BY created_at DESC")
        .bind(shop.to_string())
        .fetch_all(&mut conn)
        .await
        .expect("scan");
    let mut found = 0;
    for r in &rows {
        let text = ring.open(&r.get::<String, _>(0), &r.get::<Vec<u8>, _>(1)).expect("open");
        if kefu_core::search::text_matches(&text, q) {
            found += 1;
        }
    }
    found.min(20)
}

fn pct(xs: &mut [Duration], p: f64) -> f64 {
    xs.sort();
    let i = ((xs.len() as f64 * p).ceil() as usize).clamp(1, xs.len()) - 1;
    xs[i].as_secs_f64() * 1000.0
}

fn main() {
    let messages: u64 = std::env::var("KEFU_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let dir = std::env::var("KEFU_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir().join(format!("kefu-search-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sqlite://{}?mode=rwc", dir.join("search.db").display());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let ring = KeyRing::from_spec("bench:sm4-gcm:00112233445566778899aabbccddeeff").expect("ring");
        let store = SqlStore::open(&db, Arc::new(KeyRing::from_spec("bench:sm4-gcm:00112233445566778899aabbccddeeff").expect("ring")), StoreOptions::default())
            .await
            .expect("open");
        let shop = ShopId::new();
        eprintln!("loading {messages} messages into {}", dir.display());
        let t = Instant::now();
        load(&db, &store, &ring, shop, messages).await;
        eprintln!("loaded in {:.0} s", t.elapsed().as_secs_f64());
        let shop_s = shop.to_string();
        let mut rng = Rng(7);
        let mut queries: Vec<(&str, String)> = Vec::new();
        for _ in 0..30 {
            queries.push(("common word", rng.pick(&["退货", "发货", "优惠券", "破损", "尺码"]).to_string()));
            queries.push(("rare order number", format!("ord{}", rng.next() % 10_000_000)));
            queries.push(("two words", format!("{} {}", rng.pick(&PRODUCTS), rng.pick(&["退货", "快递", "赠品", "起球"]))));
        }
        println!("search over {messages} sealed messages (SQLite, sm4-gcm), page of 20, {} queries", queries.len());
        for kind in ["common word", "rare order number", "two words"] {
            let mut times = Vec::new();
            for (_, q) in queries.iter().filter(|(k, _)| *k == kind) {
                let query = SearchQuery { q: q.clone(), limit: 20, ..Default::default() };
                let t = Instant::now();
                let page = store.search(&shop_s, &query).await.expect("search");
                times.push(t.elapsed());
                std::hint::black_box(page.hits.len());
            }
            println!("  index  {kind:18} p50 {:8.1} ms  p95 {:8.1} ms", pct(&mut times, 0.5), pct(&mut times, 0.95));
        }
        let mut all = Vec::new();
        for (_, q) in &queries {
            let t = Instant::now();
            let _ = store.search(&shop_s, &SearchQuery { q: q.clone(), limit: 20, ..Default::default() }).await.expect("search");
            all.push(t.elapsed());
        }
        println!("  index  all queries        p50 {:8.1} ms  p95 {:8.1} ms", pct(&mut all.clone(), 0.5), pct(&mut all, 0.95));
        let mut base = Vec::new();
        for (_, q) in queries.iter().step_by(10) {
            let t = Instant::now();
            std::hint::black_box(scan(&db, &ring, &shop_s, q).await);
            base.push(t.elapsed());
        }
        println!("  baseline decrypt-and-scan ({} queries) p50 {:8.1} ms  p95 {:8.1} ms", base.len(), pct(&mut base.clone(), 0.5), pct(&mut base, 0.95));
        store.close().await;
    });
    if std::env::var("KEFU_BENCH_DIR").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
