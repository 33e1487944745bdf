//! `kefu keys …`: which keys seal how many rows, adding a key, and re-sealing old rows
//! with the current key (online: the server may keep running).

use kefu_core::audit::AuditEntry;
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_server::config::{Config, ServeArgs};
use kefu_store::keys::{KeyFile, SEALED_COLUMNS};
use kefu_store::{SqlStore, StoreOptions};
use std::sync::Arc;

/// Key commands.
#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Show the configured keys and how many rows each seals.
    Status(ServeArgs),
    /// Generate a new key in the key file and make it current (restart the server, then rotate).
    Add(ServeArgs),
    /// Re-seal every row not under the current key, in batches, with progress; resumable.
    Rotate {
        #[command(flatten)]
        args: ServeArgs,
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
}

impl KeysCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            KeysCommand::Status(a) | KeysCommand::Add(a) | KeysCommand::Rotate { args: a, .. } => a,
        }
    }
}

/// Run a key command.
pub async fn run(command: KeysCommand, config: Config) -> anyhow::Result<()> {
    if let KeysCommand::Add(_) = command {
        anyhow::ensure!(config.keys_spec.is_none(), "keys come from KEFU_KEYS; add the new key there (id:cipher:hexkey, last is current)");
        let mut file = if config.key_file.exists() { KeyFile::read(&config.key_file)? } else { KeyFile::generate(config.cipher)? };
        let id = file.add(config.cipher)?;
        file.write(&config.key_file)?;
        println!("added key {id} ({}) to {} and made it current", config.cipher.as_str(), config.key_file.display());
        println!("next: restart the server so new writes use it, then run `kefu keys rotate`");
        return Ok(());
    }
    config.prepare_data_dir()?;
    let ring = Arc::new(config.key_ring()?);
    let store = SqlStore::open(&config.database_url, ring.clone(), StoreOptions::default()).await?;
    match command {
        KeysCommand::Status(_) => {
            println!("current key: {} ({})", ring.current_id(), ring.current_cipher().as_str());
            println!("{:<10} {:<24} {:>10}", "table", "key", "rows");
            for u in store.key_usage().await? {
                let note = if ring.can_open(&u.key_id) { "" } else { "  (key missing!)" };
                println!("{:<10} {:<24} {:>10}{note}", u.table, u.key_id, u.rows);
            }
            println!("rows to re-seal: {}", store.rows_to_reseal(&ring).await?);
        }
        KeysCommand::Rotate { batch, .. } => {
            anyhow::ensure!((1..=100_000).contains(&batch), "--batch must be 1-100000");
            let now = || kefu_core::clock::Clock::now(&kefu_core::clock::SystemClock);
            store.check_keys(&ring, now()).await?;
            let total = store.rows_to_reseal(&ring).await?;
            println!("re-sealing {total} rows with key {} ({})", ring.current_id(), ring.current_cipher().as_str());
            let mut done: u64 = 0;
            for (i, (table, ..)) in SEALED_COLUMNS.iter().enumerate() {
                loop {
                    let p = store.reseal_batch(&ring, i, batch).await?;
                    done += p.resealed;
                    if p.resealed + p.skipped == 0 {
                        break;
                    }
                    let pct = if total > 0 { (done as f64 * 100.0 / total as f64).min(100.0) } else { 100.0 };
                    println!("  {table:<10} {done:>10} / {total} ({pct:.1}%)");
                }
            }
            let retired = store.retire_unused_keys(&ring, now()).await?;
            let mut set = ChangeSet::default();
            let detail = serde_json::json!({ "resealed": done, "retired": retired });
            set.push(Change::AppendAudit(AuditEntry::by("cli", None, now(), "keys_rotated", Some(format!("key:{}", ring.current_id())), detail)));
            store.apply(set).await?;
            println!("done: {done} rows re-sealed; keys no longer used: {}", if retired.is_empty() { "none".into() } else { retired.join(", ") });
        }
        KeysCommand::Add(_) => {}
    }
    store.close().await;
    Ok(())
}
