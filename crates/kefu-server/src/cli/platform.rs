//! `kefu platform token create`: a platform operator's token for /api/v1/platform, printed
//! once (only its SHA-256 is stored).

use kefu_core::onboarding::PlatformToken;
use kefu_core::seal::PlainSealer;
use kefu_core::store::{Change, ChangeSet, Store};
use kefu_server::auth::{new_secret, secret_hash};
use kefu_server::config::{Config, ServeArgs};
use kefu_store::{SqlStore, StoreOptions};
use std::sync::Arc;

/// Platform commands.
#[derive(clap::Subcommand, Debug)]
pub enum PlatformCommand {
    /// Platform-operator tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// Token commands.
#[derive(clap::Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// What it is for, e.g. the platform's name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        args: ServeArgs,
    },
}

impl PlatformCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            PlatformCommand::Token { command: TokenCommand::Create { args, .. } } => args,
        }
    }
}

/// Run a platform command.
pub async fn run(command: PlatformCommand, config: Config) -> anyhow::Result<()> {
    let PlatformCommand::Token { command: TokenCommand::Create { name, .. } } = command;
    let name = name.trim().to_string();
    anyhow::ensure!(!name.is_empty() && name.chars().count() <= 80, "--name must be 1 to 80 characters");
    config.prepare_data_dir()?;
    let store = SqlStore::open(&config.database_url, Arc::new(PlainSealer), StoreOptions::default()).await?;
    let secret = new_secret("kefu_plat_").map_err(|e| anyhow::anyhow!(e))?;
    let now = kefu_core::clock::Clock::now(&kefu_core::clock::SystemClock);
    let token = PlatformToken { id: kefu_core::ids::CredentialId::new(), name: name.clone(), secret_hash: secret_hash(&secret), created_at: now, revoked_at: None };
    let mut cs = ChangeSet::default();
    cs.push(Change::InsertPlatformToken(token.clone()));
    cs.push(Change::AppendAudit(kefu_core::audit::AuditEntry::by("cli", None, now, "platform_token_created", Some(format!("platform_token:{}", token.id)), serde_json::json!({ "name": name }))));
    let applied = store.apply(cs).await;
    store.close().await;
    applied?;
    println!("platform token \"{name}\" (shown once; keep it secret):");
    println!("{secret}");
    Ok(())
}
