//! Scenario 4, "webhook ingest". Signed platform webhooks are not built yet (the channels
//! work), so this drives what exists: the API channel `POST /api/v1/inbound/messages` with a
//! bearer token (scope `inbound:write`), idempotent by `client_id`. A share of the requests
//! are redeliveries of earlier events, which must answer 200 with the same stored message.

use super::{cpu_per_1000, Ctx, Server};
use crate::client::{self, CONTENT};
use crate::report::{Cmp, Figure, ScenarioReport};
use crate::schedule::Rng;
use crate::stats::{per_second, Shared};
use anyhow::Result;
use serde_json::json;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Sizes of the ingest scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct IngestArgs {
    /// Requests in flight (HTTP/1.1 keep-alive connections) [quick 16, full 64].
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Length, seconds, warm-up included [quick 4, full 20].
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Distinct platform customers (external ids) [quick 200, full 5000].
    #[arg(long)]
    pub customers: Option<u64>,
    /// Share of requests that redeliver an earlier event [default 0.1].
    #[arg(long)]
    pub redeliver: Option<f64>,
}

#[derive(Default)]
struct Tally {
    counted: AtomicU64,
    redelivered: AtomicU64,
    errors: AtomicU64,
    first: Mutex<Option<String>>,
}

impl Tally {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut f = self.first.lock().unwrap_or_else(|p| p.into_inner());
        f.get_or_insert(what);
    }
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &IngestArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("ingest");
    let concurrency = ctx.pick(args.concurrency, 16, 64);
    let seconds = ctx.pick(args.seconds, 4, 20);
    let customers = ctx.pick(args.customers, 200, 5000).max(1);
    let redeliver = args.redeliver.unwrap_or(0.1).clamp(0.0, 1.0);
    r.param("concurrency", concurrency);
    r.param("seconds", seconds);
    r.param("customers", customers);
    r.param("redeliver", redeliver);
    let server: Server = ctx.kefu().await?;
    let base = server.proc.http();
    let cookie = client::login(&ctx.http, &base, "owner@demo.kefu").await?;
    let token = client::inbound_token(&ctx.http, &base, &cookie).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let length = Duration::from_secs(seconds);
    let warmup = Duration::from_secs((seconds / 4).max(1));
    let epoch = Instant::now();
    let tally = Arc::new(Tally::default());
    let latency = Shared::default();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (http, url, token, tally, latency) = (http.clone(), format!("{base}/api/v1/inbound/messages"), token.clone(), tally.clone(), latency.clone());
        let mut rng = Rng::new(ctx.seed.wrapping_add(w as u64 * 7919));
        tasks.push(tokio::spawn(async move {
            // Recent events of this worker: (external id, client id, stored message id).
            let mut recent: VecDeque<(String, String, String)> = VecDeque::new();
            let mut n = 0u64;
            while epoch.elapsed() < length {
                let again = !recent.is_empty() && rng.next_f64() < redeliver;
                let (ext, cid) = if again {
                    let (e, c, _) = &recent[rng.below(recent.len() as u64) as usize];
                    (e.clone(), c.clone())
                } else {
                    n += 1;
                    (format!("bench-{}", rng.below(customers)), format!("w{w}-{n}"))
                };
                let start = Instant::now();
                let res = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "external_id": ext, "content": CONTENT, "client_id": cid }))
                    .send()
                    .await;
                let (status, body) = match res {
                    Ok(res) => (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap_or_default()),
                    Err(e) => {
                        tally.error(format!("request failed: {e}"));
                        continue;
                    }
                };
                let id = body["message"]["id"].as_str().unwrap_or_default().to_string();
                if again {
                    let stored = recent.iter().find(|(_, c, _)| *c == cid).map(|(_, _, i)| i.clone()).unwrap_or_default();
                    if status != 200 || id != stored {
                        tally.error(format!("redelivery of {cid} answered {status} with message {id}, first stored as {stored}"));
                    }
                    tally.redelivered.fetch_add(1, Ordering::Relaxed);
                } else if status != 201 {
                    tally.error(format!("new event {cid} answered {status}: {body}"));
                } else {
                    recent.push_back((ext, cid, id));
                    if recent.len() > 32 {
                        recent.pop_front();
                    }
                }
                let at = start.duration_since(epoch);
                if at >= warmup && epoch.elapsed() <= length {
                    latency.record(start.elapsed());
                    tally.counted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // CPU over exactly the counted window.
    tokio::time::sleep(warmup).await;
    let cpu0 = server.proc.cpu();
    tokio::time::sleep(length.saturating_sub(warmup)).await;
    let cpu = server.proc.cpu() - cpu0;
    for t in tasks {
        let _ = t.await;
    }
    let counted = tally.counted.load(Ordering::Relaxed);
    let rate = per_second(counted, length.saturating_sub(warmup));
    let lat = latency.snapshot().summary();
    r.figures.push(Figure::new(&format!("events/s (API channel, {concurrency} in flight)"), rate, "/s").target(Cmp::AtLeast, 20_000.0));
    r.figures.push(Figure::new("p99 request → stored answer", lat.p99_ms, "ms"));
    r.figures.push(Figure::new("server CPU per 1,000 events", cpu_per_1000(cpu, counted), "s"));
    r.figures.push(Figure::new("redeliveries answered idempotently", tally.redelivered.load(Ordering::Relaxed) as f64, "events"));
    r.latency.insert("kefu.inbound".into(), lat);
    let first = tally.first.lock().unwrap_or_else(|p| p.into_inner()).clone().unwrap_or_default();
    r.error_if(tally.errors.load(Ordering::Relaxed), &format!("ingest errors (first: {first})"));
    r.notes.push("this is the API channel (bearer token, idempotent by client_id); the signed platform webhook and its danmaku queue are measured by the channels tests, not here; no baseline (the peer speaks WebSocket only)".into());
    server.finish(&mut r).await?;
    Ok(r)
}
