//! `kefu analytics rebuild`: empty every rollup and fold the whole event log again. The
//! result equals what the running consumer maintains incrementally (the store suite proves
//! it); safe beside a running server (the cursor's compare-and-set keeps one writer).

use kefu_core::analytics::consumer;
use kefu_core::seal::PlainSealer;
use kefu_server::config::{Config, ServeArgs};
use kefu_store::{SqlStore, StoreOptions};
use std::sync::Arc;

/// Analytics commands.
#[derive(clap::Subcommand, Debug)]
pub enum AnalyticsCommand {
    /// Recompute every rollup from the event log.
    Rebuild(ServeArgs),
}

impl AnalyticsCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            AnalyticsCommand::Rebuild(a) => a,
        }
    }
}

/// Run an analytics command.
pub async fn run(command: AnalyticsCommand, config: Config) -> anyhow::Result<()> {
    let AnalyticsCommand::Rebuild(_) = command;
    // Events and rollups hold ids and counters only: no keys are needed.
    let store = SqlStore::open(&config.database_url, Arc::new(PlainSealer), StoreOptions::default()).await?;
    let started = std::time::Instant::now();
    let n = consumer::rebuild(&store, 5_000).await?;
    println!("analytics rebuilt: {n} events folded in {:.1} s", started.elapsed().as_secs_f64());
    store.close().await;
    Ok(())
}
