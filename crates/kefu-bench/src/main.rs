//! `kefu-bench`: measures a running `kefu serve` through its public protocols against the
//! machine's limits and a bare WebSocket baseline, in one run. See docs/BENCHMARKS.md.

mod baseline;
mod client;
mod env;
mod load;
mod procs;
mod report;
mod scenarios;
mod schedule;
mod stats;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use report::{Report, ScenarioReport};
use scenarios::{bot::BotArgs, durable::DurableArgs, human::HumanArgs, idle::IdleArgs, ingest::IngestArgs, storm::StormArgs, Ctx};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kefu-bench", version, about = "Benchmark kefu against the machine's limits and a bare WebSocket baseline.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Small sizes, a few seconds per scenario: a smoke test that fails on errors, not speed.
    #[arg(long, global = true)]
    quick: bool,
    /// Also write the report as JSON to this file.
    #[arg(long, global = true)]
    json: Option<PathBuf>,
    /// Seed of every arrival schedule.
    #[arg(long, global = true, default_value_t = 1)]
    seed: u64,
    /// The `kefu` binary [default: `kefu` next to this executable].
    #[arg(long, global = true)]
    kefu_bin: Option<PathBuf>,
    /// Where temporary databases go [default: the system temp dir].
    #[arg(long, global = true)]
    tmp_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// 1. Hold many idle widget sessions with pings; memory per session.
    Idle(IdleArgs),
    /// 2. Customer messages until durable ack (the bot is not built yet): latency and throughput.
    Bot(BotArgs),
    /// 3. Agents and active customers: message to agent screen.
    Human(HumanArgs),
    /// 4. Inbound API channel events/s, idempotent redeliveries.
    Ingest(IngestArgs),
    /// 5. Group-commit throughput against an fsync probe of the same disk.
    Durable(DurableArgs),
    /// 6. Many handshakes at once.
    Storm(StormArgs),
    /// Every scenario with its default (or --quick) sizes.
    All,
    /// The bare WebSocket echo/broadcast server the scenarios compare against (internal).
    #[command(hide = true)]
    BaselinePeer {
        /// Port on 127.0.0.1 (0: any free one; printed as `listening ADDR`).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// WebSocket read buffer, bytes [default: the library's 128 KiB, as in kefu].
        #[arg(long)]
        read_buffer: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let nofile = env::raise_nofile();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kefu-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::BaselinePeer { port, read_buffer } = cli.command {
        return match runtime.block_on(baseline::run(port, read_buffer)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("kefu-bench baseline-peer: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    match runtime.block_on(bench(cli, nofile)) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(errors) => {
            eprintln!("kefu-bench: {errors} error(s); see above");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("kefu-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Run the chosen scenarios, print the table, write the JSON; returns the error count.
async fn bench(cli: Cli, nofile: (u64, u64, u64)) -> Result<usize> {
    let tmp = cli.tmp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let ctx = Ctx { kefu_bin: cli.kefu_bin.clone().unwrap_or_else(procs::default_kefu_bin), tmp: tmp.clone(), seed: cli.seed, quick: cli.quick, http: reqwest::Client::new() };
    let environment = env::Environment::read(nofile, &tmp);
    println!("kefu-bench {} · {}", if cli.quick { "--quick" } else { "full" }, environment.line());
    if nofile.1 < 20_000 {
        println!("note: the open-file limit is {}; the idle and storm scenarios need about 19,000 per process", nofile.1);
    }
    let which: Vec<&str> = match &cli.command {
        Command::All => vec!["durable", "idle", "storm", "bot", "human", "ingest"],
        Command::Idle(_) => vec!["idle"],
        Command::Bot(_) => vec!["bot"],
        Command::Human(_) => vec!["human"],
        Command::Ingest(_) => vec!["ingest"],
        Command::Durable(_) => vec!["durable"],
        Command::Storm(_) => vec!["storm"],
        Command::BaselinePeer { .. } => vec![],
    };
    let mut scenarios = Vec::new();
    for name in which {
        let started = std::time::Instant::now();
        // Other work on the machine skews every figure: keep the load average with the run.
        let load_at_start = std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        eprintln!("kefu-bench: running {name} …");
        let result = match (&cli.command, name) {
            (Command::Idle(a), _) => scenarios::idle::run(&ctx, a).await,
            (Command::Bot(a), _) => scenarios::bot::run(&ctx, a).await,
            (Command::Human(a), _) => scenarios::human::run(&ctx, a).await,
            (Command::Ingest(a), _) => scenarios::ingest::run(&ctx, a).await,
            (Command::Durable(a), _) => scenarios::durable::run(&ctx, a).await,
            (Command::Storm(a), _) => scenarios::storm::run(&ctx, a).await,
            (_, "idle") => scenarios::idle::run(&ctx, &IdleArgs::default()).await,
            (_, "bot") => scenarios::bot::run(&ctx, &BotArgs::default()).await,
            (_, "human") => scenarios::human::run(&ctx, &HumanArgs::default()).await,
            (_, "ingest") => scenarios::ingest::run(&ctx, &IngestArgs::default()).await,
            (_, "durable") => scenarios::durable::run(&ctx, &DurableArgs::default()).await,
            (_, _) => scenarios::storm::run(&ctx, &StormArgs::default()).await,
        };
        // A scenario that could not run at all is an error of the run, not the end of it.
        let mut s = result.unwrap_or_else(|e| {
            let mut s = ScenarioReport::new(name);
            s.errors.push(format!("could not run: {e:#}"));
            s
        });
        s.param("loadavg_at_start", load_at_start.clone());
        s.param("wall_seconds", (started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
        eprintln!("kefu-bench: {name} done in {:.1} s", started.elapsed().as_secs_f64());
        scenarios.push(s);
    }
    let report = Report { environment, quick: cli.quick, seed: cli.seed, scenarios };
    println!("{}", report::table(&report));
    if let Some(path) = &cli.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("JSON report written to {}", path.display());
    }
    Ok(report.error_count())
}
