//! `kefu shop create`: a shop for scripted installs. The owner gets a one-time link to set
//! their password (never a password on the command line, where shell history keeps it).

use kefu_core::seal::PlainSealer;
use kefu_server::config::{Config, ServeArgs};
use kefu_store::{SqlStore, StoreOptions};
use std::sync::Arc;

/// Shop commands.
#[derive(clap::Subcommand, Debug)]
pub enum ShopCommand {
    /// Create a shop and print its owner's one-time link.
    Create {
        /// The shop's name, e.g. 小鹿茶旗舰店.
        #[arg(long)]
        name: String,
        /// The owner's login email.
        #[arg(long)]
        owner_email: String,
        /// UTC offset of the shop's business hours.
        #[arg(long, default_value = "+08:00", allow_hyphen_values = true)]
        time_zone: String,
        /// Default language: zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        language: String,
        /// Where the server is reached, for the printed link [default: from --listen].
        #[arg(long)]
        base_url: Option<String>,
        #[command(flatten)]
        args: ServeArgs,
    },
}

impl ShopCommand {
    /// The server options the command was given.
    pub fn args(&self) -> &ServeArgs {
        match self {
            ShopCommand::Create { args, .. } => args,
        }
    }
}

/// The base URL for printed links: given, or the listen address (loopback for 0.0.0.0).
pub fn base_url(given: Option<String>, config: &Config) -> String {
    if let Some(b) = given {
        return b.trim_end_matches('/').to_string();
    }
    let mut addr = config.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{addr}")
}

/// Run a shop command.
pub async fn run(command: ShopCommand, config: Config) -> anyhow::Result<()> {
    let ShopCommand::Create { name, owner_email, time_zone, language, base_url: given, .. } = command;
    config.prepare_data_dir()?;
    // A new shop and a link hold nothing sealed: no keys are needed.
    let store = SqlStore::open(&config.database_url, Arc::new(PlainSealer), StoreOptions::default()).await?;
    let now = kefu_core::clock::Clock::now(&kefu_core::clock::SystemClock);
    let made = kefu_server::onboarding::create_shop_for_owner(&store, &name, &owner_email, &time_zone, &language, now, "cli").await;
    store.close().await;
    let (shop, link) = made.map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    println!("shop created: {} ({})", shop.name, shop.id);
    println!("  widget key   {}", shop.widget_key);
    println!("the owner ({}) sets a password here (one time, valid 7 days):", owner_email.trim());
    println!("  {}{}", base_url(given, &config), link.path());
    Ok(())
}
