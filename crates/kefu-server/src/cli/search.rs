//! `kefu search reindex`: index every message the search index does not hold yet, from the
//! saved cursor on, printing progress. After a key rotation the server empties the index at
//! start; this (or the server's own background pass) fills it again. Stopping and running it
//! again continues where it stopped.

use kefu_server::config::{Config, ServeArgs};
use kefu_store::{SqlStore, StoreOptions};
use std::io::Write;
use std::sync::Arc;

/// Search index commands.
#[derive(clap::Subcommand, Debug)]
pub enum SearchCommand {
    /// Index messages after the saved cursor.
    Reindex(ServeArgs),
}

impl SearchCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            SearchCommand::Reindex(a) => a,
        }
    }
}

/// Run a search command.
pub async fn run(command: SearchCommand, config: Config) -> anyhow::Result<()> {
    let SearchCommand::Reindex(_) = command;
    // The index key comes from the current sealing key, so the real keys are needed.
    let ring = Arc::new(config.key_ring()?);
    let store = SqlStore::open(&config.database_url, ring, StoreOptions::default()).await?;
    let started = std::time::Instant::now();
    let done = store
        .reindex_search(1_000, |p| {
            print!("\rindexed {} of {} messages", p.done, p.total);
            let _ = std::io::stdout().flush();
        })
        .await?;
    println!("\rsearch index up to date: {} messages indexed in {:.1} s", done.done, started.elapsed().as_secs_f64());
    store.close().await;
    Ok(())
}
