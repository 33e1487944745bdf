//! Scenario 6, "connection storm": many widget handshakes arriving at once (every visitor a
//! new one, so each handshake also creates a customer in the store). Arrivals are open-loop
//! and evenly spaced; each handshake is timed from its intended start to its hello frame.

use super::{Ctx, Side, Under};
use crate::client;
use crate::load;
use crate::report::{Cmp, Figure, ScenarioReport};
use crate::stats::{per_second, Latency, Summary};
use anyhow::Result;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Sizes of the storm scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct StormArgs {
    /// Handshakes [quick 2000, full 19000].
    #[arg(long)]
    pub handshakes: Option<usize>,
    /// Seconds over which they arrive [default 1].
    #[arg(long)]
    pub spread: Option<f64>,
    /// Handshakes in flight in the capacity phase [default 256].
    #[arg(long)]
    pub in_flight: Option<usize>,
}

struct Storm {
    total: Duration,
    ok: usize,
    latency: Summary,
    overflows: u64,
    capacity: Duration,
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &StormArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("storm");
    let n = ctx.pick(args.handshakes, 2000, 19_000);
    let spread = Duration::from_secs_f64(args.spread.unwrap_or(1.0).max(0.001));
    r.param("handshakes", n);
    r.param("spread_seconds", spread.as_secs_f64());
    let in_flight = args.in_flight.unwrap_or(256).max(1);
    r.param("in_flight", in_flight);
    let mut out = Vec::new();
    for side in [Side::Kefu, Side::Baseline] {
        let under = Under::start(ctx, side).await?;
        let ws_base = under.proc().ws();
        let before = crate::env::listen_overflows();
        let mut s = storm(&ws_base, n, spread, side, &mut r).await;
        s.overflows = crate::env::listen_overflows().saturating_sub(before);
        // Capacity: the same number of handshakes, but never more than `in_flight` at once,
        // so no listen queue overflows and no SYN is retransmitted.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let start = Instant::now();
        let (socks, failed) = load::connect_many(n, in_flight, |_| client::widget(&ws_base, None, Duration::from_secs(30))).await;
        s.capacity = start.elapsed();
        r.error_if(failed.len() as u64, &format!("{} handshakes failed in the capacity phase (first: {:?})", side.name(), failed.first()));
        for (mut ws, _) in socks {
            let _ = ws.close(None).await;
        }
        // Let the server finish closing before it is stopped.
        tokio::time::sleep(Duration::from_millis(500)).await;
        under.finish(&mut r).await?;
        out.push(s);
    }
    let (k, b) = (&out[0], &out[1]);
    r.figures.push(Figure::new(&format!("time for {n} handshakes"), k.total.as_secs_f64(), "s").target(Cmp::AtMost, 2.0).baseline(b.total.as_secs_f64()));
    r.figures.push(Figure::new("handshakes/s", per_second(k.ok as u64, k.total), "/s").baseline(per_second(b.ok as u64, b.total)));
    r.figures.push(Figure::new("p99 handshake (intended start → hello)", k.latency.p99_ms, "ms").baseline(b.latency.p99_ms));
    r.figures.push(Figure::new("listen-queue overflows during the burst", k.overflows as f64, "SYNs").baseline(b.overflows as f64));
    r.figures.push(Figure::new(&format!("time for {n} handshakes, {in_flight} in flight"), k.capacity.as_secs_f64(), "s").target(Cmp::AtMost, 2.0).baseline(b.capacity.as_secs_f64()));
    r.latency.insert("kefu.handshake".into(), k.latency);
    r.latency.insert("baseline.handshake".into(), b.latency);
    r.notes.push("the burst's time is dominated by SYN retransmissions (1 s, 3 s, 7 s …) once the listen queue overflows (tokio's listener uses a backlog of 1,024); the capacity row shows the handshake rate itself".into());
    r.notes.push("every handshake is a new visitor; kefu creates their customer only on a first message (issue 17), so a handshake writes nothing; reconnects with a visitor token are not measured separately".into());
    Ok(r)
}

async fn storm(ws_base: &str, n: usize, spread: Duration, side: Side, r: &mut ScenarioReport) -> Storm {
    let epoch = Instant::now() + Duration::from_millis(100);
    let mut set = JoinSet::new();
    for i in 0..n {
        let at = spread.mul_f64(i as f64 / n as f64);
        let url = ws_base.to_string();
        set.spawn(async move {
            tokio::time::sleep_until((epoch + at).into()).await;
            let res = client::widget(&url, None, Duration::from_secs(30)).await;
            (epoch + at, Instant::now(), res)
        });
    }
    let mut latency = Latency::new();
    let mut held = Vec::with_capacity(n);
    let mut failed = Vec::new();
    let mut last = epoch;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((intended, done, Ok((ws, _)))) => {
                latency.record(done.saturating_duration_since(intended));
                last = last.max(done);
                held.push(ws);
            }
            Ok((_, _, Err(e))) => failed.push(format!("{e:#}")),
            Err(e) => failed.push(format!("task failed: {e}")),
        }
    }
    r.error_if(failed.len() as u64, &format!("{} handshakes failed (first: {:?})", side.name(), failed.first()));
    let ok = held.len();
    // Sockets stay open until every handshake is done, as in a real storm; then close them.
    for mut ws in held {
        let _ = ws.close(None).await;
    }
    Storm { total: last.saturating_duration_since(epoch), ok, latency: latency.summary(), overflows: 0, capacity: Duration::ZERO }
}
