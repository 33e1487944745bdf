//! Scenario 3, "human path": many agent workspaces open and many active customers writing;
//! each customer message is timed from its intended send time until it appears on agent
//! screens (the `message` frame on agent sockets). kefu currently sends every message of a
//! shop to every agent socket of the shop (the routing work will narrow this), so each
//! message fans out to all agent sockets; the baseline peer broadcasts the same way.

use super::bot::report_counters;
use super::{cpu_per_1000, Ctx, Side, Under};
use crate::client::{self, DEMO_LOGINS};
use crate::load::{self, Clock, Counters, CustomerHists};
use crate::report::{Cmp, Figure, ScenarioReport};
use crate::schedule::Schedule;
use crate::stats::{per_second, Shared, Summary};
use anyhow::Result;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes of the human-path scenario.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct HumanArgs {
    /// Agent sockets [quick 40, full 500].
    #[arg(long)]
    pub agents: Option<usize>,
    /// Active customer sockets [quick 200, full 5000].
    #[arg(long)]
    pub customers: Option<usize>,
    /// Customer messages per second over all customers [quick 50, full 100].
    #[arg(long)]
    pub rate: Option<f64>,
    /// Length, seconds, warm-up included [quick 4, full 30].
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Warm-up excluded from histograms, seconds [quick 1, full 5].
    #[arg(long)]
    pub warmup: Option<u64>,
}

struct Out {
    screen: Summary,
    ack: Summary,
    deliveries_per_s: f64,
    cpu: f64,
}

/// Run it.
pub async fn run(ctx: &Ctx, args: &HumanArgs) -> Result<ScenarioReport> {
    let mut r = ScenarioReport::new("human");
    let agents = ctx.pick(args.agents, 40, 500);
    let customers = ctx.pick(args.customers, 200, 5000);
    let rate = ctx.pick(args.rate, 50.0, 100.0);
    let seconds = ctx.pick(args.seconds, 4, 30);
    let warmup = ctx.pick(args.warmup, 1, 5).min(seconds.saturating_sub(1));
    r.param("agents", agents);
    r.param("customers", customers);
    r.param("rate", rate);
    r.param("seconds", seconds);
    r.param("warmup", warmup);
    let mut out = Vec::new();
    for side in [Side::Kefu, Side::Baseline] {
        out.push(one_side(ctx, side, agents, customers, rate, seconds, warmup, &mut r).await?);
    }
    let (k, b) = (&out[0], &out[1]);
    r.figures.push(Figure::new(&format!("p99 message→agent screen @ {rate}/s × {agents} screens"), k.screen.p99_ms, "ms").target(Cmp::AtMost, 20.0).baseline(b.screen.p99_ms));
    r.figures.push(Figure::new("p50 message→agent screen", k.screen.p50_ms, "ms").baseline(b.screen.p50_ms));
    r.figures.push(Figure::new("agent-screen deliveries/s", k.deliveries_per_s, "/s").baseline(b.deliveries_per_s));
    r.figures.push(Figure::new("server CPU per 1,000 msgs (incl. fan-out)", k.cpu, "s").baseline(b.cpu));
    r.latency.insert("kefu.agent-screen".into(), k.screen);
    r.latency.insert("baseline.agent-screen".into(), b.screen);
    r.latency.insert("kefu.customer-ack".into(), k.ack);
    r.notes.push(format!(
        "kefu has no API to create users, so the {agents} agent sockets are spread over the demo shop's 4 logins; every socket receives every message of the shop (today's fan-out), so the load is the same as {agents} distinct agents but assignment only ever involves 4"
    ));
    Ok(r)
}

#[allow(clippy::too_many_arguments)]
async fn one_side(ctx: &Ctx, side: Side, agents: usize, customers: usize, rate: f64, seconds: u64, warmup: u64, r: &mut ScenarioReport) -> Result<Out> {
    let under = Under::start(ctx, side).await?;
    let p = under.proc();
    let ws_base = p.ws();
    let mut cookies = Vec::new();
    if side == Side::Kefu {
        for email in DEMO_LOGINS {
            cookies.push(client::login(&ctx.http, &p.http(), email).await?);
        }
    } else {
        cookies.push(String::new());
    }
    let cookies = Arc::new(cookies);
    let (agent_socks, failed) = load::connect_many(agents, 32, |i| {
        let (ws_base, cookies) = (ws_base.clone(), cookies.clone());
        async move { client::agent(&ws_base, &cookies[i % cookies.len()], Duration::from_secs(30)).await }
    })
    .await;
    r.error_if(failed.len() as u64, &format!("{} agent connects failed (first: {:?})", side.name(), failed.first()));
    let (cust_socks, failed) = load::connect_many(customers, 64, |_| client::widget(&ws_base, None, Duration::from_secs(30))).await;
    r.error_if(failed.len() as u64, &format!("{} widget connects failed (first: {:?})", side.name(), failed.first()));

    let counters = Arc::new(Counters::default());
    let screen = Shared::default();
    let hists = CustomerHists::default();
    let clock = Clock { epoch: Instant::now() + Duration::from_millis(100), warmup: Duration::from_secs(warmup) };
    let n_agents = agent_socks.len() as u64;
    let agent_tasks: Vec<_> = agent_socks.into_iter().map(|(ws, _)| load::spawn_agent(ws, clock, screen.clone(), counters.clone())).collect();
    let senders: Vec<_> = cust_socks.into_iter().map(|(ws, _)| load::spawn_customer(ws, clock, hists.clone(), counters.clone())).collect();
    let cpu0 = p.cpu();
    let t0 = Instant::now();
    let lag = if senders.is_empty() {
        Duration::ZERO
    } else {
        load::open_loop(Schedule::new(ctx.seed ^ 0x48, rate, senders.len(), Duration::from_secs(seconds)), clock, &senders, &counters).await
    };
    let sent = Counters::get(&counters.sent);
    let want = sent * n_agents;
    let done = load::wait_for(Duration::from_secs(60), || Counters::get(&counters.deliveries) >= want && Counters::get(&counters.acks) >= sent).await;
    let elapsed = t0.elapsed();
    let cpu = p.cpu() - cpu0;
    counters.stopping.store(true, Ordering::Relaxed);
    drop(senders);
    for t in agent_tasks {
        t.abort();
    }
    if !done {
        r.errors.push(format!(
            "{}: {} of {want} agent-screen deliveries and {} of {sent} acks arrived",
            side.name(),
            Counters::get(&counters.deliveries),
            Counters::get(&counters.acks)
        ));
    }
    report_counters(r, side, &counters);
    if lag > Duration::from_millis(5) {
        r.notes.push(format!("{}: the harness fell up to {} ms behind its schedule", side.name(), lag.as_millis()));
    }
    let out = Out {
        screen: screen.snapshot().summary(),
        ack: hists.ack.snapshot().summary(),
        deliveries_per_s: per_second(Counters::get(&counters.deliveries), elapsed),
        cpu: cpu_per_1000(cpu, sent),
    };
    under.finish(r).await?;
    Ok(out)
}
