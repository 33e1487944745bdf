//! Scenario 2, "bot throughput": customers write over the widget socket and each message is
//! durable before its acknowledgement. The server runs without the demo shop's bot (the
//! scenarios script agents themselves), so what is timed is send → durable ack (and the
//! server's echo of the message to the customer), not a bot reply. Two phases per side: open-loop at a fixed rate for latency, then closed
//! loop for the most the server sustains.

use super::{cpu_per_1000, Ctx, Side, Under};
use crate::client;
use crate::load::{self, Clock, Counters, CustomerHists};
use crate::report::{Cmp, Figure, ScenarioReport};
use crate::schedule::Schedule;
use crate::stats::{per_second, Shared, Summary};
use anyhow::Result;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Sizes of the bot scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct BotArgs {
    /// Customer sockets of the open-loop phase [quick 100, full 1000].
    #[arg(long)]
    pub customers: Option<usize>,
    /// Open-loop rate, messages/s [quick 500, full 5000].
    #[arg(long)]
    pub rate: Option<f64>,
    /// Open-loop phase length, seconds, warm-up included [quick 4, full 30].
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Warm-up excluded from histograms, seconds [quick 1, full 5].
    #[arg(long)]
    pub warmup: Option<u64>,
    /// Sockets of the closed-loop (saturation) phase [quick 100, full 1000].
    #[arg(long)]
    pub saturate_customers: Option<usize>,
    /// Closed-loop phase length, seconds, warm-up included [quick 4, full 20].
    #[arg(long)]
    pub saturate_seconds: Option<u64>,
}

struct Side1 {
    ack: Summary,
    cpu_rate: f64,
    sat_rate: f64,
    sat_latency: Summary,
    sat_cpu: f64,
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &BotArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("bot");
    let customers = ctx.pick(args.customers, 100, 1000);
    let rate = ctx.pick(args.rate, 500.0, 5000.0);
    let seconds = ctx.pick(args.seconds, 4, 30);
    let warmup = ctx.pick(args.warmup, 1, 5).min(seconds.saturating_sub(1));
    let sat_customers = ctx.pick(args.saturate_customers, 100, 1000);
    let sat_seconds = ctx.pick(args.saturate_seconds, 4, 20);
    for (k, v) in [("customers", customers as f64), ("rate", rate), ("seconds", seconds as f64), ("warmup", warmup as f64)] {
        r.param(k, v);
    }
    r.param("saturate_customers", sat_customers);
    r.param("saturate_seconds", sat_seconds);

    let mut results = Vec::new();
    for side in [Side::Kefu, Side::Baseline] {
        let under = Under::start(ctx, side).await?;
        let p = under.proc();
        let ws_base = p.ws();
        let pid_cpu = || p.cpu();

        // Phase A: open loop at `rate`.
        let (socks, failed) = load::connect_many(customers, 64, |_| client::widget(&ws_base, None, Duration::from_secs(10))).await;
        r.error_if(failed.len() as u64, &format!("{} widget connects failed (first: {:?})", side.name(), failed.first()));
        let counters = Arc::new(Counters::default());
        let hists = CustomerHists::default();
        let clock = Clock { epoch: std::time::Instant::now() + Duration::from_millis(50), warmup: Duration::from_secs(warmup) };
        let senders: Vec<_> = socks.into_iter().map(|(ws, _)| load::spawn_customer(ws, clock, hists.clone(), counters.clone())).collect();
        let cpu0 = pid_cpu();
        let lag = if senders.is_empty() {
            Duration::ZERO
        } else {
            load::open_loop(Schedule::new(ctx.seed, rate, senders.len(), Duration::from_secs(seconds)), clock, &senders, &counters).await
        };
        let sent = Counters::get(&counters.sent);
        // Bounded: an overloaded server gets a minute to catch up before missing acks count.
        let drained = load::wait_for(Duration::from_secs(60), || Counters::get(&counters.acks) >= sent).await;
        let cpu_a = pid_cpu() - cpu0;
        counters.stopping.store(true, Ordering::Relaxed);
        drop(senders);
        if !drained {
            r.errors.push(format!("{}: {} of {sent} messages never acknowledged", side.name(), sent - Counters::get(&counters.acks)));
        }
        report_counters(&mut r, side, &counters);
        if lag > Duration::from_millis(5) {
            r.notes.push(format!("{}: the harness fell up to {} ms behind its schedule (client-side delay is included in the latency)", side.name(), lag.as_millis()));
        }

        // Phase B: closed loop, saturation.
        let (socks, failed) = load::connect_many(sat_customers, 64, |_| client::widget(&ws_base, None, Duration::from_secs(10))).await;
        r.error_if(failed.len() as u64, &format!("{} widget connects failed in saturation (first: {:?})", side.name(), failed.first()));
        let counters_b = Arc::new(Counters::default());
        let sat_hist = Shared::default();
        let sat_warm = Duration::from_secs((sat_seconds / 4).max(1));
        let clock_b = Clock { epoch: std::time::Instant::now(), warmup: sat_warm };
        let length = Duration::from_secs(sat_seconds);
        let me = std::process::id();
        let cpu_probe = async {
            // CPU over exactly the counted window, the server's and the harness's own (they
            // share the machine's cores).
            tokio::time::sleep(sat_warm).await;
            let (a, h) = (pid_cpu(), crate::env::cpu_seconds(me));
            tokio::time::sleep(length.saturating_sub(sat_warm)).await;
            (pid_cpu() - a, crate::env::cpu_seconds(me) - h)
        };
        let socks: Vec<_> = socks.into_iter().map(|(ws, _)| ws).collect();
        let (counted, (cpu_window, harness_cpu)) = tokio::join!(load::closed_loop(socks, clock_b, length, sat_hist.clone(), counters_b.clone()), cpu_probe);
        report_counters(&mut r, side, &counters_b);
        let sat_rate = per_second(counted, length.saturating_sub(sat_warm));
        let window = length.saturating_sub(sat_warm).as_secs_f64();
        r.notes.push(format!(
            "{} saturation: server {:.2} cores, harness {:.2} cores (of {})",
            side.name(),
            cpu_window / window,
            harness_cpu / window,
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        ));
        let res = Side1 {
            ack: hists.ack.snapshot().summary(),
            cpu_rate: cpu_per_1000(cpu_a, sent),
            sat_rate,
            sat_latency: sat_hist.snapshot().summary(),
            sat_cpu: cpu_per_1000(cpu_window, counted),
        };
        r.latency.insert(format!("{}.ack@{rate}/s", side.name()), res.ack);
        if side == Side::Kefu {
            r.latency.insert(format!("{}.own-message-echo@{rate}/s", side.name()), hists.echo.snapshot().summary());
        }
        r.latency.insert(format!("{}.ack@saturation", side.name()), res.sat_latency);
        results.push(res);
        under.finish(&mut r).await?;
    }
    let (k, b) = (&results[0], &results[1]);
    r.figures.push(Figure::new(&format!("p99 send→durable ack @ {rate}/s"), k.ack.p99_ms, "ms").target(Cmp::AtMost, 10.0).baseline(b.ack.p99_ms));
    r.figures.push(Figure::new(&format!("p50 send→durable ack @ {rate}/s"), k.ack.p50_ms, "ms").baseline(b.ack.p50_ms));
    r.figures.push(Figure::new(&format!("sustained msg/s (closed loop, {sat_customers} sockets)"), k.sat_rate, "msg/s").target(Cmp::AtLeast, 20_000.0).baseline(b.sat_rate));
    r.figures.push(Figure::new("server CPU per 1,000 msgs (saturated)", k.sat_cpu, "s").baseline(b.sat_cpu));
    r.figures.push(Figure::new(&format!("server CPU per 1,000 msgs @ {rate}/s"), k.cpu_rate, "s").baseline(b.cpu_rate));
    r.notes.push("the server runs without the demo shop's bot (--demo-bot false): latency is customer send → durable ack over the widget socket (plus kefu's echo of the message as a `message` frame), not send → bot reply; the baseline echoes the frame back".into());
    Ok(r)
}

/// Errors of a phase into the report.
pub fn report_counters(r: &mut ScenarioReport, side: Side, c: &Counters) {
    let samples = c.samples();
    let first = samples.first().cloned().unwrap_or_default();
    r.error_if(Counters::get(&c.protocol_errors), &format!("{} protocol errors (first: {first})", side.name()));
    r.error_if(Counters::get(&c.drops), &format!("{} sockets dropped (first: {first})", side.name()));
}
