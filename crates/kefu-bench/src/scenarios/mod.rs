//! The scenarios of issue 10, one module each, and what they share: starting the processes
//! under test and folding their logs into the report.

pub mod bot;
pub mod durable;
pub mod human;
pub mod idle;
pub mod ingest;
pub mod storm;

use crate::procs::{self, Proc};
use crate::report::ScenarioReport;
use anyhow::{Context, Result};
use std::path::PathBuf;
use tempfile::TempDir;

/// What every scenario needs.
pub struct Ctx {
    /// The `kefu` binary.
    pub kefu_bin: PathBuf,
    /// Where temporary data directories go.
    pub tmp: PathBuf,
    /// Seed of every schedule.
    pub seed: u64,
    /// Smoke-test sizes.
    pub quick: bool,
    /// HTTP client for logins, tokens and metrics.
    pub http: reqwest::Client,
}

impl Ctx {
    /// The given value, or the quick or full default.
    pub fn pick<T>(&self, given: Option<T>, quick: T, full: T) -> T {
        given.unwrap_or(if self.quick { quick } else { full })
    }

    /// A fresh temporary directory.
    pub fn temp_dir(&self) -> Result<TempDir> {
        tempfile::Builder::new().prefix("kefu-bench-").tempdir_in(&self.tmp).with_context(|| format!("temporary directory in {}", self.tmp.display()))
    }

    /// Start `kefu serve` on a fresh database.
    pub async fn kefu(&self) -> Result<Server> {
        let dir = self.temp_dir()?;
        let proc = procs::spawn_kefu(&self.kefu_bin, dir.path()).await?;
        Ok(Server { proc, _dir: dir })
    }
}

/// A running kefu with its data directory (removed when dropped).
pub struct Server {
    /// The process.
    pub proc: Proc,
    _dir: TempDir,
}

impl Server {
    /// Stop it; its warnings become notes and its errors become errors of the scenario.
    pub async fn finish(mut self, report: &mut ScenarioReport) -> Result<()> {
        if !self.proc.alive() {
            report.errors.push("the kefu server died during the scenario".into());
        }
        let lines = self.proc.warnings();
        let (errors, warnings): (Vec<String>, Vec<String>) = lines.into_iter().partition(|l| l.contains("ERROR") || l.contains("panicked"));
        if !errors.is_empty() {
            report.errors.push(format!("{} error lines in the server log, first: {}", errors.len(), errors[0]));
        }
        if !warnings.is_empty() {
            report.notes.push(format!("{} warning lines in the server log, first: {}", warnings.len(), warnings[0]));
        }
        self.proc.stop().await
    }
}

/// Stop the baseline peer, noting if it died.
pub async fn finish_baseline(mut peer: Proc, report: &mut ScenarioReport) -> Result<()> {
    if !peer.alive() {
        report.errors.push("the baseline peer died during the scenario".into());
    }
    peer.stop().await
}

/// The process a phase drives, started for one side.
pub enum Under {
    /// kefu with its data directory.
    Kefu(Server),
    /// The baseline peer.
    Baseline(Proc),
}

impl Under {
    /// Start the process of `side`.
    pub async fn start(ctx: &Ctx, side: Side) -> Result<Self> {
        Ok(match side {
            Side::Kefu => Under::Kefu(ctx.kefu().await?),
            Side::Baseline => Under::Baseline(procs::spawn_baseline(None).await?),
            Side::BaselineSmallBuffer => Under::Baseline(procs::spawn_baseline(Some(SMALL_READ_BUFFER)).await?),
        })
    }

    /// Its process.
    pub fn proc(&self) -> &Proc {
        match self {
            Under::Kefu(s) => &s.proc,
            Under::Baseline(p) => p,
        }
    }

    /// Stop it and fold its state into the report.
    pub async fn finish(self, report: &mut ScenarioReport) -> Result<()> {
        match self {
            Under::Kefu(s) => s.finish(report).await,
            Under::Baseline(p) => finish_baseline(p, report).await,
        }
    }
}

/// Which process a phase drives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    /// `kefu serve`.
    Kefu,
    /// The bare WebSocket peer.
    Baseline,
    /// The bare peer with an 8 KiB WebSocket read buffer instead of the library's 128 KiB.
    BaselineSmallBuffer,
}

/// Read buffer of [`Side::BaselineSmallBuffer`].
pub const SMALL_READ_BUFFER: usize = 8 * 1024;

impl Side {
    /// `kefu` or `baseline`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Kefu => "kefu",
            Side::Baseline => "baseline",
            Side::BaselineSmallBuffer => "baseline-8KiB-buffer",
        }
    }
}

/// CPU seconds per 1,000 events.
pub fn cpu_per_1000(cpu_seconds: f64, events: u64) -> f64 {
    if events == 0 {
        0.0
    } else {
        cpu_seconds * 1000.0 / events as f64
    }
}
