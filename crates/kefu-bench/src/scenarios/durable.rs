//! Scenario 5, "durable writes": how close kefu's group commit comes to what the disk
//! allows. First a probe writes and fsyncs a small file in the same temporary directory for
//! about a second (fsyncs/s); then many widget customers write as fast as they are
//! acknowledged, and the server's own counters (`kefu_store_commits_total`,
//! `kefu_store_change_sets_total`) give commits/s and the mean batch. One commit costs one
//! WAL fsync, so commits/s ÷ fsyncs/s says how much of the disk's fsync budget the writer
//! turns into commits, and the mean batch says how many messages each fsync carries.

use super::{Ctx, Side};
use crate::client;
use crate::load::{self, Clock, Counters};
use crate::procs;
use crate::report::{num, Cmp, Figure, ScenarioReport};
use crate::stats::{per_second, Shared};
use anyhow::{Context, Result};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes of the durable-write scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct DurableArgs {
    /// Customer sockets writing at once [quick 200, full 2000].
    #[arg(long)]
    pub customers: Option<usize>,
    /// Length, seconds, warm-up included [quick 4, full 20].
    #[arg(long)]
    pub seconds: Option<u64>,
}

/// Append 4 KiB and fsync, repeatedly, for about `length`; returns fsyncs/s.
pub fn fsync_probe(dir: &Path, length: Duration) -> Result<f64> {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).with_context(|| format!("opening {}", path.display()))?;
    let block = [0x5au8; 4096];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < length {
        f.write_all(&block)?;
        f.sync_all()?;
        n += 1;
    }
    let rate = per_second(n, start.elapsed());
    drop(f);
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &DurableArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("durable");
    let customers = ctx.pick(args.customers, 200, 2000);
    let seconds = ctx.pick(args.seconds, 4, 20);
    r.param("customers", customers);
    r.param("seconds", seconds);
    let dir = ctx.temp_dir()?;
    let probe_dir = dir.path().to_path_buf();
    let fsyncs = tokio::task::spawn_blocking(move || fsync_probe(&probe_dir, Duration::from_secs(1))).await??;

    let server = ctx.kefu().await?;
    let (base, ws_base) = (server.proc.http(), server.proc.ws());
    let (socks, failed) = load::connect_many(customers, 64, |_| client::widget(&ws_base, None, Duration::from_secs(30))).await;
    r.error_if(failed.len() as u64, &format!("widget connects failed (first: {:?})", failed.first()));
    let counters = Arc::new(Counters::default());
    let length = Duration::from_secs(seconds);
    let warmup = Duration::from_secs((seconds / 4).max(1));
    let clock = Clock { epoch: Instant::now(), warmup };
    let metric = |name: &'static str| {
        let (http, base) = (ctx.http.clone(), base.clone());
        async move { procs::metric(&http, &base, name).await }
    };
    let window = async {
        tokio::time::sleep(warmup).await;
        let a = (metric("kefu_store_commits_total").await?, metric("kefu_store_change_sets_total").await?, Instant::now());
        tokio::time::sleep(length.saturating_sub(warmup)).await;
        let b = (metric("kefu_store_commits_total").await?, metric("kefu_store_change_sets_total").await?, Instant::now());
        Ok::<_, anyhow::Error>((b.0 - a.0, b.1 - a.1, b.2 - a.2))
    };
    let hist = Shared::default();
    let socks: Vec<_> = socks.into_iter().map(|(ws, _)| ws).collect();
    let (_, window) = tokio::join!(load::closed_loop(socks, clock, length, hist.clone(), counters.clone()), window);
    let (commits, sets, took) = window?;
    // The probe again, now the server is idle: on a shared virtual disk the rate moves a lot.
    let probe_dir = dir.path().to_path_buf();
    let fsyncs_after = tokio::task::spawn_blocking(move || fsync_probe(&probe_dir, Duration::from_secs(1))).await??;
    r.notes.push(format!("fsync probe {} /s before the load, {} /s after it; the figures use the mean", num(fsyncs), num(fsyncs_after)));
    let fsyncs = (fsyncs + fsyncs_after) / 2.0;
    super::bot::report_counters(&mut r, Side::Kefu, &counters);
    let commit_rate = commits / took.as_secs_f64();
    let set_rate = sets / took.as_secs_f64();
    let batch = if commits > 0.0 { sets / commits } else { 0.0 };
    r.figures.push(Figure::new("disk fsyncs/s (probe: 4 KiB append + fsync)", fsyncs, "/s"));
    r.figures.push(Figure::new("durable change sets/s (messages)", set_rate, "/s").baseline(fsyncs));
    r.figures.push(Figure::new("group commits/s", commit_rate, "/s"));
    r.figures.push(Figure::new("mean batch (change sets per commit)", batch, "sets"));
    r.figures.push(Figure::new("commit rate ÷ fsync rate", if fsyncs > 0.0 { commit_rate / fsyncs } else { 0.0 }, "×").target(Cmp::AtLeast, 0.8));
    r.latency.insert("kefu.ack@saturation".into(), hist.snapshot().summary());
    r.notes.push(format!(
        "the baseline column of the change-sets row is the probe's fsyncs/s, so its ratio is messages per fsync; at this batch size the disk alone would allow {} messages/s",
        num(fsyncs * batch)
    ));
    server.finish(&mut r).await?;
    Ok(r)
}
