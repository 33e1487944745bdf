//! `kefu audit verify`: walk the whole audit log and prove the hash chain intact, or name the
//! first entry that was edited, removed or re-ordered.

use kefu_core::audit::ChainVerifier;
use kefu_core::seal::PlainSealer;
use kefu_core::store::Store;
use kefu_server::config::{Config, ServeArgs};
use kefu_store::{SqlStore, StoreOptions};
use std::sync::Arc;

/// Audit commands.
#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Verify the hash chain of the whole log; exits 1 at the first broken entry.
    Verify(ServeArgs),
}

impl AuditCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            AuditCommand::Verify(a) => a,
        }
    }
}

/// Run an audit command; `Ok(false)` when the chain is broken.
pub async fn run(command: AuditCommand, config: Config) -> anyhow::Result<bool> {
    let AuditCommand::Verify(_) = command;
    // The audit log holds no sealed columns: no keys are needed to verify it.
    let store = SqlStore::open(&config.database_url, Arc::new(PlainSealer), StoreOptions::default()).await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    let intact = loop {
        let page = store.audit(None, after, 5_000).await?;
        let Some(last) = page.last() else { break true };
        after = last.pos;
        if let Err(broken) = verifier.check(&page) {
            let id = page.iter().find(|r| r.pos == broken.pos).map(|r| r.entry.id.to_string()).unwrap_or_default();
            println!("audit chain BROKEN at entry #{} (id {id}): {}", broken.pos, broken.reason);
            println!("{} entries before it are intact", verifier.checked());
            break false;
        }
    };
    if intact {
        println!("audit chain intact: {} entries, head {}", verifier.checked(), verifier.head());
    }
    store.close().await;
    Ok(intact)
}
