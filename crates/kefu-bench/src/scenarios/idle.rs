//! Scenario 1, "idle sessions": hold many widget sessions in one server with pings, count
//! drops, and divide the server's resident-memory growth by the sessions it holds. The same
//! for the baseline peer gives the ratio.

use super::{Ctx, Side, Under, SMALL_READ_BUFFER};
use crate::client::{self, Ws};
use crate::load::{self, Counters};
use crate::procs;
use crate::report::{Cmp, Figure, ScenarioReport};
use crate::schedule::Rng;
use crate::stats::{Shared, Summary};
use anyhow::Result;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Sizes of the idle scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct IdleArgs {
    /// Widget sessions to hold [quick 1000, full 19000].
    #[arg(long)]
    pub sessions: Option<usize>,
    /// How long to hold them, seconds [quick 5, full 600].
    #[arg(long)]
    pub hold: Option<u64>,
    /// Seconds between one session's pings [quick 1, full 30].
    #[arg(long)]
    pub ping_every: Option<u64>,
}

struct Held {
    per_session_kib: f64,
    alive: u64,
    cpu_share: f64,
    rtt: Summary,
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &IdleArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("idle");
    let sessions = ctx.pick(args.sessions, 1000, 19_000);
    let hold = Duration::from_secs(ctx.pick(args.hold, 5, 600));
    let every = Duration::from_secs(ctx.pick(args.ping_every, 1, 30).max(1));
    r.param("sessions", sessions);
    r.param("hold_seconds", hold.as_secs());
    r.param("ping_every_seconds", every.as_secs());
    let mut out = Vec::new();
    for side in [Side::Kefu, Side::Baseline, Side::BaselineSmallBuffer] {
        // The small-buffer variant only needs to show the memory, not hold for long.
        let hold = if side == Side::BaselineSmallBuffer { hold.min(Duration::from_secs(5)) } else { hold };
        out.push(one_side(ctx, side, sessions, hold, every, &mut r).await?);
    }
    let (k, b, small) = (&out[0], &out[1], &out[2]);
    r.figures.push(Figure::new(&format!("sessions held {} s (of {sessions})", hold.as_secs()), k.alive as f64, "sessions").target(Cmp::AtLeast, sessions as f64).baseline(b.alive as f64));
    r.figures.push(Figure::new("server memory per idle session", k.per_session_kib, "KiB").target(Cmp::AtMost, 12.0).baseline(b.per_session_kib).ratio_at_most(1.6));
    r.figures.push(Figure::new(&format!("memory per session, baseline with {} KiB read buffer", SMALL_READ_BUFFER / 1024), small.per_session_kib, "KiB").baseline(b.per_session_kib));
    r.figures.push(Figure::new("server CPU while holding them", k.cpu_share * 100.0, "% of a core").baseline(b.cpu_share * 100.0));
    r.latency.insert("kefu.ping→pong".into(), k.rtt);
    r.latency.insert("baseline.ping→pong".into(), b.rtt);
    if !ctx.quick && hold < Duration::from_secs(600) {
        r.notes.push(format!("held for {} s, shorter than the issue's 10 minutes", hold.as_secs()));
    }
    Ok(r)
}

async fn one_side(ctx: &Ctx, side: Side, sessions: usize, hold: Duration, every: Duration, r: &mut ScenarioReport) -> Result<Held> {
    let under = Under::start(ctx, side).await?;
    let p = under.proc();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss0 = p.rss();
    let ws_base = p.ws();
    let started = Instant::now();
    let (socks, failed) = load::connect_many(sessions, 128, |_| client::widget(&ws_base, None, Duration::from_secs(30))).await;
    r.notes.push(format!("{}: {} sessions opened in {:.1} s (128 handshakes in flight)", side.name(), socks.len(), started.elapsed().as_secs_f64()));
    r.error_if(failed.len() as u64, &format!("{} widget connects failed (first: {:?})", side.name(), failed.first()));
    let opened = socks.len() as u64;
    let counters = Arc::new(Counters::default());
    let rtt = Shared::default();
    let mut rng = Rng::new(ctx.seed);
    let tasks: Vec<_> = socks
        .into_iter()
        .map(|(ws, _)| {
            // A random phase spreads the pings evenly instead of in one burst per interval.
            let phase = Duration::from_millis(rng.below(every.as_millis() as u64));
            tokio::spawn(idle_session(ws, phase, every, rtt.clone(), counters.clone()))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss1 = p.rss();
    let cpu0 = p.cpu();
    let t0 = Instant::now();
    tokio::time::sleep(hold).await;
    let cpu_share = (p.cpu() - cpu0) / t0.elapsed().as_secs_f64();
    let rss_end = p.rss();
    if side == Side::Kefu {
        match procs::metric(&ctx.http, &p.http(), "kefu_widget_sockets").await {
            Ok(n) if n as u64 != opened - Counters::get(&counters.drops) => {
                r.errors.push(format!("kefu reports {n} widget sockets, the harness holds {}", opened - Counters::get(&counters.drops)))
            }
            Ok(_) => {}
            Err(e) => r.errors.push(format!("reading kefu's metrics: {e:#}")),
        }
    }
    counters.stopping.store(true, Ordering::Relaxed);
    for t in &tasks {
        t.abort();
    }
    super::bot::report_counters(r, side, &counters);
    let alive = opened - Counters::get(&counters.drops);
    let per_session_kib = if opened == 0 { 0.0 } else { rss1.saturating_sub(rss0) as f64 / opened as f64 / 1024.0 };
    r.notes.push(format!(
        "{}: RSS {:.0} MiB before, {:.0} MiB with {opened} sessions, {:.0} MiB at the end of the hold",
        side.name(),
        rss0 as f64 / 1048576.0,
        rss1 as f64 / 1048576.0,
        rss_end as f64 / 1048576.0
    ));
    under.finish(r).await?;
    Ok(Held { per_session_kib, alive, cpu_share, rtt: rtt.snapshot().summary() })
}

/// One idle visitor: ping every `every`, expect pongs, and notice if the socket goes away.
async fn idle_session(ws: Ws, phase: Duration, every: Duration, rtt: Shared, counters: Arc<Counters>) {
    let (mut sink, mut stream) = ws.split();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + phase, every);
    let mut pinged: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if pinged.is_some() {
                    counters.protocol_error("no pong before the next ping".into());
                }
                if let Err(e) = sink.send(Message::Text(client::PING.into())).await {
                    return counters.dropped(format!("ping failed: {e}"));
                }
                pinged = Some(Instant::now());
            }
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => match client::frame_type(&t) {
                    Some("pong") => if let Some(at) = pinged.take() { rtt.record(at.elapsed()) },
                    Some("error") => counters.protocol_error(client::clip(&t)),
                    _ => {}
                },
                Some(Ok(Message::Close(f))) => return counters.dropped(format!("closed by the server: {f:?}")),
                Some(Ok(_)) => {}
                Some(Err(e)) => return counters.dropped(format!("socket error: {e}")),
                None => return counters.dropped("socket ended".into()),
            }
        }
    }
}
